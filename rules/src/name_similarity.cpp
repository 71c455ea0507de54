#include "crosscheck/rules/name_similarity.h"

#include <algorithm>
#include <array>
#include <bit>
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

  std::size_t matches = 0, transpositions = 0;
  if (lb <= 64) {
    // Names are short, and the matcher compares many of them per query: the positions of each
    // byte in b are a bit mask, so the first unmatched b[j] == a[i] inside i's window (the one
    // the scan below takes) is the lowest bit of an AND, and no buffer is cleared per call.
    // Only the entries of bytes in a or b are read, so only those are set.
    std::array<std::uint64_t, 256> at;
    for (const char c : a) at[static_cast<unsigned char>(c)] = 0;
    for (const char c : b) at[static_cast<unsigned char>(c)] = 0;
    for (std::size_t j = 0; j < lb; ++j) at[static_cast<unsigned char>(b[j])] |= std::uint64_t{1} << j;
    const auto below = [](std::size_t n) { return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1; };
    std::uint64_t used_b = 0, matched_a = 0;
    for (std::size_t i = 0; i < la; ++i) {
      const std::size_t lo = i > window ? i - window : 0;
      const std::size_t hi = std::min(i + window + 1, lb);
      const std::uint64_t free = at[static_cast<unsigned char>(a[i])] & below(hi) & ~below(lo) & ~used_b;
      // Without a branch: whether a character matches is data the branch predictor cannot learn.
      used_b |= free & (~free + 1);
      matched_a |= static_cast<std::uint64_t>(free != 0) << i;
      matches += free != 0;
    }
    if (matches == 0) return 0.0;
    // Matched characters of a and of b, each in order: a mismatch is a transposition.
    for (std::uint64_t ma = matched_a, mb = used_b; ma != 0; ma &= ma - 1, mb &= mb - 1) {
      transpositions += a[static_cast<std::size_t>(std::countr_zero(ma))] != b[static_cast<std::size_t>(std::countr_zero(mb))];
    }
  } else {
    // Longer inputs (garbage, not names): the plain scan, with flags on the heap.
    const std::unique_ptr<bool[]> ma = std::make_unique<bool[]>(la);
    const std::unique_ptr<bool[]> mb = std::make_unique<bool[]>(lb);
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
    for (std::size_t i = 0, j = 0; i < la; ++i) {
      if (!ma[i]) continue;
      while (!mb[j]) ++j;
      if (a[i] != b[j]) ++transpositions;
      ++j;
    }
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
//     dh->d, gh->g, sh/sch/shch/ch/tch/tsh/tsch/cz->c (one class: French and Portuguese ch is
//     sh, and Arabic and Hebrew write it so: Bouchard/بوشار, Chango/شانغو), zh/dzh/dj/dz/j->j,
//     ts/tz/z/soft c->s, x->ks, ck/q/hard c/g->k, v/f/word-initial w->f, p->b (Arabic writes p
//     as b);
//   * y and w are vowels inside a word (Husayn/Hussein, Sergey/Sergei, Marwan/Maruan), initial
//     y/j/i+vowel is the consonant j (Yuri/Iurii/Jurij), initial "ye" is a vowel (Yevgeny/Evgeny);
//   * a j after a vowel that closes a syllable is a vowel (Sergej, Jurij, -skij);
//   * a final h is dropped (Abdullah/Abdulla), a final d is t (Ahmed/Ahmet), doubles collapse.
// The vowels are not in the key, but compare_tokens looks at them when two keys agree
// (vowel_fit): an abjad leaves vowels out, it does not write different ones.
// Digits are kept as they are.

namespace {

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool is_vowel_or_y(char c) { return is_vowel(c) || c == 'y'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

// A plain loop: the digraph tests run for every letter, and a memcmp call per test dominated
// the cost of the key.
bool starts_with(std::string_view s, std::size_t i, std::string_view p) {
  if (i + p.size() > s.size()) return false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (s[i + k] != p[k]) return false;
  }
  return true;
}

// Vowels are kept in the symbol string as upper-case letters so that the comparison can look at
// them (vowel_fit below); the key itself drops them.
bool is_vowel_sym(char s) { return s >= 'A' && s <= 'Z'; }
char vowel_sym(char c) { return static_cast<char>(c - 'a' + 'A'); }

// The symbol string behind the key: consonant classes (lower case) and vowels (upper case; a
// glide y/w/j inside a word is 'I' or 'U'). Returns false for a token with digits or no letters,
// whose key is `t` itself (lower-cased, doubles kept).
// Writes into a buffer sized beforehand: std::string::push_back was not inlined, and the key of
// every query token and every compared token is built a character at a time.
struct Appender {
  char* begin;
  char* end;
  void push_back(char c) { *end++ = c; }
  bool empty() const { return end == begin; }
  char& back() { return end[-1]; }
  void pop_back() { --end; }
  std::size_t size() const { return static_cast<std::size_t>(end - begin); }
};

bool phonetic_symbols(std::string_view token, std::string& t, std::string& sym) {
  // Collapse doubled letters first ("mm", "ss", "dd"). Tokens with digits are kept as they are
  // (lower-cased): numbers have no spelling variants.
  t.resize(token.size());
  Appender tt{t.data(), t.data()};
  bool digits = false;
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= '0' && c <= '9') digits = true;
  }
  for (char c : token) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!is_letter(c) && !(c >= '0' && c <= '9')) continue;
    if (digits || tt.empty() || tt.back() != c) tt.push_back(c);
  }
  t.resize(tt.size());
  sym.clear();
  if (t.empty() || digits) return false;
  const std::string_view tv = t;
  sym.resize(2 * t.size() + 2);  // at most two symbols a letter (x: ks)
  Appender out{sym.data(), sym.data()};
  const std::size_t n = t.size();
  auto next_is_vowel = [&](std::size_t j) { return j < n && is_vowel_or_y(t[j]); };
  std::size_t i = 0;

  // Word-initial forms.
  if (starts_with(tv, 0, "ye")) {
    out.push_back('E');  // Yevgeny / Evgeny, Yelena / Elena
    i = 1;
  } else if ((t[0] == 'y' || t[0] == 'j') && next_is_vowel(1)) {
    out.push_back('j');
    i = 1;
  } else if (t[0] == 'i' && n > 1 && (t[1] == 'a' || t[1] == 'o' || t[1] == 'u')) {
    out.push_back('j');  // Iurii, Iakov, Ioann
    i = 1;
  } else if (t[0] == 'w') {
    out.push_back('f');
    i = starts_with(tv, 0, "wh") ? 2 : 1;
  } else if (starts_with(tv, 0, "chr")) {
    out.push_back('k');  // Christopher, Christos
    i = 2;
  }

  while (i < n) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (is_vowel(c)) {
      out.push_back(vowel_sym(c));
      ++i;
      continue;
    }
    // Longest digraphs first.
    if (starts_with(tv, i, "shch") || starts_with(tv, i, "sch")) {
      out.push_back('c');
      i += starts_with(tv, i, "shch") ? 4 : 3;
      continue;
    }
    if (starts_with(tv, i, "tsch")) { out.push_back('c'); i += 4; continue; }
    if (starts_with(tv, i, "dzh")) { out.push_back('j'); i += 3; continue; }
    if (starts_with(tv, i, "tch") || starts_with(tv, i, "tsh")) { out.push_back('c'); i += 3; continue; }
    if (i + 1 < n) {
      const char d = t[i + 1];
      if (d == 'h') {
        char code = 0;
        switch (c) {
          case 's': code = 'c'; break;
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
          out.push_back(code);
          i += 2;
          continue;
        }
      }
      if ((c == 'd' && (d == 'j' || d == 'z')) ) { out.push_back('j'); i += 2; continue; }
      if (c == 't' && (d == 's' || d == 'z')) { out.push_back('s'); i += 2; continue; }
      if (c == 'c' && (d == 'k' || d == 'q')) { out.push_back('k'); i += 2; continue; }
      if (c == 'c' && d == 'z') { out.push_back('c'); i += 2; continue; }
    }
    const bool at_start = i == 0;
    const bool prev_vowel = !out.empty() && is_vowel_sym(out.back());
    switch (c) {
      case 'b': case 'p': out.push_back('b'); break;  // Arabic has no p: Pakistan -> باكستان
      case 'c': out.push_back(i + 1 < n && (t[i + 1] == 'e' || t[i + 1] == 'i' || t[i + 1] == 'y') ? 's' : 'k'); break;
      case 'd': out.push_back('d'); break;
      case 'f': case 'v': out.push_back('f'); break;
      case 'g': case 'k': case 'q': out.push_back('k'); break;
      case 'h': out.push_back('h'); break;
      case 'j':
        // Closing a syllable after a vowel it is the vowel glide (Sergej, Jurij, -skij).
        if (prev_vowel && !next_is_vowel(i + 1)) {
          out.push_back('I');
        } else {
          out.push_back('j');
        }
        break;
      case 'l': out.push_back('l'); break;
      case 'm': out.push_back('m'); break;
      case 'n': out.push_back('n'); break;
      case 'r': out.push_back('r'); break;
      case 's': case 'z': out.push_back('s'); break;
      case 't': out.push_back('t'); break;
      case 'w':
        // Inside a word a glide: Marwan/Maruan, Dawood/Daud, Bristow, Dwayne/Duane.
        out.push_back(at_start ? 'f' : 'U');
        break;
      case 'x': out.push_back('k'); out.push_back('s'); break;
      case 'y': out.push_back(at_start ? 'j' : 'I'); break;
      default: break;
    }
    ++i;
  }

  // Final h dropped, final d -> t (Abdullah/Abdulla, Ahmed/Ahmet).
  while (!out.empty() && out.back() == 'h') out.pop_back();
  if (!out.empty() && out.back() == 'd') out.back() = 't';
  sym.resize(out.size());
  return true;
}

