// Shared invariants of the importer fuzz targets: an import either fails with a message or gives
// entries that survive the JSON form stored in Redis unchanged. Anything else is a bug.
#pragma once

#include <cstdlib>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules::fuzz {

inline void check_entry_round_trip(const WatchlistEntry& e) {
  auto back = parse_entry_json(encode_entry_json(e));
  if (!back.ok() || !(*back == e)) std::abort();
}

inline void check_import(const Result<ImportedList>& r) {
  if (!r.ok()) {
    if (r.error().message().empty()) std::abort();
    return;
  }
  if (r->stats.entries != r->list.entries.size()) std::abort();
  if (r->stats.weak_aliases > r->stats.aliases) std::abort();
  for (const auto& e : r->list.entries) check_entry_round_trip(e);
}

}  // namespace crosscheck::rules::fuzz
