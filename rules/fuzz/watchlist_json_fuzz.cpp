// libFuzzer target: the watchlist JSON format, as a whole list and as one entry (the form stored in
// Redis). Whatever parses must encode and parse back to an equal entry.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crosscheck::rules;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (auto list = parse_watchlist_json(json); list.ok()) {
    for (const auto& e : list->entries) fuzz::check_entry_round_trip(e);
    auto again = parse_watchlist_json(encode_watchlist_json(*list));
    if (!again.ok() || again->entries != list->entries || again->list_id != list->list_id) std::abort();
  } else if (list.error().message().empty()) {
    std::abort();
  }
  if (auto entry = parse_entry_json(json); entry.ok()) fuzz::check_entry_round_trip(*entry);
  return 0;
}
