#include "crosscheck/rules/watchlist_index.h"

#include "crosscheck/rules/normalize.h"

namespace crosscheck::rules {
namespace {

// Adds `ref` under `key`, once per entry (two aliases may normalise to the same key).
void add(std::unordered_map<std::string, std::vector<EntryRef>>& map, std::string key, EntryRef ref) {
  if (key.empty()) return;
  auto& refs = map[std::move(key)];
  if (!refs.empty() && refs.back().list == ref.list && refs.back().entry == ref.entry) return;
  refs.push_back(ref);
}

}  // namespace

std::string_view to_string(MatchKind kind) {
  switch (kind) {
    case MatchKind::kName: return "name";
    case MatchKind::kDocument: return "document_number";
    case MatchKind::kIban: return "iban";
    case MatchKind::kImo: return "imo";
  }
  return "unknown";
}

WatchlistIndex::WatchlistIndex(std::vector<Watchlist> lists) : lists_(std::move(lists)) {
  for (std::uint32_t l = 0; l < lists_.size(); ++l) {
    const auto& entries = lists_[l].entries;
    entry_count_ += entries.size();
    for (std::uint32_t e = 0; e < entries.size(); ++e) {
      const WatchlistEntry& entry = entries[e];
      for (std::uint32_t n = 0; n < entry.names.size(); ++n) {
        add(names_, normalize_name(entry.names[n]), EntryRef{l, e, n});
      }
      for (const auto& doc : entry.documents) add(documents_, normalize_document(doc.number), EntryRef{l, e, 0});
      for (const auto& iban : entry.ibans) add(ibans_, normalize_iban(iban), EntryRef{l, e, 0});
      if (!entry.imo.empty()) add(imos_, normalize_imo(entry.imo), EntryRef{l, e, 0});
    }
  }
}

const std::vector<EntryRef>& WatchlistIndex::find(const Map& map, const std::string& key) const {
  static const std::vector<EntryRef> kNone;
  if (key.empty()) return kNone;
  const auto it = map.find(key);
  return it == map.end() ? kNone : it->second;
}

const std::vector<EntryRef>& WatchlistIndex::by_name(const std::string& normalized_name) const {
  return find(names_, normalized_name);
}
const std::vector<EntryRef>& WatchlistIndex::by_document(const std::string& normalized_number) const {
  return find(documents_, normalized_number);
}
const std::vector<EntryRef>& WatchlistIndex::by_iban(const std::string& normalized_iban) const {
  return find(ibans_, normalized_iban);
}
const std::vector<EntryRef>& WatchlistIndex::by_imo(const std::string& normalized_imo) const {
  return find(imos_, normalized_imo);
}

}  // namespace crosscheck::rules
