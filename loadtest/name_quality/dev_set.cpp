#include "crosscheck/name_quality/dev_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "crosscheck/rules/analyst_tools.h"
#include "crosscheck/ascii.h"

namespace crosscheck::name_quality {
namespace {

using ascii::lower;
using ascii::upper;

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) return out;
    start = p + 1;
  }
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  for (auto w : split(s, ' ')) {
    if (!trim(w).empty()) out.emplace_back(trim(w));
  }
  return out;
}

std::string join(const std::vector<std::string>& ws) {
  std::string out;
  for (const auto& w : ws) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

template <class F>
ParsedPairs parse_lines(std::string_view text, F f) {
  ParsedPairs out;
  for (auto line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    NamePair p;
    if (f(line, p) && !p.en.empty() && !p.other.empty()) {
      out.pairs.push_back(std::move(p));
    } else {
      ++out.skipped;
    }
  }
  return out;
}

// Union-find over the strings of a source, so a negative is never a pairing the source links.
// One namespace for both sides: in the nickname list a name is a formal name in one row and a
// nickname in another ("ernestine"), and those are the same string.
class Components {
 public:
  explicit Components(const std::vector<NamePair>& pairs) {
    for (const auto& p : pairs) unite(id(lower(p.en)), id(lower(p.other)));
  }
  std::size_t of_en(const std::string& en) { return find(id(lower(en))); }
  std::size_t of_other(const std::string& other) { return find(id(lower(other))); }

 private:
  std::size_t id(const std::string& key) {
    auto [it, inserted] = ids_.emplace(key, parent_.size());
    if (inserted) parent_.push_back(parent_.size());
    return it->second;
  }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void unite(std::size_t a, std::size_t b) { parent_[find(a)] = find(b); }
  std::unordered_map<std::string, std::size_t> ids_;
  std::vector<std::size_t> parent_;
};

bool ascii_letters(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

// Picks up to `n` distinct items by drawing from `pick` (which may fail); gives up after a
// bounded number of attempts so a small source cannot loop forever.
template <class Pick>
void draw(std::size_t n, Pick pick) {
  std::size_t got = 0;
  for (std::size_t attempts = 0; got < n && attempts < n * 50 + 100; ++attempts) {
    if (pick()) ++got;
  }
}

}  // namespace

// ---- rng, soundex, distance --------------------------------------------------------------------

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::size_t Rng::below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

std::string soundex(std::string_view token) {
  auto code = [](char c) -> char {
    switch (c) {
      case 'b': case 'f': case 'p': case 'v': return '1';
      case 'c': case 'g': case 'j': case 'k': case 'q': case 's': case 'x': case 'z': return '2';
      case 'd': case 't': return '3';
      case 'l': return '4';
      case 'm': case 'n': return '5';
      case 'r': return '6';
      case 'h': case 'w': return 'h';  // transparent: letters either side with one code count once
      default: return '0';            // vowels separate equal codes
    }
  };
  std::string out;
  char last = 0;
  for (char raw : token) {
    char c = raw;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') continue;
    const char k = code(c);
    if (out.empty()) {
      out += static_cast<char>(c - 'a' + 'A');
      last = k;
      continue;
    }
    if (k == 'h') continue;
    if (k != '0' && k != last) out += k;
    last = k;
    if (out.size() == 4) break;
  }
  if (out.empty()) return out;
  out.resize(4, '0');
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// ---- readers -----------------------------------------------------------------------------------

ParsedPairs parse_full_name_tsv(std::string_view text) {
  return parse_lines(text, [](std::string_view line, NamePair& p) {
    auto f = split(line, '\t');
    if (f.size() != 2) return false;
    p.en = trim(f[0]);
    p.other = trim(f[1]);
    return true;
  });
}

ParsedPairs parse_token_tsv(std::string_view text) {
  return parse_lines(text, [](std::string_view line, NamePair& p) {
    auto f = split(line, '\t');
    if (f.size() < 2 || f.size() > 3) return false;
    p.en = trim(f[0]);
    p.other = trim(f[1]);
    return true;
  });
}

ParsedPairs parse_ar2en_tsv(std::string_view text) {
  return parse_lines(text, [](std::string_view line, NamePair& p) {
    auto f = split(line, '\t');
    if (f.size() != 2) return false;
    p.other = trim(f[0]);
    p.en = trim(f[1]);
    // Entries such as "a." are abbreviations, not names.
    return p.en.find('.') == std::string::npos;
  });
}

ParsedPairs parse_nicknames_csv(std::string_view text) {
  return parse_lines(text, [](std::string_view line, NamePair& p) {
    auto f = split(line, ',');
    if (f.size() != 3 || trim(f[1]) != "has_nickname") return false;  // also drops the header row
    p.en = trim(f[0]);
    p.other = trim(f[2]);
    return true;
  });
}

Result<std::vector<Source>> load_name_sources(const std::string& names_dir) {
  struct Spec {
    const char* file;
    const char* name;
    const char* script;
    SourceKind kind;
    ParsedPairs (*parse)(std::string_view);
  };
  const Spec specs[] = {
      {"wikidata-en-hebrew.tsv", "wikidata-en-hebrew", "hebrew", SourceKind::kFullNames, parse_full_name_tsv},
      {"wikidata-en-korean.tsv", "wikidata-en-korean", "hangul", SourceKind::kFullNames, parse_full_name_tsv},
      {"wikidata-tokens-en-russian.tsv", "wikidata-tokens-en-russian", "cyrillic", SourceKind::kTokens, parse_token_tsv},
      {"wikidata-tokens-en-arabic.tsv", "wikidata-tokens-en-arabic", "arabic", SourceKind::kTokens, parse_token_tsv},
      {"wikidata-tokens-en-chinese.tsv", "wikidata-tokens-en-chinese", "han", SourceKind::kTokens, parse_token_tsv},
      {"google-ar2en.tsv", "google-ar2en", "arabic", SourceKind::kTokens, parse_ar2en_tsv},
      {"nicknames.csv", "nicknames", "latin", SourceKind::kTokens, parse_nicknames_csv},
  };
  std::vector<Source> out;
  for (const Spec& s : specs) {
    const std::string path = names_dir + "/" + s.file;
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::fatal("name-quality", "cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    ParsedPairs parsed = s.parse(ss.str());
    Source src;
    src.name = s.name;
    src.script = s.script;
    src.kind = s.kind;
    src.pairs = std::move(parsed.pairs);
    src.skipped = parsed.skipped;
    out.push_back(std::move(src));
  }
  return out;
}

// ---- person pairs ------------------------------------------------------------------------------

std::vector<DevPair> build_person_pairs(const Source& source, const BuildOptions& options) {
  std::vector<DevPair> out;
  const auto& pairs = source.pairs;
  if (pairs.size() < 2) return out;
  // Each source gets its own stream, so adding a source does not change the others' samples.
  std::uint64_t h = options.seed;
  for (char c : source.name) h = h * 1099511628211ull + static_cast<unsigned char>(c);
  Rng rng(h);
  Components comp(pairs);
  auto make = [&](const NamePair& a, const NamePair& b, bool label, std::string kind) {
    DevPair d;
    d.schema = "Person";
    d.name1 = a.en;
    d.name2 = b.other;
    d.source = source.name;
    d.script = source.script;
    d.label = label;
    d.kind = std::move(kind);
    out.push_back(std::move(d));
  };
  auto unrelated = [&](const NamePair& a, const NamePair& b) {
    return lower(a.en) != lower(b.en) && lower(a.other) != lower(b.other) && lower(a.en) != lower(b.other) &&
           comp.of_en(a.en) != comp.of_other(b.other);
  };
  const std::size_t n = options.per_source;

  // Positives: a sample without repetition.
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = 0; i + 1 < order.size() && i < n; ++i) {
    std::swap(order[i], order[i + rng.below(order.size() - i)]);
  }
  for (std::size_t i = 0; i < std::min(n, order.size()); ++i) make(pairs[order[i]], pairs[order[i]], true, "positive");

  std::set<std::pair<std::size_t, std::size_t>> used;
  draw(n, [&] {
    const std::size_t a = rng.below(pairs.size()), b = rng.below(pairs.size());
    if (a == b || !unrelated(pairs[a], pairs[b]) || !used.insert({a, b}).second) return false;
    make(pairs[a], pairs[b], false, "random");
    return true;
  });

  if (source.kind == SourceKind::kFullNames) {
    // Hard negatives: another person with the same last (or first) English token.
    std::unordered_map<std::string, std::vector<std::size_t>> by_first, by_last;
    std::vector<std::size_t> multi;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      auto ws = words(lower(pairs[i].en));
      if (ws.size() < 2) continue;
      multi.push_back(i);
      by_first[ws.front()].push_back(i);
      by_last[ws.back()].push_back(i);
    }
    if (multi.empty()) return out;
    std::size_t k = 0;
    draw(n, [&] {
      const bool surname = (k % 2) == 0;
      const std::size_t a = multi[rng.below(multi.size())];
      auto wa = words(lower(pairs[a].en));
      const auto& group = surname ? by_last[wa.back()] : by_first[wa.front()];
      if (group.size() < 2) return false;
      const std::size_t b = group[rng.below(group.size())];
      auto wb = words(lower(pairs[b].en));
      // The other token must differ, else it may be the same person written differently.
      if (surname ? wa.front() == wb.front() : wa.back() == wb.back()) return false;
      if (a == b || !unrelated(pairs[a], pairs[b]) || !used.insert({a, b}).second) return false;
      make(pairs[a], pairs[b], false, surname ? "same_surname" : "same_given_name");
      ++k;
      return true;
    });
  } else {
    // Hard negatives: a different token that sounds alike (same Soundex, edit distance >= 2).
    std::unordered_map<std::string, std::vector<std::size_t>> by_key;
    std::vector<std::size_t> keyed;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      if (!ascii_letters(pairs[i].en)) continue;
      by_key[soundex(pairs[i].en)].push_back(i);
      keyed.push_back(i);
    }
    if (keyed.empty()) return out;
    draw(n, [&] {
      const std::size_t a = keyed[rng.below(keyed.size())];
      const auto& group = by_key[soundex(pairs[a].en)];
      if (group.size() < 2) return false;
      const std::size_t b = group[rng.below(group.size())];
      if (edit_distance(lower(pairs[a].en), lower(pairs[b].en)) < 2) return false;
      if (a == b || !unrelated(pairs[a], pairs[b]) || !used.insert({a, b}).second) return false;
      make(pairs[a], pairs[b], false, "sounds_alike");
      return true;
    });
  }
  return out;
}

