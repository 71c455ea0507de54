// The screener's processing function: one consumed record in, flags or a dead-letter record out.
//
//   parse + validate (schemas) -> screen against the live watchlist index (rules) -> encode
//
// Each hit becomes one flag naming the list, its version, the entry, the score and the matcher's
// explanation, routed to the queue of the event kind.
//
// It is a plain function over plain records, so it is unit-tested without Kafka; the pipeline in
// streams/ only wires it to the consumer and producer.
// Failure behaviour: never throws for any input. Input that fails validation, or that arrives on a
// topic with no event kind, becomes one dead-letter record carrying every reason found and the
// original bytes.
// Thread-safety: not thread-safe (it owns a parser); one step per consumer thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crosscheck/rules/screen.h"
#include "crosscheck/rules/match_index.h"
#include "crosscheck/runtime/screener_config.h"
#include "crosscheck/runtime/screener_metrics.h"
#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/streams/pipeline.h"

namespace crosscheck::runtime {

// Kafka record headers the screener sets on what it produces.
inline constexpr const char* kHeaderFlagId = "crosscheck.flag_id";
inline constexpr const char* kHeaderKind = "crosscheck.kind";
inline constexpr const char* kHeaderReason = "crosscheck.reason";

class ScreeningStep {
 public:
  using IndexSource = std::function<std::shared_ptr<const rules::MatchIndex>()>;

  // `metrics` may be null (tools and tests that do not export metrics). `airports`, when set, is
  // the reference list of IATA codes events must use (see screening.airports_file).
  ScreeningStep(const ScreenerConfig& config, IndexSource index, ScreenerMetrics* metrics,
                std::shared_ptr<const schemas::ids::AirportCodes> airports = nullptr);

  void process(const streams::InRecord& in, streams::Processed& out);

  std::vector<std::string> input_topics() const;
  // The dead-letter topic and one flags topic per configured queue.
  std::vector<std::string> output_topics() const;

 private:
  void dead_letter(const streams::InRecord& in, std::string_view kind, streams::Processed& out);
  void flag(const streams::InRecord& in, const schemas::Event& event, const rules::MatchIndex& index,
            const rules::Hit& hit, streams::Processed& out);

  TopicsConfig topics_;
  std::map<std::string, schemas::EventKind> kind_by_topic_;
  std::map<schemas::EventKind, std::string> flag_topic_by_kind_;
  std::map<schemas::EventKind, std::string> queue_by_kind_;
  std::string severity_;
  std::string instance_id_;
  IndexSource index_;
  ScreenerMetrics* metrics_;
  schemas::EventParser parser_;
  std::vector<schemas::Violation> violations_;
  std::vector<rules::Hit> hits_;
};

// A stable, non-personal Kafka key for a subject, so that all flags about one subject land on one
// partition and stay in order. Derived from the strongest identifier the subject has.
std::string subject_key(const rules::Subject& subject);

}  // namespace crosscheck::runtime
