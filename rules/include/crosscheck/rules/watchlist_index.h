// An immutable in-memory index over one or more published watchlists, built off the hot path and
// then shared read-only by the consumer thread(s).
//
// This foundation index matches exactly on normalised name, document number, IBAN and IMO number.
// Thread-safety: immutable after construction; any number of threads may query it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules {

enum class MatchKind : std::uint8_t { kName = 1, kDocument = 2, kIban = 4, kImo = 8 };
std::string_view to_string(MatchKind kind);  // "name", "document_number", "iban", "imo"

struct EntryRef {
  std::uint32_t list = 0;   // index into WatchlistIndex::lists()
  std::uint32_t entry = 0;  // index into that list's entries
  std::uint32_t name = 0;   // for name matches: which of the entry's names matched
};

class WatchlistIndex {
 public:
  explicit WatchlistIndex(std::vector<Watchlist> lists);

  const std::vector<Watchlist>& lists() const { return lists_; }
  std::size_t entry_count() const { return entry_count_; }

  // Each returns the entries whose normalised key equals the normalised query (empty for none).
  const std::vector<EntryRef>& by_name(const std::string& normalized_name) const;
  const std::vector<EntryRef>& by_document(const std::string& normalized_number) const;
  const std::vector<EntryRef>& by_iban(const std::string& normalized_iban) const;
  const std::vector<EntryRef>& by_imo(const std::string& normalized_imo) const;

  const Watchlist& list(const EntryRef& ref) const { return lists_[ref.list]; }
  const WatchlistEntry& entry(const EntryRef& ref) const { return lists_[ref.list].entries[ref.entry]; }

 private:
  using Map = std::unordered_map<std::string, std::vector<EntryRef>>;
  const std::vector<EntryRef>& find(const Map& map, const std::string& key) const;
  std::vector<Watchlist> lists_;
  std::size_t entry_count_ = 0;
  Map names_, documents_, ibans_, imos_;
};

}  // namespace crosscheck::rules