// ---- entity pairs ------------------------------------------------------------------------------

namespace {

const std::set<std::string>& legal_forms() {
  static const std::set<std::string> forms = {
      "LLC", "L.L.C.", "L.L.C", "LTD", "LTD.", "LIMITED", "CO", "CO.", "COMPANY", "CORP", "CORP.", "CORPORATION",
      "INC", "INC.", "SA", "S.A.", "GMBH", "AG", "JSC", "OJSC", "CJSC", "PJSC", "OAO", "ZAO", "OOO", "FZE", "FZCO",
      "FZC", "LLP", "PLC", "BV", "B.V.", "SRL", "S.R.L.", "SARL", "S.A.R.L.", "PTE", "PTY", "SDN", "BHD", "LTDA",
      "S.A.S.", "SAS", "EST", "ESTABLISHMENT", "DMCC", "L.T.D."};
  return forms;
}

bool is_legal(const std::string& w) {
  std::string u = upper(w);
  while (!u.empty() && (u.back() == ',' || u.back() == ')')) u.pop_back();
  return legal_forms().count(u) > 0;
}

// The words that make two names "share a word": long, not a legal form, not a connector.
bool distinctive(const std::string& w) {
  static const std::set<std::string> common = {"THE", "AND", "FOR", "OF", "AL", "EL", "DE", "DU", "LA", "LE"};
  const std::string u = upper(w);
  return u.size() >= 4 && !is_legal(u) && !common.count(u);
}

const std::vector<std::pair<std::string, std::string>>& abbreviations() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"INTERNATIONAL", "INTL"}, {"COMPANY", "CO"},        {"CORPORATION", "CORP"},     {"LIMITED", "LTD"},
      {"TRADING", "TRDG"},       {"INDUSTRIES", "IND"},    {"INDUSTRIAL", "IND"},       {"ENGINEERING", "ENG"},
      {"DEVELOPMENT", "DEV"},    {"GROUP", "GRP"},         {"SHIPPING", "SHPG"},        {"ESTABLISHMENT", "EST"},
      {"ORGANIZATION", "ORG"},   {"FOUNDATION", "FDN"},    {"MANAGEMENT", "MGMT"},      {"SERVICES", "SVCS"},
      {"TECHNOLOGY", "TECH"},    {"BROTHERS", "BROS"},     {"ASSOCIATION", "ASSN"},     {"INVESTMENT", "INV"},
      {"AND", "&"},              {"MANUFACTURING", "MFG"}, {"DEPARTMENT", "DEPT"},      {"NATIONAL", "NATL"},
      {"COMMERCIAL", "COMM"},    {"ELECTRONICS", "ELEC"},  {"CONSTRUCTION", "CONSTR"}};
  return table;
}

