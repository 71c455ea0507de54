#include "crosscheck/rules/watchlist_diff.h"

#include <algorithm>
#include <unordered_map>

#include "crosscheck/json_writer.h"

namespace crosscheck::rules {
namespace {

std::string document_text(const IdentityDocument& d) {
  std::string s = d.type.empty() ? "document" : d.type;
  s += ' ';
  s += d.number;
  if (!d.country.empty()) s += " (" + d.country + ")";
  return s;
}

std::string crypto_text(const CryptoAddress& c) { return c.currency + " " + c.address; }

template <class T, class Text>
std::vector<std::string> texts(const std::vector<T>& values, Text text) {
  std::vector<std::string> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(text(v));
  return out;
}

// Multiset difference, so a duplicated value that is removed once still shows.
void compare_values(std::string_view field, std::vector<std::string> older, std::vector<std::string> newer,
                    std::vector<FieldChange>& out) {
  std::sort(older.begin(), older.end());
  std::sort(newer.begin(), newer.end());
  FieldChange change;
  change.field = field;
  std::set_difference(newer.begin(), newer.end(), older.begin(), older.end(), std::back_inserter(change.added));
  std::set_difference(older.begin(), older.end(), newer.begin(), newer.end(), std::back_inserter(change.removed));
  if (!change.added.empty() || !change.removed.empty()) out.push_back(std::move(change));
}

void compare_scalar(std::string_view field, const std::string& older, const std::string& newer,
                    std::vector<FieldChange>& out) {
  if (older == newer) return;
  FieldChange change;
  change.field = field;
  if (!newer.empty()) change.added.push_back(newer);
  if (!older.empty()) change.removed.push_back(older);
  out.push_back(std::move(change));
}

std::vector<FieldChange> compare_entries(const WatchlistEntry& a, const WatchlistEntry& b) {
  std::vector<FieldChange> out;
  compare_scalar("type", std::string(to_string(a.type)), std::string(to_string(b.type)), out);
  // The primary name is the one officers see first: a change of primary is a change even when the
  // set of names stays the same.
  compare_scalar("primary_name", a.names.empty() ? "" : a.names.front(), b.names.empty() ? "" : b.names.front(), out);
  compare_values("names", a.names, b.names, out);
  compare_values("weak_aliases", a.weak_aliases, b.weak_aliases, out);
  compare_values("dates_of_birth", a.dates_of_birth, b.dates_of_birth, out);
  compare_values("nationalities", a.nationalities, b.nationalities, out);
  compare_scalar("gender", a.gender, b.gender, out);
  compare_values("countries", a.countries, b.countries, out);
  compare_values("documents", texts(a.documents, document_text), texts(b.documents, document_text), out);
  compare_values("ibans", a.ibans, b.ibans, out);
  compare_values("bics", a.bics, b.bics, out);
  compare_values("crypto_addresses", texts(a.crypto_addresses, crypto_text), texts(b.crypto_addresses, crypto_text),
                 out);
  compare_scalar("imo", a.imo, b.imo, out);
  compare_scalar("flag", a.flag, b.flag, out);
  compare_scalar("call_sign", a.call_sign, b.call_sign, out);
  compare_values("programs", a.programs, b.programs, out);
  compare_scalar("remarks", a.remarks, b.remarks, out);
  // "primary_name" repeats what "names" says when a name was simply replaced; keep it only when the
  // order changed without the set changing, or when it adds information.
  auto primary = std::find_if(out.begin(), out.end(), [](const FieldChange& c) { return c.field == "primary_name"; });
  auto names = std::find_if(out.begin(), out.end(), [](const FieldChange& c) { return c.field == "names"; });
  if (primary != out.end() && names != out.end() && !primary->added.empty() && !primary->removed.empty() &&
      std::find(names->added.begin(), names->added.end(), primary->added.front()) != names->added.end() &&
      std::find(names->removed.begin(), names->removed.end(), primary->removed.front()) != names->removed.end()) {
    out.erase(primary);
  }
  return out;
}

std::string_view primary_name(const WatchlistEntry& e) {
  return e.names.empty() ? std::string_view() : std::string_view(e.names.front());
}

// One value for a text line. Remarks can be long paragraphs that differ somewhere in the middle:
// show the part from a little before the first difference (`from`), at most 80 characters.
std::string excerpt(const std::string& v, std::size_t from) {
  constexpr std::size_t kWidth = 80, kContext = 20;
  const std::size_t start = from > kContext ? from - kContext : 0;
  std::string s = start > 0 ? "..." : "";
  if (v.size() - std::min(start, v.size()) > kWidth) {
    s.append(v, start, kWidth - 3);
    s += "...";
  } else if (start < v.size()) {
    s.append(v, start, std::string::npos);
  }
  return s;
}

std::string quoted_list(const std::vector<std::string>& values, char sign, std::size_t from) {
  std::string s;
  for (const auto& v : values) {
    s += ' ';
    s += sign;
    s += '\'';
    s += excerpt(v, from);
    s += '\'';
  }
  return s;
}

// Where a changed scalar's old and new values start to differ (0 for lists of values).
std::size_t first_difference(const FieldChange& f) {
  if (f.added.size() != 1 || f.removed.size() != 1) return 0;
  const auto& a = f.added.front();
  const auto& b = f.removed.front();
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

void write_list_ref(json::Writer& w, std::string_view key, const Watchlist& list) {
  w.key(key).begin_object().field("list_id", list.list_id).field("version", list.version);
  w.field("entries", static_cast<std::uint64_t>(list.entries.size())).end_object();
}

void write_entries(json::Writer& w, std::string_view key, const std::vector<const WatchlistEntry*>& entries) {
  w.key(key).begin_array();
  for (const auto* e : entries) {
    w.begin_object().field("id", e->id).field("type", to_string(e->type)).field("name", primary_name(*e)).end_object();
  }
  w.end_array();
}

void write_strings(json::Writer& w, std::string_view key, const std::vector<std::string>& values) {
  w.key(key).begin_array();
  for (const auto& v : values) w.string(v);
  w.end_array();
}

}  // namespace

WatchlistDiff diff_watchlists(const Watchlist& older, const Watchlist& newer) {
  WatchlistDiff diff;
  std::unordered_map<std::string_view, const WatchlistEntry*> old_by_id;
  old_by_id.reserve(older.entries.size());
  for (const auto& e : older.entries) old_by_id.emplace(e.id, &e);

  std::unordered_map<std::string_view, const WatchlistEntry*> new_by_id;
  new_by_id.reserve(newer.entries.size());
  for (const auto& e : newer.entries) {
    new_by_id.emplace(e.id, &e);
    auto it = old_by_id.find(e.id);
    if (it == old_by_id.end()) {
      diff.added.push_back(&e);
      continue;
    }
    auto fields = compare_entries(*it->second, e);
    if (fields.empty()) {
      ++diff.unchanged;
    } else {
      diff.changed.push_back(EntryChange{e.id, std::string(primary_name(e)), std::move(fields)});
    }
  }
  for (const auto& e : older.entries) {
    if (!new_by_id.contains(e.id)) diff.removed.push_back(&e);
  }
  auto by_id = [](const WatchlistEntry* a, const WatchlistEntry* b) { return a->id < b->id; };
  std::sort(diff.added.begin(), diff.added.end(), by_id);
  std::sort(diff.removed.begin(), diff.removed.end(), by_id);
  std::sort(diff.changed.begin(), diff.changed.end(),
            [](const EntryChange& a, const EntryChange& b) { return a.id < b.id; });
  return diff;
}

std::string format_diff_text(const Watchlist& older, const Watchlist& newer, const WatchlistDiff& diff,
                             std::size_t max_lines) {
  auto version = [](const Watchlist& l) { return l.version ? " v" + std::to_string(l.version) : std::string(); };
  std::string out = older.list_id + version(older) + " (" + std::to_string(older.entries.size()) + " entries) -> " +
                    newer.list_id + version(newer) + " (" + std::to_string(newer.entries.size()) + " entries): " +
                    std::to_string(diff.added.size()) + " added, " + std::to_string(diff.removed.size()) +
                    " removed, " + std::to_string(diff.changed.size()) + " changed, " +
                    std::to_string(diff.unchanged) + " unchanged\n";
  std::size_t lines = 0;
  const std::size_t total = diff.added.size() + diff.removed.size() + diff.changed.size();
  auto room = [&] { return max_lines == 0 || lines < max_lines; };
  for (const auto* e : diff.added) {
    if (!room()) break;
    out += "+ " + e->id + " " + std::string(to_string(e->type)) + " '" + std::string(primary_name(*e)) + "'\n";
    ++lines;
  }
  for (const auto* e : diff.removed) {
    if (!room()) break;
    out += "- " + e->id + " " + std::string(to_string(e->type)) + " '" + std::string(primary_name(*e)) + "'\n";
    ++lines;
  }
  for (const auto& c : diff.changed) {
    if (!room()) break;
    out += "~ " + c.id + " '" + c.name + "':";
    for (std::size_t i = 0; i < c.fields.size(); ++i) {
      const auto& f = c.fields[i];
      const std::size_t from = first_difference(f);
      out += (i ? "; " : " ") + f.field + quoted_list(f.added, '+', from) + quoted_list(f.removed, '-', from);
    }
    out += '\n';
    ++lines;
  }
  if (lines < total) out += "... " + std::to_string(total - lines) + " more\n";
  return out;
}

std::string format_diff_json(const Watchlist& older, const Watchlist& newer, const WatchlistDiff& diff) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  write_list_ref(w, "from", older);
  write_list_ref(w, "to", newer);
  w.key("counts").begin_object();
  w.field("added", static_cast<std::uint64_t>(diff.added.size()));
  w.field("removed", static_cast<std::uint64_t>(diff.removed.size()));
  w.field("changed", static_cast<std::uint64_t>(diff.changed.size()));
  w.field("unchanged", static_cast<std::uint64_t>(diff.unchanged));
  w.end_object();
  write_entries(w, "added", diff.added);
  write_entries(w, "removed", diff.removed);
  w.key("changed").begin_array();
  for (const auto& c : diff.changed) {
    w.begin_object().field("id", c.id).field("name", c.name).key("fields").begin_array();
    for (const auto& f : c.fields) {
      w.begin_object().field("field", f.field);
      write_strings(w, "added", f.added);
      write_strings(w, "removed", f.removed);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace crosscheck::rules