// How well the vowels of two tokens with the same key agree, slot by slot (the vowels before
// the first consonant class, between two classes, after the last). Abjad transliterations
// (Arabic, Hebrew) leave short vowels out, so an empty slot on one side is no disagreement; a
// slot where both sides write vowels of different qualities is (mohammed/mahmoud,
// hassan/hussein, cardona/kardan).
struct VowelFit {
  int agree = 0;     // slots where both sides write compatible vowels
  int conflict = 0;  // slots where both write vowels and none are compatible, and see below
};

bool vowels_compatible(char x, char y) {
  if (x == y) return true;
  const auto pair = [&](char p, char q) { return (x == p && y == q) || (x == q && y == p); };
  // e/i and o/u are the pairs transliterations swap (Sergei/Sergiy, Yusuf/Yosef); a/e is not
  // (Telles/Tlas, Singer/Sinnghar are different names).
  return pair('E', 'I') || pair('O', 'U');
}

// Splits `sym` into vowel slots the way the key is built (adjacent equal classes are one).
void vowel_slots(std::string_view sym, std::array<std::string_view, 24>& slots, std::size_t& count) {
  count = 0;
  std::size_t begin = 0;
  for (std::size_t k = 0; k <= sym.size(); ++k) {
    const bool end = k == sym.size();
    if (!end && is_vowel_sym(sym[k])) continue;
    if (!end && k > 0 && sym[k - 1] == sym[k]) {
      begin = k + 1;
      continue;
    }
    if (count < slots.size()) slots[count++] = sym.substr(begin, k - begin);
    begin = k + 1;
  }
}