// One typo in a word of five letters or more: substitution, deletion, transposition or doubling.
bool add_typo(std::vector<std::string>& ws, Rng& rng) {
  std::vector<std::size_t> long_words;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (ws[i].size() >= 5 && ascii_letters(ws[i])) long_words.push_back(i);
  }
  if (long_words.empty()) return false;
  std::string& w = ws[long_words[rng.below(long_words.size())]];
  const std::size_t p = 1 + rng.below(w.size() - 2);  // never the first or last letter
  switch (rng.below(4)) {
    case 0: {
      const char base = (w[p] >= 'a') ? 'a' : 'A';
      char c = static_cast<char>(base + rng.below(26));
      if (c == w[p]) c = static_cast<char>(base + (c - base + 1) % 26);
      w[p] = c;
      break;
    }
    case 1: w.erase(p, 1); break;
    case 2: std::swap(w[p], w[p + 1 < w.size() ? p + 1 : p - 1]); break;
    default: w.insert(p, 1, w[p]); break;
  }
  return true;
}

struct Variant {
  std::string name;
  std::string kind;
};

// A realistic variant of an organisation name; falls back through the kinds when one does not
// apply, ending with a typo.
std::optional<Variant> org_variant(const std::string& name, Rng& rng) {
  const auto ws = words(name);
  const std::size_t first = rng.below(4);
  for (std::size_t k = 0; k < 5; ++k) {
    const std::size_t kind = k == 4 ? 2 : (first + k) % 4;
    std::vector<std::string> v = ws;
    switch (kind) {
      case 0: {  // legal form dropped, or changed
        auto it = std::find_if(v.begin(), v.end(), [](const std::string& w) { return is_legal(w); });
        if (it == v.end() || v.size() < 2) break;
        static const char* replacements[] = {"LTD", "LLC", "LIMITED", "CO", "COMPANY"};
        if (rng.below(2) == 0) {
          v.erase(it);
        } else {
          std::string r = replacements[rng.below(5)];
          if (upper(*it) == r) r = "INC";
          *it = r;
        }
        return Variant{join(v), "legal_form"};
      }
      case 1: {  // word order: two neighbouring non-legal words swapped
        std::vector<std::size_t> pos;
        for (std::size_t i = 0; i + 1 < v.size(); ++i) {
          if (!is_legal(v[i]) && !is_legal(v[i + 1]) && upper(v[i]) != upper(v[i + 1])) pos.push_back(i);
        }
        if (pos.empty()) break;
        const std::size_t i = pos[rng.below(pos.size())];
        std::swap(v[i], v[i + 1]);
        return Variant{join(v), "word_order"};
      }
      case 2:
        if (!add_typo(v, rng)) break;
        return Variant{join(v), "typo"};
      case 3: {  // a common abbreviation
        bool done = false;
        for (auto& w : v) {
          for (const auto& [full, abbr] : abbreviations()) {
            if (upper(w) == full) {
              w = abbr;
              done = true;
              break;
            }
          }
          if (done) break;
        }
        if (!done) break;
        return Variant{join(v), "abbreviation"};
      }
    }
  }
  return std::nullopt;
}

