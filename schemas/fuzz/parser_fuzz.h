// Shared body of the three libFuzzer targets (one per event kind, so each corpus stays focused):
// the whole input is the payload. Any crash, sanitizer report or broken invariant (an event xor
// violations; warnings only on events) is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/schemas/output_records.h"

namespace crosscheck::schemas::fuzz {

inline std::size_t touch(std::string_view s) {
  std::size_t sum = 0;
  for (char c : s) sum += static_cast<unsigned char>(c);
  return sum;
}

inline int run_one(EventKind kind, const std::uint8_t* data, std::size_t size) {
  static EventParser parser = [] {
    // Reused, as in the service, with a small airport list so that membership is exercised.
    static const std::string_view codes[] = {"FRA", "JFK", "LHR", "HEL", "NRT", "SIN", "CDG", "AMS"};
    ParseOptions o;
    o.max_event_bytes = 64 * 1024;
    o.max_depth = 16;
    o.airports = ids::AirportCodes::from_codes(codes);
    return EventParser(o);
  }();
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  std::vector<Violation> violations;
  const Event* ev = parser.parse(kind, payload, violations);
  if ((ev == nullptr) == violations.empty()) std::abort();
  for (const Violation& v : violations) {
    if (is_warning(v.code)) std::abort();  // warnings never reject
  }
  if (ev != nullptr) {
    if (ev->kind != kind) std::abort();
    // Touch every view so ASan checks they point at live memory.
    std::size_t sum = touch(ev->event_id) + touch(ev->schema_version) + touch(ev->event_time);
    for (const auto& p : ev->itinerary.passengers) {
      sum += touch(p.surname) + touch(p.document.number) + touch(p.seat) + touch(p.embarkation);
      for (std::size_t i = 0; i < p.document.mrz_lines; ++i) sum += touch(p.document.mrz[i]);
    }
    sum += touch(ev->itinerary.pnr.locator) + touch(ev->itinerary.flight.arrival_airport);
    const Manifest& m = ev->manifest;
    for (const auto& g : m.goods) {
      sum += touch(g.hs_code) + touch(g.container) + touch(g.gross_mass_kg);
      if (g.seals_begin + g.seals_count > m.seals.size()) std::abort();
      for (std::uint32_t i = 0; i < g.seals_count; ++i) sum += touch(m.seals[g.seals_begin + i]);
    }
    for (auto c : m.routing_countries) sum += touch(c);
    sum += touch(m.consignor.address.country) + touch(m.conveyance.imo);
    const Payment& pay = ev->payment;
    sum += touch(pay.creditor.name) + touch(pay.debtor.iban) + touch(pay.uetr) + touch(pay.amount);
    for (std::size_t i = 0; i < pay.intermediary_agent_count; ++i) sum += touch(pay.intermediary_agents[i]);
    for (const Violation& w : ev->warnings) {
      if (!is_warning(w.code)) std::abort();
    }
    FlagRecord f;
    f.warnings = ev->warnings;
    if (encode_flag(f).empty()) std::abort();
    if (sum == static_cast<std::size_t>(-1)) std::abort();
  } else {
    // Dead-letter encoding must round-trip the original bytes.
    DeadLetterRecord r;
    r.source.topic = "fuzz";
    r.violations = violations;
    r.original = payload;
    const std::string json = encode_dead_letter(r);
    std::string decoded;
    if (!base64_decode(base64_encode(payload), decoded) || decoded != payload) std::abort();
    if (json.empty()) std::abort();
  }
  return 0;
}

}  // namespace crosscheck::schemas::fuzz
