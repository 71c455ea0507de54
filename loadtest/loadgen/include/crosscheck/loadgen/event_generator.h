// The load generator's events: realistic itineraries, manifests and payments (docs/events.md),
// each one a pure function of (options, index).
//
// - Itineraries fly between airports of the loaded list, with flight times from the great-circle
//   distance, 1 to 6 passengers (families share a surname), documents that expire after the
//   flight (a few do not: the `document_expired` warning), and a valid ICAO 9303 MRZ on about
//   half of them (TD3 for passports, TD1 for identity cards).
// - Manifests carry valid ISO 6346 containers, IMO numbers, UN/LOCODEs and HS codes.
// - Payments carry valid IBANs (where the country uses them), BICs, UUID v4 UETRs and amounts with
//   the currency's minor units.
// - People and companies are mostly unlisted, built from name parts of 22 cultures; a share of the
//   events (`listed_share`) carries one listed subject of the watchlists, varied as real traffic
//   varies it (names.h): a passenger, a consignor, consignee or vessel, a debtor or creditor.
// - A share (`malformed_share`) is malformed, with one defect each (see Defect) that the screener
//   must dead-letter.
//
// Determinism: event i is built from its own generator seeded by (seed, i), so the stream is the
// same on every run for the same options, lists and airports, and any event can be rebuilt alone
// (the expectation pass does so). The random draws are bit-exact everywhere (rng.h); only flight
// times use the C library's trigonometry, rounded to 5 minutes. Nothing reads the clock: times
// derive from base_time_ms and spacing_us.
// Thread-safety: generate() is const and may run on several threads at once.
// Failure behaviour: the constructor throws std::invalid_argument for unusable options (no
// airports, a negative share, an all-zero mix); generate() never fails.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/loadgen/airports.h"
#include "crosscheck/loadgen/names.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/schemas/event.h"

namespace crosscheck::loadgen {

struct Mix {
  double itinerary = 40;
  double manifest = 20;
  double payment = 40;
};
// "itinerary=40,manifest=20,payment=40" (any subset; missing kinds get 0). Fatal Error when a name
// or number does not parse or all weights are 0.
Result<Mix> parse_mix(std::string_view text);

struct GeneratorOptions {
  std::uint64_t seed = 1;
  std::int64_t base_time_ms = 0;  // event_time of event 0
  std::int64_t spacing_us = 100;  // event_time(i) = base_time_ms + i * spacing_us / 1000
  Mix mix;
  double listed_share = 0.01;
  double malformed_share = 0.005;
  std::shared_ptr<const Airports> airports;
  // The lists listed subjects are drawn from (in any order: they are sorted by list id, then entry id).
  std::vector<rules::Watchlist> lists;
};

enum class Intent : std::uint8_t { kClean, kListed, kMalformed };
std::string_view to_string(Intent intent);

// What is wrong with a malformed event. Every defect is one the screener rejects.
enum class Defect : std::uint8_t {
  kNone,
  kTruncated,            // json_syntax (or invalid_utf8 when cut inside a character)
  kEmpty,                // empty_payload
  kNotAnObject,          // not_an_object
  kMissingEventId,       // missing_field
  kSchemaVersion2,       // unsupported_schema_version
  kBadEventTime,         // invalid_value
  kDuplicateKey,         // duplicate_key
  kInvalidUtf8,          // invalid_utf8
  kTooDeep,              // too_deep
  kMrzCheckDigit,        // itinerary: mrz_check_digit
  kArrivalBeforeDeparture,
  kUnknownAirport,
  kImpossibleBirthDate,  // 30 February
  kUnknownNationality,
  kContainerCheckDigit,  // manifest
  kImoCheckDigit,
  kMassAsNumber,         // wrong_type
  kBadLocode,            // unknown_country
  kIbanCheckDigits,      // payment
  kUnknownCurrency,
  kTooManyDecimals,      // invalid_amount
  kBadBic,
  kBadUetr,
};
std::string_view to_string(Defect defect);

struct GeneratedEvent {
  std::uint64_t index = 0;
  schemas::EventKind kind = schemas::EventKind::kItinerary;
  std::string key;    // Kafka key (payments: a hash of the debtor's account, so one debtor keeps to one partition)
  std::string value;  // the JSON (or the broken bytes)
  Intent intent = Intent::kClean;
  Defect defect = Defect::kNone;
  Variation variation = Variation::kNone;  // listed subjects: how the name was varied
  std::string listed_entry;                // listed subjects: "<list id>/<entry id>"
  std::int64_t event_time_ms = 0;
};

class EventGenerator {
 public:
  explicit EventGenerator(GeneratorOptions options);
  ~EventGenerator();
  EventGenerator(const EventGenerator&) = delete;
  EventGenerator& operator=(const EventGenerator&) = delete;

  void generate(std::uint64_t index, GeneratedEvent& out) const;
  GeneratedEvent generate(std::uint64_t index) const {
    GeneratedEvent e;
    generate(index, e);
    return e;
  }

  // Listed subjects available per role: persons, organisations, vessels (0 means a listed draw of
  // that role falls back to an unlisted subject).
  std::array<std::size_t, 3> listed_pool_sizes() const;
  const GeneratorOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crosscheck::loadgen
