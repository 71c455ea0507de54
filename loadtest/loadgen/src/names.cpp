#include "crosscheck/loadgen/names.h"

#include <algorithm>
#include <array>
#include <vector>

namespace crosscheck::loadgen {

namespace {

using sv = std::string_view;

std::vector<std::string> split_tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string join(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

bool ends_with(sv s, sv suffix) { return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix; }

// Upper-case ASCII for each code point of Latin-1 Supplement (U+00C0..U+00FF) and Latin
// Extended-A (U+0100..U+017F); '?' marks the few that fold to two letters (handled apart), ' ' the
// multiplication and division signs.
constexpr sv kLatin1 = "AAAAAA?CEEEEIIIIDNOOOOO OUUUUY??AAAAAA?CEEEEIIIIDNOOOOO OUUUUY?Y";
constexpr sv kLatinExtA =
    "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII??JJKKKLLLLLLLLLLNNNNNNNNNOOOOOO??RRRRRRSSSSSSSSTTTTTTUUUUUUUU"
    "UUUUWWYYYZZZZZZS";
static_assert(kLatin1.size() == 64 && kLatinExtA.size() == 128);

// Folds UTF-8 Latin text to upper-case ASCII; nullopt when another script or invalid UTF-8 shows up.
std::optional<std::string> fold_upper(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
      ++i;
      continue;
    }
    if ((c & 0xE0) != 0xC0 || i + 1 >= s.size()) return std::nullopt;
    const auto c2 = static_cast<unsigned char>(s[i + 1]);
    if ((c2 & 0xC0) != 0x80) return std::nullopt;
    const unsigned cp = ((c & 0x1Fu) << 6) | (c2 & 0x3Fu);
    i += 2;
    if (cp >= 0xC0 && cp <= 0xFF) {
      if (cp == 0xC6 || cp == 0xE6) out += "AE";
      else if (cp == 0xDE || cp == 0xFE) out += "TH";
      else if (cp == 0xDF) out += "SS";
      else out += kLatin1[cp - 0xC0];
    } else if (cp >= 0x100 && cp <= 0x17F) {
      if (cp == 0x132 || cp == 0x133) out += "IJ";
      else if (cp == 0x152 || cp == 0x153) out += "OE";
      else out += kLatinExtA[cp - 0x100];
    } else if (cp == 0x2018 || cp == 0x2019) {  // never reached (3-byte), kept for clarity
      out += '\'';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Keeps letters, single spaces, hyphens and apostrophes between letters.
std::string clean_passport(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool letter = c >= 'A' && c <= 'Z';
    if (letter || c == '-' || c == '\'') {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '-' || out.back() == '\'')) out.pop_back();
  while (!out.empty() && (out.front() == '-' || out.front() == '\'')) out.erase(out.begin());
  return out;
}

// Spellings of one name in different transliterations, as they appear on lists and documents.
constexpr std::array<std::array<sv, 6>, 44> kTransliterations = {{
    {"MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD", "MUHAMMED", "MOHAMAD"},
    {"AHMED", "AHMAD", "AHMET"},
    {"HUSSEIN", "HUSAYN", "HUSSAIN", "HOSSEIN", "HUSEYIN"},
    {"HASSAN", "HASAN", "HASSANE"},
    {"YOUSSEF", "YUSUF", "YOUSEF", "YOUSSOUF", "YUSSEF"},
    {"OSAMA", "USAMA", "OUSSAMA"},
    {"KHALED", "KHALID", "HALID"},
    {"OMAR", "UMAR", "OMER"},
    {"ABDUL", "ABDEL", "ABD AL"},
    {"ABDULLAH", "ABDALLAH", "ABDULLA"},
    {"MAHMOUD", "MAHMUD", "MAHMOOD"},
    {"ALI", "ALY"},
    {"SAID", "SAEED", "SAYED", "SAYYID"},
    {"AL", "EL"},
    {"IBRAHIM", "EBRAHIM", "IBRAHEEM"},
    {"ALEKSANDR", "ALEXANDER", "ALEKSANDER", "OLEKSANDR", "ALEXANDR"},
    {"SERGEY", "SERGEI", "SERHIY"},
    {"DMITRY", "DMITRI", "DMITRIY"},
    {"ANDREY", "ANDREI", "ANDRIY"},
    {"YURIY", "YURI", "IOURI", "YURY"},
    {"NIKOLAY", "NIKOLAI", "MYKOLA"},
    {"MIKHAIL", "MIKHAEL", "MYKHAILO"},
    {"ALEKSEY", "ALEXEI", "ALEKSEI"},
    {"EVGENY", "YEVGENIY", "EVGENII", "YEVGENY"},
    {"VIKTOR", "VICTOR"},
    {"IGOR", "IHOR"},
    {"OLEG", "OLEH"},
    {"VLADIMIR", "VOLODYMYR", "WLADIMIR"},
    {"MAKSIM", "MAXIM"},
    {"TATIANA", "TATYANA"},
    {"NATALIA", "NATALYA"},
    {"YULIA", "JULIA", "IULIA"},
    {"ZHANG", "CHANG"},
    {"XU", "HSU"},
    {"ZHOU", "CHOU"},
    {"LI", "LEE"},
    {"CHEN", "CHAN"},
    {"PARK", "PAK", "BAK"},
    {"CHOI", "CHOE"},
    {"NGUYEN", "NGUYN"},
    {"JOSE", "JOSE MARIA"},
    {"MUSTAFA", "MUSTAPHA", "MOSTAFA"},
    {"JAMAL", "GAMAL", "DJAMAL"},
    {"FARUQ", "FAROUK", "FAROOQ"},
}};

// Letter-level spellings that differ between transliteration systems.
constexpr std::array<std::pair<sv, sv>, 16> kDigraphs = {{
    {"KH", "H"}, {"OU", "U"}, {"EE", "I"}, {"PH", "F"}, {"SCH", "SH"}, {"SH", "SCH"}, {"TCH", "CH"}, {"DJ", "J"},
    {"Q", "K"}, {"OFF", "OV"}, {"OV", "OFF"}, {"EV", "EFF"}, {"IY", "I"}, {"YA", "IA"}, {"YU", "IU"}, {"W", "V"},
}};

bool transliterate_token(std::string& token, Rng& rng) {
  for (const auto& group : kTransliterations) {
    for (const sv spelling : group) {
      if (spelling.empty() || spelling != token) continue;
      std::vector<sv> others;
      for (const sv other : group) {
        if (!other.empty() && other != spelling) others.push_back(other);
      }
      token = std::string(others[rng.below(others.size())]);
      return true;
    }
  }
  // No known name: one letter-level change, at a random matching place.
  std::vector<std::pair<std::size_t, std::size_t>> options;  // (rule, position)
  for (std::size_t r = 0; r < kDigraphs.size(); ++r) {
    for (std::size_t pos = token.find(kDigraphs[r].first); pos != std::string::npos;
         pos = token.find(kDigraphs[r].first, pos + 1)) {
      if (pos == 0 && kDigraphs[r].first == "W") continue;
      options.emplace_back(r, pos);
    }
  }
  if (options.empty()) return false;
  const auto [r, pos] = options[rng.below(options.size())];
  token.replace(pos, kDigraphs[r].first.size(), kDigraphs[r].second);
  return true;
}

constexpr sv kKeyboardRows[] = {"QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"};

char neighbour(char c, Rng& rng) {
  for (int row = 0; row < 3; ++row) {
    const sv r = kKeyboardRows[row];
    const auto pos = r.find(c);
    if (pos == sv::npos) continue;
    if (pos == 0) return r[1];
    if (pos + 1 == r.size()) return r[pos - 1];
    return rng.chance(0.5) ? r[pos - 1] : r[pos + 1];
  }
  return c;
}

// One edit, as a hurried typist makes it: a neighbouring key, a dropped, doubled or swapped letter.
bool typo_token(std::string& t, Rng& rng, bool upper) {
  if (t.size() < 4) return false;
  std::size_t pos = 1 + static_cast<std::size_t>(rng.below(t.size() - 2));  // never the first letter
  auto is_letter = [&](char c) { return upper ? (c >= 'A' && c <= 'Z') : ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')); };
  if (!is_letter(t[pos])) return false;
  switch (rng.below(4)) {
    case 0: {
      const bool lower = t[pos] >= 'a' && t[pos] <= 'z';
      char c = lower ? static_cast<char>(t[pos] - 'a' + 'A') : t[pos];
      c = neighbour(c, rng);
      t[pos] = lower ? static_cast<char>(c - 'A' + 'a') : c;
      return true;
    }
    case 1: t.erase(pos, 1); return true;
    case 2: t.insert(pos, 1, t[pos]); return true;
    default:
      if (pos + 1 >= t.size() || t[pos] == t[pos + 1] || !is_letter(t[pos + 1])) return false;
      std::swap(t[pos], t[pos + 1]);
      return true;
  }
}

}  // namespace

std::string title_case(std::string_view upper) {
  std::string out(upper);
  bool start = true;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      if (!start) c = static_cast<char>(c - 'A' + 'a');
      start = false;
    } else {
      start = c == ' ' || c == '-' || c == '\'';
    }
  }
  return out;
}

PersonName person_name(const Culture& culture, bool female, Rng& rng) {
  const auto& given_pool = female ? culture.female : culture.male;
  PersonName n;
  n.given_names = std::string(given_pool[rng.below(given_pool.size())]);
  if (rng.chance(0.25)) {
    const sv second = given_pool[rng.below(given_pool.size())];
    if (second != n.given_names) n.given_names += " " + std::string(second);
  }
  n.surname = std::string(culture.surnames[rng.below(culture.surnames.size())]);
  if (culture.two_surnames && rng.chance(0.8)) {
    const sv second = culture.surnames[rng.below(culture.surnames.size())];
    if (second != n.surname) n.surname += " " + std::string(second);
  }
  if (female) {
    if (culture.feminine_surnames && (ends_with(n.surname, "OV") || ends_with(n.surname, "EV") || ends_with(n.surname, "IN"))) {
      n.surname += 'A';
    } else if (culture.name == "slavic" && (ends_with(n.surname, "SKI") || ends_with(n.surname, "CKI"))) {
      n.surname.back() = 'A';
    }
  }
  return n;
}

std::string company_name(const Country& country, Rng& rng) {
  std::string name;
  if (rng.chance(0.5)) {
    name = std::string(company_stems()[rng.below(company_stems().size())]);
  } else {
    const Culture& c = culture_named(country.culture);
    name = title_case(c.surnames[rng.below(c.surnames.size())]);
    if (rng.chance(0.2)) name += " & " + title_case(c.surnames[rng.below(c.surnames.size())]);
  }
  if (rng.chance(0.85)) name += " " + std::string(company_words()[rng.below(company_words().size())]);
  if (!country.legal_forms.empty()) name += " " + std::string(country.legal_forms[rng.below(country.legal_forms.size())]);
  return name;
}

std::string_view to_string(Variation v) {
  switch (v) {
    case Variation::kNone: return "none";
    case Variation::kTypo: return "typo";
    case Variation::kTransliteration: return "transliteration";
    case Variation::kSwapped: return "swapped";
    case Variation::kMiddleDropped: return "middle_dropped";
  }
  return "none";
}

std::optional<PersonName> passport_name(std::string_view listed) {
  auto folded = fold_upper(listed);
  if (!folded) return std::nullopt;
  PersonName n;
  const auto comma = folded->find(',');
  if (comma != std::string::npos) {
    n.surname = clean_passport(folded->substr(0, comma));
    n.given_names = clean_passport(folded->substr(comma + 1));
  } else {
    auto tokens = split_tokens(clean_passport(*folded));
    if (tokens.empty()) return std::nullopt;
    n.surname = tokens.back();
    tokens.pop_back();
    n.given_names = join(tokens);
  }
  if (n.surname.empty()) {
    if (n.given_names.empty()) return std::nullopt;
    std::swap(n.surname, n.given_names);
  }
  // Passports hold 39 MRZ characters of name; lists sometimes hold whole phrases.
  if (n.surname.size() + n.given_names.size() > 60) return std::nullopt;
  return n;
}

std::optional<std::string> ascii_name(std::string_view listed) {
  auto folded = fold_upper(listed);
  if (!folded) return std::nullopt;
  std::string out;
  for (char c : *folded) {
    if (static_cast<unsigned char>(c) < 0x20) continue;
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty() || out.size() > 120) return std::nullopt;
  return out;
}

Variation vary(PersonName& name, Rng& rng) {
  const double u = rng.unit();
  if (u < 0.25) return Variation::kNone;
  if (u < 0.50) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      const bool in_given = !name.given_names.empty() && rng.chance(0.5);
      auto tokens = split_tokens(in_given ? name.given_names : name.surname);
      if (tokens.empty()) continue;
      auto& t = tokens[rng.below(tokens.size())];
      if (typo_token(t, rng, true)) {
        (in_given ? name.given_names : name.surname) = join(tokens);
        return Variation::kTypo;
      }
    }
    return Variation::kNone;
  }
  if (u < 0.70) {
    auto given = split_tokens(name.given_names);
    auto surname = split_tokens(name.surname);
    std::vector<std::string*> all;
    for (auto& t : given) all.push_back(&t);
    for (auto& t : surname) all.push_back(&t);
    // Try tokens in a random rotation until one has another spelling.
    const std::size_t start = all.empty() ? 0 : static_cast<std::size_t>(rng.below(all.size()));
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (transliterate_token(*all[(start + k) % all.size()], rng)) {
        name.given_names = join(given);
        name.surname = join(surname);
        return Variation::kTransliteration;
      }
    }
    return Variation::kNone;
  }
  if (u < 0.85) {
    if (name.given_names.empty()) return Variation::kNone;
    std::swap(name.given_names, name.surname);
    return Variation::kSwapped;
  }
  auto given = split_tokens(name.given_names);
  if (given.size() >= 2) {
    given.erase(given.begin() + 1 + static_cast<std::ptrdiff_t>(rng.below(given.size() - 1)));
    name.given_names = join(given);
    return Variation::kMiddleDropped;
  }
  auto surname = split_tokens(name.surname);
  if (surname.size() >= 2 && !given.empty()) {
    surname.pop_back();
    name.surname = join(surname);
    return Variation::kMiddleDropped;
  }
  return Variation::kNone;
}

