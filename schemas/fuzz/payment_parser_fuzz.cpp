// libFuzzer target: EventParser on payment events (seeded from tests/fixtures/events/*.jsonl).
#include "parser_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return crosscheck::schemas::fuzz::run_one(crosscheck::schemas::EventKind::kPayment, data, size);
}