VowelFit vowel_fit(std::string_view sa, std::string_view sb) {
  VowelFit f;
  std::array<std::string_view, 24> va, vb;
  std::size_t na = 0, nb = 0;
  vowel_slots(sa, va, na);
  vowel_slots(sb, vb, nb);
  if (na != nb) {
    f.conflict = 1;
    return f;
  }
  int gaps_a = 0, gaps_b = 0;  // slots only a (only b) writes a vowel in
  for (std::size_t k = 0; k < na; ++k) {
    if (va[k].empty() && vb[k].empty()) continue;
    if (va[k].empty() || vb[k].empty()) {
      const std::string_view written = va[k].empty() ? vb[k] : va[k];
      ++(va[k].empty() ? gaps_b : gaps_a);
      // Abjads write final vowels (alef, waw, yod); only a silent English e goes unwritten.
      if (k + 1 == na && k > 0 && written != "E") ++f.conflict;
      continue;
    }
    bool ok = false;
    for (char x : va[k]) {
      for (char y : vb[k]) ok = ok || vowels_compatible(x, y);
    }
    // English a for the sound "ei" (Larkindale, James) is written ey / ei in Russian.
    const auto ei_for_a = [](std::string_view x, std::string_view y) {
      return x == "A" && y.find("EI") != std::string_view::npos;
    };
    ok = ok || ei_for_a(va[k], vb[k]) || ei_for_a(vb[k], va[k]);
    ++(ok ? f.agree : f.conflict);
  }
  // A skeleton leaves vowels out; it does not add them where the full spelling has none.
  if (gaps_a > 0 && gaps_b > 0) ++f.conflict;
  return f;
}

}  // namespace

