// Parsing and validation of input events with simdjson On-Demand, in one pass.
//
// Failure behaviour: parse() never throws and never crashes on any input. Malformed input gives
// nullptr and one Violation per problem found (all of them where parsing can continue, e.g. every
// missing or invalid field; structural errors such as bad JSON stop at the first). Warnings (see
// is_warning) do not reject: they are in Event::warnings of the returned event.
// Thread-safety: an EventParser is not thread-safe; use one per consumer thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/event.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/schemas/violation.h"

namespace crosscheck::schemas {

struct ParseOptions {
  std::size_t max_event_bytes = 1 << 20;  // larger records are rejected as `oversized`
  std::size_t max_depth = 32;             // deeper nesting is rejected as `too_deep`
  // IATA airport reference list; null = only the format of airport codes is checked. Shared and
  // immutable, so one list can serve every parser (see ids::load_airport_codes).
  std::shared_ptr<const ids::AirportCodes> airports = nullptr;
};

class EventParser {
 public:
  explicit EventParser(ParseOptions options = {});
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // Parses `payload` as an event of `kind`. On success returns the event, valid until the next
  // call. On failure returns nullptr and appends the violations to `violations` (which is not
  // cleared first). The payload need not be padded: it is copied into an internal padded buffer.
  const Event* parse(EventKind kind, std::string_view payload, std::vector<Violation>& violations);

  const ParseOptions& options() const { return options_; }

 private:
  struct Impl;
  ParseOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crosscheck::schemas
