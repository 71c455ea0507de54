// What changed between two versions of a watchlist: entries added, removed and changed, matched by
// entry id (ids are stable across versions; see watchlist.h).
//
// A list manager reads the diff before publishing an import, and auditors read it afterwards. A
// changed entry names every field that changed, with the values added and removed for list
// fields (names, dates of birth, documents, ...), so "ofac-12345: names +'X' -'Y'" says what moved
// without printing the whole entry.
// Thread-safety: plain functions over values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules {

struct FieldChange {
  std::string field;                 // "names", "dates_of_birth", "type", "remarks", ...
  std::vector<std::string> added;    // values only in the newer version (scalars: the new value)
  std::vector<std::string> removed;  // values only in the older version (scalars: the old value)
};

struct EntryChange {
  std::string id;
  std::string name;  // the newer primary name, for people reading the diff
  std::vector<FieldChange> fields;
};

struct WatchlistDiff {
  std::vector<const WatchlistEntry*> added;    // in the newer list, by id order
  std::vector<const WatchlistEntry*> removed;  // in the older list, by id order
  std::vector<EntryChange> changed;            // by id order
  std::size_t unchanged = 0;

  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// Compares `older` with `newer`. The result points into both lists: keep them alive while using it.
WatchlistDiff diff_watchlists(const Watchlist& older, const Watchlist& newer);

// Text report: a summary line, then one line per added (+), removed (-) and changed (~) entry,
// at most `max_lines` entry lines (0 = all), then "... N more" when cut.
std::string format_diff_text(const Watchlist& older, const Watchlist& newer, const WatchlistDiff& diff,
                             std::size_t max_lines = 0);
// The same as one JSON object: {"from":{list_id,version},"to":{...},"counts":{added,removed,changed,
// unchanged},"added":[{id,type,name}],"removed":[...],"changed":[{id,name,fields:[{field,added,removed}]}]}.
std::string format_diff_json(const Watchlist& older, const Watchlist& newer, const WatchlistDiff& diff);

}  // namespace crosscheck::rules
