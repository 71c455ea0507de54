#include "crosscheck/rules/name_similarity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace crosscheck::rules {

// ---------------------------------------------------------------------------------------------
// Jaro-Winkler

double jaro_winkler(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  if (a.size() > b.size()) std::swap(a, b);  // a is the shorter
  const std::size_t la = a.size(), lb = b.size();
  const std::size_t window = lb / 2 > 0 ? lb / 2 - 1 : 0;

  // Names are short; fixed buffers avoid allocation, longer inputs fall back to vectors.
  constexpr std::size_t kStack = 64;
  std::array<bool, kStack> ma_buf{}, mb_buf{};
  bool* ma = ma_buf.data();
  bool* mb = mb_buf.data();
  std::unique_ptr<bool[]> ma_heap, mb_heap;
  if (lb > kStack) {
    ma_heap = std::make_unique<bool[]>(la);
    mb_heap = std::make_unique<bool[]>(lb);
    ma = ma_heap.get();
    mb = mb_heap.get();
  }

  std::size_t matches = 0;
  for (std::size_t i = 0; i < la; ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, lb);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!mb[j] && a[i] == b[j]) {
        ma[i] = mb[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;

  std::size_t transpositions = 0;
  for (std::size_t i = 0, j = 0; i < la; ++i) {
    if (!ma[i]) continue;
    while (!mb[j]) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const double jaro =
      (m / static_cast<double>(la) + m / static_cast<double>(lb) + (m - static_cast<double>(transpositions) / 2.0) / m) /
      3.0;

  std::size_t prefix = 0;
  while (prefix < 4 && prefix < la && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

// ---------------------------------------------------------------------------------------------
// Phonetic key
//
// Built for the ways English spells names transliterated from Arabic, Russian, Hebrew, Korean and
// Chinese rather than for English spelling itself (Soundex/Metaphone):
//   * vowels carry little information across transliterations (Mohammed/Muhammad,
//     Osama/Usama, Abdel/Abdul), so they are dropped; a word-initial vowel leaves one marker 'a';
//   * consonant digraphs of the common schemes collapse to one class: kh->h, ph->f, th->t,
//     dh->d, gh->g, sh/sch/shch->x, ch/tch/tsh/tsch/cz->c, zh/dzh/dj/dz/j->j, ts/tz/z/soft c->s,
//     x->ks, ck/q/hard c/g->k, v/f/word-initial w->f, p->b (Arabic writes p as b);
//   * y and w are vowels inside a word (Husayn/Hussein, Sergey/Sergei, Marwan/Maruan), initial
//     y/j/i+vowel is
//     the consonant j (Yuri/Iurii/Jurij), initial "ye" is a vowel (Yevgeny/Evgeny);
//   * a j after a vowel that closes a syllable is a vowel (Sergej, Jurij, -skij);
//   * a final h is dropped (Abdullah/Abdulla), a final d is t (Ahmed/Ahmet), doubles collapse.
// Digits are kept as they are.

namespace {

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool is_vowel_or_y(char c) { return is_vowel(c) || c == 'y'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

bool starts_with(std::string_view s, std::size_t i, std::string_view p) { return s.substr(i, p.size()) == p; }

constexpr char kVowel = 'V';

}  // namespace

std::string phonetic_key(std::string_view token) {
  if (token.empty()) return {};
  // Collapse doubled letters first ("mm", "ss", "dd"). Tokens with digits are kept as they are
  // (lower-cased): numbers have no spelling variants.
  std::string t;
  t.reserve(token.size());
  bool digits = false;
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= '0' && c <= '9') digits = true;
  }
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!is_letter(c) && !(c >= '0' && c <= '9')) continue;
    if (digits || t.empty() || t.back() != c) t.push_back(c);
  }
  if (t.empty()) return {};
  if (digits) return t;
  const std::string_view tv = t;

  std::string sym;  // consonant class letters and kVowel
  sym.reserve(t.size() + 1);
  const std::size_t n = t.size();
  auto next_is_vowel = [&](std::size_t j) { return j < n && is_vowel_or_y(t[j]); };
  std::size_t i = 0;

  // Word-initial forms.
  if (starts_with(tv, 0, "ye")) {
    sym.push_back(kVowel);  // Yevgeny / Evgeny, Yelena / Elena
    i = 1;
  } else if ((t[0] == 'y' || t[0] == 'j') && next_is_vowel(1)) {
    sym.push_back('j');
    i = 1;
  } else if (t[0] == 'i' && n > 1 && (t[1] == 'a' || t[1] == 'o' || t[1] == 'u')) {
    sym.push_back('j');  // Iurii, Iakov, Ioann
    i = 1;
  } else if (t[0] == 'w') {
    sym.push_back('f');
    i = starts_with(tv, 0, "wh") ? 2 : 1;
  } else if (starts_with(tv, 0, "chr")) {
    sym.push_back('k');  // Christopher, Christos
    i = 2;
  }

  while (i < n) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      sym.push_back(c);
      ++i;
      continue;
    }
    if (is_vowel(c)) {
      sym.push_back(kVowel);
      ++i;
      continue;
    }
    // Longest digraphs first.
    if (starts_with(tv, i, "shch") || starts_with(tv, i, "sch")) {
      sym.push_back('x');
      i += starts_with(tv, i, "shch") ? 4 : 3;
      continue;
    }
    if (starts_with(tv, i, "tsch")) { sym.push_back('c'); i += 4; continue; }
    if (starts_with(tv, i, "dzh")) { sym.push_back('j'); i += 3; continue; }
    if (starts_with(tv, i, "tch") || starts_with(tv, i, "tsh")) { sym.push_back('c'); i += 3; continue; }
    if (i + 1 < n) {
      const char d = t[i + 1];
      if (d == 'h') {
        char code = 0;
        switch (c) {
          case 's': code = 'x'; break;
          case 'c': code = 'c'; break;
          case 'k': code = 'h'; break;
          case 'z': code = 'j'; break;
          case 'p': code = 'f'; break;
          case 't': code = 't'; break;
          case 'd': code = 'd'; break;
          case 'g': code = 'k'; break;
          default: break;
        }
        if (code) {
          sym.push_back(code);
          i += 2;
          continue;
        }
      }
      if ((c == 'd' && (d == 'j' || d == 'z')) ) { sym.push_back('j'); i += 2; continue; }
      if (c == 't' && (d == 's' || d == 'z')) { sym.push_back('s'); i += 2; continue; }
      if (c == 'c' && (d == 'k' || d == 'q')) { sym.push_back('k'); i += 2; continue; }
      if (c == 'c' && d == 'z') { sym.push_back('c'); i += 2; continue; }
    }
    const bool at_start = i == 0;
    const bool prev_vowel = !sym.empty() && sym.back() == kVowel;
    switch (c) {
      case 'b': case 'p': sym.push_back('b'); break;  // Arabic has no p: Pakistan -> باكستان
      case 'c': sym.push_back(i + 1 < n && (t[i + 1] == 'e' || t[i + 1] == 'i' || t[i + 1] == 'y') ? 's' : 'k'); break;
      case 'd': sym.push_back('d'); break;
      case 'f': case 'v': sym.push_back('f'); break;
      case 'g': case 'k': case 'q': sym.push_back('k'); break;
      case 'h': sym.push_back('h'); break;
      case 'j':
        // Closing a syllable after a vowel it is the vowel glide (Sergej, Jurij, -skij).
        if (prev_vowel && !next_is_vowel(i + 1)) {
          sym.push_back(kVowel);
        } else {
          sym.push_back('j');
        }
        break;
      case 'l': sym.push_back('l'); break;
      case 'm': sym.push_back('m'); break;
      case 'n': sym.push_back('n'); break;
      case 'r': sym.push_back('r'); break;
      case 's': case 'z': sym.push_back('s'); break;
      case 't': sym.push_back('t'); break;
      case 'w':
        // Inside a word a glide: Marwan/Maruan, Dawood/Daud, Bristow, Dwayne/Duane.
        sym.push_back(at_start ? 'f' : kVowel);
        break;
      case 'x': sym.push_back('k'); sym.push_back('s'); break;
      case 'y': sym.push_back(at_start ? 'j' : kVowel); break;
      default: break;
    }
    ++i;
  }

  // Final h dropped, final d -> t (looking past trailing vowels for h: Abdullah/Abdulla).
  while (!sym.empty() && sym.back() == 'h') sym.pop_back();
  if (!sym.empty() && sym.back() == 'd') sym.back() = 't';

  std::string key;
  key.reserve(sym.size());
  for (std::size_t k = 0; k < sym.size(); ++k) {
    const char s = sym[k];
    if (s == kVowel) {
      if (k == 0) key.push_back('a');
      continue;
    }
    // Doubles collapse only when adjacent in the word ("ts"+"s"), not across a vowel.
    if (k > 0 && sym[k - 1] == s) continue;
    key.push_back(s);
  }
  if (key.empty()) key.push_back('a');
  return key;
}