std::optional<Variant> vessel_variant(const std::string& name, Rng& rng) {
  const auto ws = words(name);
  const std::size_t first = rng.below(3);
  for (std::size_t k = 0; k < 4; ++k) {
    const std::size_t kind = k == 3 ? 0 : (first + k) % 3;
    std::vector<std::string> v = ws;
    switch (kind) {
      case 0:
        if (!add_typo(v, rng)) break;
        return Variant{join(v), "typo"};
      case 1:
        v.insert(v.begin(), rng.below(2) ? "M/V" : "MV");
        return Variant{join(v), "prefix"};
      case 2: {  // two words joined, or a long word split
        if (v.size() >= 2) {
          const std::size_t i = rng.below(v.size() - 1);
          if (!ascii_letters(v[i]) || !ascii_letters(v[i + 1])) break;
          v[i] += v[i + 1];
          v.erase(v.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        } else if (!v.empty() && v[0].size() >= 8 && ascii_letters(v[0])) {
          const std::size_t cut = v[0].size() / 2;
          v = {v[0].substr(0, cut), v[0].substr(cut)};
        } else {
          break;
        }
        return Variant{join(v), "spacing"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<DevPair> build_entity_pairs(const std::vector<rules::Watchlist>& lists, const BuildOptions& options) {
  std::vector<std::string> orgs, vessels;
  std::set<std::string> seen;
  for (const auto& list : lists) {
    for (const auto& e : list.entries) {
      if (e.names.empty()) continue;
      if (e.type != rules::EntityType::kOrganization && e.type != rules::EntityType::kVessel) continue;
      const std::string name(trim(e.names.front()));
      if (name.empty() || !seen.insert(upper(name)).second) continue;
      (e.type == rules::EntityType::kVessel ? vessels : orgs).push_back(name);
    }
  }
  std::vector<DevPair> out;
  Rng rng(options.seed ^ 0x5EEDC0DEull);
  const std::size_t n = options.per_source;
  auto schema_of = [](const std::string& name) {
    for (const auto& w : words(name)) {
      if (is_legal(w)) return "Company";
    }
    return "Organization";
  };
  auto add = [&](std::string schema, std::string a, std::string b, const std::string& source, bool label,
                 std::string kind) {
    out.push_back(DevPair{std::move(schema), std::move(a), std::move(b), source, "latin", label, std::move(kind)});
  };

  // Lists hold the same subject twice under near-identical spellings ("IMENSAZEN ..." /
  // "IMENSAZAN ...") and branches under the parent's name ("... FOUNDATION : BOSNIA BRANCH"); a
  // screening tool should match those, so they are never negatives. (Not for vessels: fleets
  // are named in series, "SPARTA II" / "SPARTA III", and those are different ships.)
  auto maybe_same = [](const std::string& a, const std::string& b) {
    const std::string ua = upper(a), ub = upper(b);
    return edit_distance(ua, ub) <= 2 || ua.find(ub) != std::string::npos || ub.find(ua) != std::string::npos;
  };
  auto slice = [&](const std::vector<std::string>& names, bool vessel) {
    if (names.size() < 2) return;
    const std::string source = vessel ? "synthetic-vessels" : "synthetic-organizations";
    auto schema = [&](const std::string& name) -> std::string { return vessel ? "Vessel" : schema_of(name); };
    std::set<std::pair<std::size_t, std::size_t>> used;
    std::set<std::size_t> used_pos;
    draw(std::min(n, names.size()), [&] {
      const std::size_t i = rng.below(names.size());
      if (used_pos.count(i)) return false;
      auto v = vessel ? vessel_variant(names[i], rng) : org_variant(names[i], rng);
      if (!v || upper(v->name) == upper(names[i])) return false;
      used_pos.insert(i);
      add(schema(names[i]), names[i], v->name, source, true, v->kind);
      return true;
    });
    // Negatives: random pairs, and pairs that share a distinctive word.
    draw(std::min(n, names.size()) / 2, [&] {
      const std::size_t a = rng.below(names.size()), b = rng.below(names.size());
      if (a == b || (!vessel && maybe_same(names[a], names[b])) || !used.insert({a, b}).second) return false;
      add(schema(names[a]), names[a], names[b], source, false, "random");
      return true;
    });
    std::unordered_map<std::string, std::vector<std::size_t>> by_word;
    std::vector<std::size_t> worded;
    for (std::size_t i = 0; i < names.size(); ++i) {
      bool any = false;
      for (const auto& w : words(names[i])) {
        if (distinctive(w)) {
          by_word[upper(w)].push_back(i);
          any = true;
        }
      }
      if (any) worded.push_back(i);
    }
    if (!worded.empty()) {
      draw(std::min(n, names.size()) / 2, [&] {
        const std::size_t a = worded[rng.below(worded.size())];
        std::vector<std::string> ws;
        for (const auto& w : words(names[a])) {
          if (distinctive(w)) ws.push_back(upper(w));
        }
        const auto& group = by_word[ws[rng.below(ws.size())]];
        if (group.size() < 2) return false;
        const std::size_t b = group[rng.below(group.size())];
        if (a == b || (!vessel && maybe_same(names[a], names[b])) || !used.insert({a, b}).second) return false;
        add(schema(names[a]), names[a], names[b], source, false, "shared_word");
        return true;
      });
    }
    if (vessel) {
      // The same name with a different number: sister ships ("DARYA 1" vs "DARYA 2").
      std::vector<std::size_t> numbered;
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].find_first_of("0123456789") != std::string::npos) numbered.push_back(i);
      }
      draw(std::min(n / 4, numbered.size()), [&] {
        const std::size_t i = numbered[rng.below(numbered.size())];
        std::string v = names[i];
        const auto p = v.find_last_of("0123456789");
        v[p] = static_cast<char>('0' + (v[p] - '0' + 1 + rng.below(8)) % 10);
        if (!used.insert({i, i}).second) return false;
        add("Vessel", names[i], v, source, false, "number_changed");
        return true;
      });
      return;
    }
    // "X Trading LLC" vs "Y Trading LLC": real names that share a tail of two words or more
    // (one of them generic or a legal form) but not their head.
    std::map<std::string, std::vector<std::size_t>> by_tail;
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto ws = words(upper(names[i]));
      if (ws.size() < 3) continue;
      by_tail[ws[ws.size() - 2] + " " + ws.back()].push_back(i);
    }
    std::vector<const std::vector<std::size_t>*> tails;
    for (const auto& [tail, group] : by_tail) {
      if (group.size() >= 2) tails.push_back(&group);
    }
    if (!tails.empty()) {
      draw(std::min(n, names.size()) / 4, [&] {
        const auto& group = *tails[rng.below(tails.size())];
        const std::size_t a = group[rng.below(group.size())], b = group[rng.below(group.size())];
        if (a == b || (!vessel && maybe_same(names[a], names[b])) || !used.insert({a, b}).second) return false;
        add(schema(names[a]), names[a], names[b], source, false, "shared_tail");
        return true;
      });
    }
    // And the literal pattern, with heads taken from real names (synthetic on both sides).
    std::vector<std::string> heads;
    for (const auto& name : names) {
      auto ws = words(upper(name));
      if (!ws.empty() && distinctive(ws.front()) && ascii_letters(ws.front())) heads.push_back(ws.front());
    }
    static const char* tails_synthetic[] = {"TRADING LLC", "GENERAL TRADING LLC", "SHIPPING CO LTD", "INVESTMENT GROUP",
                                            "PETROCHEMICAL COMPANY"};
    std::set<std::pair<std::string, std::string>> made;
    if (heads.size() >= 2) {
      draw(std::min(n, names.size()) / 4, [&] {
        const std::string& x = heads[rng.below(heads.size())];
        const std::string& y = heads[rng.below(heads.size())];
        if (x == y || !made.insert({x, y}).second) return false;
        const std::string tail = tails_synthetic[rng.below(5)];
        add("Company", x + " " + tail, y + " " + tail, source, false, "trading_llc");
        return true;
      });
    }
  };
  slice(orgs, false);
  slice(vessels, true);
  return out;
}

// ---- CSV ---------------------------------------------------------------------------------------

void write_dev_set_csv(std::ostream& out, const std::vector<DevPair>& pairs) {
  std::string line = "schema,name1,name2,source,script,label,kind\n";
  out << line;
  for (const auto& p : pairs) {
    line.clear();
    for (const std::string* f : {&p.schema, &p.name1, &p.name2, &p.source, &p.script}) {
      rules::append_csv_field(line, *f);
      line += ',';
    }
    line += p.label ? "true," : "false,";
    rules::append_csv_field(line, p.kind);
    line += '\n';
    out << line;
  }
}

}  // namespace crosscheck::name_quality
