// libFuzzer target for EventParser: the first byte selects the event kind, the rest is the
// payload. Small limits keep the fuzzer in the interesting range. Any crash, sanitizer report or
// broken invariant (event xor violations) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/schemas/output_records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crosscheck::schemas;
  if (size == 0) return 0;
  static EventParser parser(ParseOptions{64 * 1024, 16});  // reused, as in the service
  const auto kind = static_cast<EventKind>(data[0] % kEventKindCount);
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<Violation> violations;
  const Event* ev = parser.parse(kind, payload, violations);
  if ((ev == nullptr) == violations.empty()) std::abort();
  if (ev != nullptr) {
    // Touch every view so ASan checks they point at live memory.
    std::size_t sum = ev->event_id.size() + ev->schema_version.size() + ev->event_time.size();
    for (const auto& p : ev->itinerary.passengers) {
      for (char c : p.surname) sum += static_cast<unsigned char>(c);
      for (char c : p.document.number) sum += static_cast<unsigned char>(c);
    }
    for (const auto& g : ev->manifest.goods) sum += g.hs_code.size() + g.container.size();
    for (char c : ev->payment.creditor.name) sum += static_cast<unsigned char>(c);
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