Variation vary(std::string& name, Rng& rng) {
  const double u = rng.unit();
  auto tokens = split_tokens(name);
  if (u < 0.4 || tokens.empty()) return Variation::kNone;
  if (u < 0.7) {
    for (int attempt = 0; attempt < 4; ++attempt) {
      auto& t = tokens[rng.below(tokens.size())];
      if (typo_token(t, rng, false)) {
        name = join(tokens);
        return Variation::kTypo;
      }
    }
    return Variation::kNone;
  }
  if (u < 0.8) {
    const std::size_t start = static_cast<std::size_t>(rng.below(tokens.size()));
    for (std::size_t k = 0; k < tokens.size(); ++k) {
      if (transliterate_token(tokens[(start + k) % tokens.size()], rng)) {
        name = join(tokens);
        return Variation::kTransliteration;
      }
    }
    return Variation::kNone;
  }
  if (tokens.size() >= 3) {
    // Declarants drop a word, often the legal form at the end.
    tokens.erase(rng.chance(0.6) ? tokens.end() - 1 : tokens.begin() + 1 + static_cast<std::ptrdiff_t>(rng.below(tokens.size() - 2)));
    name = join(tokens);
    return Variation::kMiddleDropped;
  }
  return Variation::kNone;
}

}  // namespace crosscheck::loadgen