std::string phonetic_key(std::string_view token) {
  if (token.empty()) return {};
  std::string t, sym;
  if (!phonetic_symbols(token, t, sym)) return t;

  std::string key;
  key.reserve(sym.size());
  for (std::size_t k = 0; k < sym.size(); ++k) {
    const char s = sym[k];
    if (is_vowel_sym(s)) {
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

constexpr double kNicknameScore = 0.9;
constexpr double kArticleScore = 0.9;
constexpr double kPhoneticStrong = 0.95;
constexpr double kPhoneticFloor = 0.88;
constexpr double kPhoneticShortFloor = 0.8;

TokenSimilarity compare_tokens(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return {0.0, "unmatched"};
  if (a == b) return {1.0, "exact"};
  return compare_tokens(a, phonetic_key(a), b, phonetic_key(b));
}

TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b) {
  return compare_tokens(a, key_a, b, key_b, true);
}

namespace {

bool has_article(std::string_view t) { return t.size() >= 6 && (t.starts_with("al") || t.starts_with("el")); }

}  // namespace

bool article_variants(std::string_view a, std::string_view b) {
  std::string_view with = a, without = b;
  if (!has_article(with)) std::swap(with, without);
  return has_article(with) && !has_article(without) && !without.starts_with(with.substr(0, 2));
}

namespace {

// compare_tokens; `nicknames()` says whether the two tokens are nicknames of one name, asked only
// when that can change the result.
template <typename Nicknames>
TokenSimilarity compare_with(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b,
                             Nicknames&& nicknames, double known_jw = -1) {
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
  const double jw = known_jw >= 0 ? known_jw : jaro_winkler(a, b);
  double score = jw;
  std::string_view how = "typo";
  if (!key_a.empty() && key_a == key_b) {
    // Short keys ("al", "mr") say less: raise them less. Keys of 4+ consonant classes whose
    // vowels fit (vowel_fit), or of 3 with two agreeing vowel slots, are near certain: raised to
    // kPhoneticStrong, which is what lets a single token carry a cross-script match.
    double floor = key_a.size() >= 3 ? kPhoneticFloor : kPhoneticShortFloor;
    // The vowels are looked at only when they can change the result (they cost two passes
    // over the tokens): a key of 2+ consonant classes, and Jaro-Winkler below the strong score.
    const std::size_t consonants = key_a.size() - (key_a[0] == 'a' ? 1 : 0);  // 'a' marks an initial vowel
    if (consonants >= 2 && jw < kPhoneticStrong) {
      // Reused: no allocation per comparison. A caller compares one token with many (the matcher:
      // a query token with the listed tokens of its candidates), so a's symbols are kept for the
      // next call.
      thread_local std::string ta, sa, tb, sb, last_a;
      if (a != last_a || ta.empty()) {
        phonetic_symbols(a, ta, sa);
        last_a.assign(a);
      }
      phonetic_symbols(b, tb, sb);
      const VowelFit fit = vowel_fit(sa, sb);
      // Identical symbols (only y/i, w/u, doubled letters or digraph spellings differ:
      // ivailo/ivaylo, kily/kili) are as good as a long key.
      const bool same_symbols = sa == sb;
      if (same_symbols || (fit.conflict == 0 && (consonants >= 4 || (consonants == 3 && fit.agree >= 2)))) {
        floor = kPhoneticStrong;
      } else if (fit.conflict == 0 && consonants == 2 && fit.agree >= 2) {
        floor = kPhoneticFloor;
      }
    }
    if (floor >= jw) {
      score = floor;
      how = "phonetic";
    } else if (jw < 1.0) {
      how = "phonetic";
    }
  }
  // A nickname scores 0.9, unless the spelling itself says more (a phonetic match whose vowels
  // fit scores higher). The nickname table is consulted only when it can change the result: it
  // costs two phonetic keys per call.
  if (score < kNicknameScore && nicknames()) return {kNicknameScore, "nickname"};
  // The Arabic article written on to the name ("alsobakhi", "el-Masri", Arabic script
  // "السباخي" -> "alsbakhi") against the name without it: the same family name when the rest
  // matches exactly or strongly; capped at the nickname score, since an article is still a
  // difference (and Albright/Bright exist).
  if (score < kArticleScore && article_variants(a, b)) {
    std::string_view with = a, without = b;
    if (!has_article(with)) std::swap(with, without);
    const std::string_view rest = with.substr(2);
    const TokenSimilarity r = compare_tokens(rest, phonetic_key(rest), without, phonetic_key(without));
    if ((r.how == "exact" || r.how == "phonetic") && r.score >= kPhoneticStrong) return {kArticleScore, "phonetic"};
  }
  if (score < 0.75) return {0.0, "unmatched"};
  return {score, how};
}

}  // namespace

TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b,
                               bool check_nicknames) {
  return compare_with(a, key_a, b, key_b, [&] { return check_nicknames && are_nicknames(a, b); });
}

TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::span<const std::string_view> nicks_a,
                               std::string_view b, std::string_view key_b, std::span<const std::string_view> nicks_b,
                               bool check_nicknames, double known_jw) {
  return compare_with(a, key_a, b, key_b, [&] { return check_nicknames && share_nickname(nicks_a, nicks_b); }, known_jw);
}

}  // namespace crosscheck::rules
