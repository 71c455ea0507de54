// Private helpers shared by the list importers (list_import.cpp, ofac_import.cpp, un_import.cpp).
// Not installed; not part of the library's interface.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules::import_detail {

// The largest list file read (the real lists are a few MB).
inline constexpr std::size_t kMaxListBytes = 256u << 20;
// Remarks are for a reviewing officer, not an archive of the source.
inline constexpr std::size_t kMaxRemarksBytes = 2000;
// Problems reported in one error; beyond this the rest is noise.
inline constexpr std::size_t kMaxReportedProblems = 50;

std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);

// Valid UTF-8, with each invalid byte replaced by U+FFFD, and control characters other than
// tab and newline replaced by spaces: what the entry JSON round-trips exactly.
std::string clean_text(std::string_view s);

// clean_text on one line: runs of white space (newlines included) become one space; trimmed.
std::string clean_line(std::string_view s);

// Cuts `s` to at most `max` bytes at a character boundary, adding "..." when it cut.
std::string clip(std::string_view s, std::size_t max);

// Appends `item` to `remarks`, separated by "; ", within kMaxRemarksBytes.
void add_remark(std::string& remarks, std::string_view item);

// A date as sources write it: "1960", "1960-02-29", "12 Jan 1960", "Jan 1960", "January 1960",
// "Nov. 1973", "1960/02/29". Returns "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date).
std::optional<std::string> parse_source_date(std::string_view s);

// Usable as a name in the entry JSON (it has a letter or digit).
bool is_usable_name(std::string_view s);

// Adds `code` to `out` unless present.
void add_unique(std::vector<std::string>& out, std::string_view code);

// Fills the counts derived from the entries (everything but addresses and unrecognized).
void count_entries(const std::vector<WatchlistEntry>& entries, ImportStats& stats);

// "<what>: N problems: a; b; ..." as a fatal error.
Error problems_error(std::string_view what, const std::vector<std::string>& problems);

}  // namespace crosscheck::rules::import_detail