// ---------------------------------------------------------------------------------------------
// Token comparison

TokenSimilarity compare_tokens(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return {0.0, "unmatched"};
  if (a == b) return {1.0, "exact"};
  return compare_tokens(a, phonetic_key(a), b, phonetic_key(b));
}

TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b) {
  if (a.empty() || b.empty()) return {0.0, "unmatched"};
  if (a == b) return {1.0, "exact"};
  const auto is_initial = [](std::string_view t) { return t.size() == 1 && is_letter(t[0]); };
  if (is_initial(a) || is_initial(b)) {
    if (a[0] == b[0] && is_letter(a[0])) return {0.6, "initial"};
    return {0.0, "unmatched"};
  }
  // Numbers in names ("Trading House 3", "MV LISTED 12", "Agent 007") are identifiers, not
  // spellings: 3 and 13 are different, however close the strings are.
  const auto has_digit = [](std::string_view t) {
    return std::any_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (has_digit(a) || has_digit(b)) return {0.0, "unmatched"};
  if (are_nicknames(a, b)) return {0.9, "nickname"};

  const double jw = jaro_winkler(a, b);
  double score = jw;
  std::string_view how = "typo";
  if (!key_a.empty() && key_a == key_b) {
    // Short keys ("al", "mr") say less: raise them less.
    const double floor = key_a.size() >= 3 ? 0.88 : 0.8;
    if (floor >= jw) {
      score = floor;
      how = "phonetic";
    } else if (jw < 1.0) {
      how = "phonetic";
    }
  }
  if (score < 0.75) return {0.0, "unmatched"};
  return {score, how};
}

}  // namespace crosscheck::rules
