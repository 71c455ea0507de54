#include "crosscheck/rules/name_tokens.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crosscheck/ascii.h"

namespace crosscheck::rules {
namespace {

using ascii::is_ascii;
constexpr auto ascii_alnum = ascii::is_alnum;
constexpr auto ascii_lower = ascii::to_lower;

// ---------------------------------------------------------------------------------------------
// Word lists. Sorted so lookups are a binary search over string_views (no allocation).

constexpr std::array kHonorifics = std::to_array<std::string_view>({
    "admiral", "ayatollah", "brig", "brigadier", "capt", "captain", "cdr", "col", "colonel",
    "commander", "cpt", "doctor", "dr", "gen", "general", "hadji", "haj", "haji", "hajj", "hajji",
    "hon", "imam", "lieut", "lt", "madam", "madame", "maj", "major", "maulana", "maulvi", "miss",
    "mlle", "mme", "mr", "mrs", "ms", "mufti", "mullah", "prof", "professor", "rev", "reverend",
    "sgt", "shaikh", "shaykh", "sheik", "sheikh", "sir",
});

// Legal forms of companies and connectors: kept (they help ranking) but never evidence.
constexpr std::array kWeak = std::to_array<std::string_view>({
    "ab", "ag", "aktiengesellschaft", "and", "as", "bhd", "bv", "cjsc", "co", "company", "corp", "corporation", "de",
    "del", "der", "des", "et", "fzc", "fzco", "fze", "fzllc", "gmbh", "inc",
    "incorporated", "jsc", "kft", "kg", "limited", "llc", "llp", "lp", "ltd", "nv",
    "oao", "of", "ojsc", "ooo", "oy", "pjsc", "plc", "pte", "pty", "pvt", "sa", "sarl", "sas",
    "sdn", "spa", "srl", "the", "und", "y", "zao",
});

// Two-word honorifics ("h e" is what "H.E." tokenises to when the dots are spaced).
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kHonorificPairs = {{
    {"h", "e"}, {"his", "excellency"}, {"her", "excellency"}, {"his", "highness"},
    {"her", "highness"}, {"his", "majesty"},
}};

static_assert(std::is_sorted(kHonorifics.begin(), kHonorifics.end()));
static_assert(std::is_sorted(kWeak.begin(), kWeak.end()));

template <std::size_t N>
bool in_sorted(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::binary_search(list.begin(), list.end(), s);
}

// ---------------------------------------------------------------------------------------------
// Transliteration (non-ASCII input only).

// Arabic script (with the common Persian and Urdu letters): ICU's Arabic-Latin gives ta marbuta
// as "t" and BGN leaves hamza seats behind; this table gives the consonant skeleton English
// spellings are built on ("محمد" -> "mhmd", "أسامة" -> "asama", "علي" -> "ali"). Medial waw/yeh
// become vowels, which is how English spells them in names (Mahmoud, Hussein).
constexpr std::string_view kArabicRules = R"(
[^[:L:][:M:]] { و > w ;
^ و > w ;
[^[:L:][:M:]] { ي > y ;
^ ي > y ;
[^[:L:][:M:]] { ی > y ;
^ ی > y ;
ا > a ; أ > a ; إ > i ; آ > a ; ٱ > a ; ء > ; ؤ > ; ئ > ;
ب > b ; ت > t ; ث > th ; ج > j ; ح > h ; خ > kh ; د > d ; ذ > dh ; ر > r ; ز > z ;
س > s ; ش > sh ; ص > s ; ض > d ; ط > t ; ظ > z ; ع > a ; غ > gh ; ف > f ; ق > q ;
ك > k ; ل > l ; م > m ; ن > n ; ه > h ; ة > a ; و > u ; ي > i ; ى > a ; ـ > ;
َ > a ; ُ > u ; ِ > i ; ً > ; ٌ > ; ٍ > ; ْ > ; ّ > ; ٰ > a ;
پ > p ; چ > ch ; ژ > zh ; گ > g ; ک > k ; ی > i ; ە > h ; ھ > h ; ۀ > a ;
ٹ > t ; ڈ > d ; ڑ > r ; ں > n ; ے > e ; ۃ > a ;
، > ',' ; ؛ > ';' ; ؟ > '?' ;
)";

// Hebrew: ICU's Hebrew-Latin is a letter-for-letter scheme (ש -> s, פ -> p, no geresh); this
// table follows how English spells Hebrew and Hebrew-written names: geresh letters (ג' -> j,
// צ' -> ch, ז' -> zh), ש -> sh, פ -> f inside a word, vav/yod as vowels inside a word,
// final he as "a", final bet as "v" (Hebrew writes -ov, -ev, -av that way: Samadov, Lev, Aviv).
constexpr std::string_view kHebrewRules = R"(
ג [\u0027\u05F3\u2019] > j ;
צ [\u0027\u05F3\u2019] > ch ;
ץ [\u0027\u05F3\u2019] > ch ;
ז [\u0027\u05F3\u2019] > zh ;
ת [\u0027\u05F3\u2019] > th ;
וו > v ;
[^[:L:][:M:]] { ו > v ;
^ ו > v ;
[^[:L:][:M:]] { י > y ;
^ י > y ;
[^[:L:][:M:]] { פ > p ;
^ פ > p ;
ב } [^[:L:][:M:]] > v ;
ב } $ > v ;
ה } [^[:L:][:M:]] > a ;
ה } $ > a ;
א > a ; ב > b ; ג > g ; ד > d ; ה > h ; ו > u ; ז > z ; ח > kh ; ט > t ; י > i ; כ > k ;
ך > kh ; ל > l ; מ > m ; ם > m ; נ > n ; ן > n ; ס > s ; ע > a ; פ > f ; ף > f ; צ > ts ;
ץ > ts ; ק > k ; ר > r ; ש > sh ; ת > t ; [\u0591-\u05C7] > ; ׳ > ; ״ > ;
)";

std::unique_ptr<icu::Transliterator> make_translit(const char* id) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError perr;
  std::unique_ptr<icu::Transliterator> t(
      icu::Transliterator::createInstance(icu::UnicodeString(id, -1, US_INV), UTRANS_FORWARD, perr, status));
  if (U_FAILURE(status)) return nullptr;
  return t;
}

std::unique_ptr<icu::Transliterator> make_rules(const char* id, std::string_view rules) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError perr;
  std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createFromRules(
      icu::UnicodeString(id, -1, US_INV),
      icu::UnicodeString::fromUTF8(icu::StringPiece(rules.data(), static_cast<int32_t>(rules.size()))),
      UTRANS_FORWARD, perr, status));
  if (U_FAILURE(status)) return nullptr;
  return t;
}

// ICU transliterators are not safe to share between threads, and building one parses rule
// tables (milliseconds): each thread builds its set once, on first non-ASCII name. A missing
// transform (an ICU built without its data) falls back to Any-Latin.
struct Transliterators {
  std::unique_ptr<icu::Transliterator> cyrillic = make_translit("Russian-Latin/BGN");
  std::unique_ptr<icu::Transliterator> arabic = make_rules("Crosscheck-Arabic-Latin", kArabicRules);
  std::unique_ptr<icu::Transliterator> hebrew = make_rules("Crosscheck-Hebrew-Latin", kHebrewRules);
  std::unique_ptr<icu::Transliterator> greek = make_translit("Greek-Latin/UNGEGN");
  std::unique_ptr<icu::Transliterator> han = make_translit("Han-Latin/Names");
  std::unique_ptr<icu::Transliterator> hangul = make_translit("Hangul-Latin");
  std::unique_ptr<icu::Transliterator> any = make_translit("Any-Latin");
  std::unique_ptr<icu::Transliterator> latin_ascii = make_translit("Latin-ASCII");
};

Transliterators& transliterators() {
  thread_local Transliterators t;
  return t;
}

void apply(icu::Transliterator* t, icu::UnicodeString& s) {
  if (t) t->transliterate(s);
}

bool is_han(UScriptCode sc) { return sc == USCRIPT_HAN; }
bool is_hangul(UScriptCode sc) { return sc == USCRIPT_HANGUL; }

// Korean surnames as English usually spells them (Revised Romanization gives "gim", "bag", "i",
// "choe": Kim, Park, Lee, Choi are how lists and passports write them). Spellings the phonetic
// key already joins with the RR form (Jeong/Jung, Yun/Yoon) are left to it.
constexpr std::pair<char16_t, std::string_view> kKoreanSurnames[] = {
    {u'\uAC15', "kang"}, {u'\uACE0', "ko"},   {u'\uACFD', "kwak"}, {u'\uAD6C', "koo"},
    {u'\uAD8C', "kwon"}, {u'\uAE38', "kil"},  {u'\uAE40', "kim"},  {u'\uB178', "noh"},
    {u'\uB958', "ryu"},  {u'\uBB38', "moon"}, {u'\uBC15', "park"}, {u'\uBC31', "baek"},
    {u'\uBCC0', "byun"}, {u'\uC11C', "seo"},  {u'\uC1A1', "song"}, {u'\uC2E0', "shin"},
    {u'\uC2EC', "shim"}, {u'\uC548', "ahn"},  {u'\uC591', "yang"}, {u'\uC624', "oh"},
    {u'\uC6B0', "woo"},  {u'\uC720', "yoo"},  {u'\uC724', "yoon"}, {u'\uC774', "lee"},
    {u'\uC784', "lim"},  {u'\uC804', "jeon"}, {u'\uC870', "cho"},  {u'\uC8FC', "joo"},
    {u'\uCC28', "cha"},  {u'\uCD5C', "choi"}, {u'\uD558', "ha"},   {u'\uD5C8', "heo"},
    {u'\uD64D', "hong"}, {u'\uD669', "hwang"},
};

std::string_view korean_surname(UChar32 c) {
  for (const auto& [syllable, latin] : kKoreanSurnames) {
    if (static_cast<UChar32>(syllable) == c) return latin;
  }
  return {};
}

// Chinese and Korean write a personal name as one word ("习近平", "김정은"); English writes the
// one-syllable surname apart and the given name joined ("Xi Jinping", "Kim Jongun"). Runs of 2 or
// 3 syllables are split that way; other lengths stay joined. Each Han character is transliterated
// alone so Han-Latin/Names can use surname readings on the first.
void romanize_cjk_runs(icu::UnicodeString& s, Transliterators& tr) {
  icu::UnicodeString out;
  int32_t i = 0;
  const int32_t n = s.length();
  while (i < n) {
    UChar32 c = s.char32At(i);
    UErrorCode status = U_ZERO_ERROR;
    const UScriptCode sc = uscript_getScript(c, &status);
    if (!is_han(sc) && !is_hangul(sc)) {
      out.append(c);
      i += U16_LENGTH(c);
      continue;
    }
    // Collect the run of this script.
    std::vector<icu::UnicodeString> syllables;
    while (i < n) {
      c = s.char32At(i);
      status = U_ZERO_ERROR;
      if (uscript_getScript(c, &status) != sc) break;
      syllables.emplace_back(c);
      i += U16_LENGTH(c);
    }
    icu::Transliterator* t = is_han(sc) ? tr.han.get() : tr.hangul.get();
    if (!t) t = tr.any.get();
    const bool split = syllables.size() == 2 || syllables.size() == 3;
    out.append(u' ');
    for (std::size_t k = 0; k < syllables.size(); ++k) {
      icu::UnicodeString syl = syllables[k];
      const std::string_view surname = k == 0 && split && is_hangul(sc) ? korean_surname(syl.char32At(0)) : "";
      if (!surname.empty()) {
        syl = icu::UnicodeString::fromUTF8(icu::StringPiece(surname.data(), static_cast<int32_t>(surname.size())));
      } else {
        apply(t, syl);
      }
      syl.findAndReplace(u" ", u"");
      syl.findAndReplace(u"-", u"");
      out.append(syl);
      if (k == 0 && split) out.append(u' ');
    }
    out.append(u' ');
  }
  s = out;
}

// Valid UTF-8 only: invalid bytes are dropped (ICU would turn them into U+FFFD).
icu::UnicodeString decode_utf8(std::string_view in) {
  icu::UnicodeString out;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const auto len = static_cast<int32_t>(std::min<std::size_t>(in.size(), INT32_MAX));
  int32_t i = 0;
  while (i < len) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c >= 0) out.append(c);
  }
  return out;
}

std::string to_latin_ascii_uncached(std::string_view text, bool& transliterated) {
  transliterated = false;
  UErrorCode status = U_ZERO_ERROR;
  static const icu::Normalizer2* const fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString s = decode_utf8(text);
  if (fold) {
    status = U_ZERO_ERROR;
    icu::UnicodeString folded = fold->normalize(s, status);
    if (U_SUCCESS(status)) s = std::move(folded);
  }

  // Which scripts are present decides which transforms run (each costs a pass over the text).
  bool cyr = false, arab = false, hebr = false, grek = false, cjk = false, other = false;
  for (int32_t i = 0; i < s.length();) {
    const UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) continue;
    status = U_ZERO_ERROR;
    switch (uscript_getScript(c, &status)) {
      case USCRIPT_COMMON: case USCRIPT_INHERITED: case USCRIPT_LATIN: break;
      case USCRIPT_CYRILLIC: cyr = true; break;
      case USCRIPT_ARABIC: arab = true; break;
      case USCRIPT_HEBREW: hebr = true; break;
      case USCRIPT_GREEK: grek = true; break;
      case USCRIPT_HAN: case USCRIPT_HANGUL: cjk = true; break;
      default: other = true; break;
    }
  }
  transliterated = cyr || arab || hebr || grek || cjk || other;

  if (transliterated) {
    Transliterators& tr = transliterators();
    if (cjk) romanize_cjk_runs(s, tr);
    if (cyr) {
      apply(tr.cyrillic.get(), s);
      // BGN writes a middle dot to keep letters apart ("s·h" is с+х, not ш; "t·e" is тэ); it is
      // part of the word, not a separator ("стэкхауз" -> "stekkhauz", not "st ekkhauz").
      s.findAndReplace(u"\u00B7", u"");
    }
    if (arab) apply(tr.arabic ? tr.arabic.get() : tr.any.get(), s);
    if (hebr) apply(tr.hebrew ? tr.hebrew.get() : tr.any.get(), s);
    if (grek) apply(tr.greek ? tr.greek.get() : tr.any.get(), s);
    // Whatever is left (Ukrainian letters outside Russian BGN, kana, Devanagari, ...).
    apply(tr.any.get(), s);
  }
  apply(transliterators().latin_ascii.get(), s);

  std::string out;
  out.reserve(static_cast<std::size_t>(s.length()));
  for (int32_t i = 0; i < s.length();) {
    const UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) {
      out.push_back(ascii_lower(static_cast<char>(c)));
    } else if (u_isdigit(c)) {
      out.push_back(static_cast<char>('0' + u_charDigitValue(c)));
    } else if (u_isspace(c)) {
      out.push_back(' ');
    } else if (u_ispunct(c) || u_isUWhiteSpace(c)) {
      out.push_back(' ');
    }
    // Other leftovers (modifier letters such as the BGN soft-sign prime, marks) are dropped,
    // like an apostrophe inside a word.
  }
  return out;
}

// Bounded per-thread cache of non-ASCII conversions: names repeat (the same traveller, list
// entries re-indexed), transliteration costs tens of microseconds. When full it is simply
// cleared: cheap, and the working set refills it.
constexpr std::size_t kCacheEntries = 4096;
constexpr std::size_t kMaxCachedBytes = 256;

struct CachedLatin {
  std::string ascii;
  bool transliterated = false;
};

struct ViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

using LatinCache = std::unordered_map<std::string, CachedLatin, ViewHash, std::equal_to<>>;
thread_local LatinCache t_latin_cache;

const CachedLatin& latin_cached(std::string_view text) {
  LatinCache& cache = t_latin_cache;
  if (text.size() > kMaxCachedBytes) {
    // Long inputs (documents pasted into a name field) are converted but never cached: the cache
    // must stay small.
    thread_local CachedLatin large;
    large.ascii = to_latin_ascii_uncached(text, large.transliterated);
    return large;
  }
  if (auto it = cache.find(text); it != cache.end()) return it->second;
  if (cache.size() >= kCacheEntries) cache.clear();
  CachedLatin v;
  v.ascii = to_latin_ascii_uncached(text, v.transliterated);
  return cache.emplace(std::string(text), std::move(v)).first->second;
}

// ---------------------------------------------------------------------------------------------
// Tokenisation of the ASCII form. Hot path for ASCII names: the words go into one per-thread
// character buffer with (offset, length) references, so a call allocates nothing once warm.

struct WordRef {
  std::uint32_t begin = 0;
  std::uint32_t len = 0;
  bool dot_joined = false;  // directly followed by '.' and then a letter ("l.l.c.")
};

struct Scratch {
  std::string chars;
  std::vector<WordRef> words;
  std::string_view view(const WordRef& w) const { return std::string_view(chars).substr(w.begin, w.len); }
};

// Appends the words of `s` (lower-cased) to the scratch buffer. Apostrophes and hyphens inside
// a word are dropped ("O'Neil" -> "oneil", "al-Qaida" -> "alqaida"); "&" is the word "and".
void split_words(std::string_view s, Scratch& sc) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = s[i];
    if (ascii_alnum(c)) {
      WordRef w;
      w.begin = static_cast<std::uint32_t>(sc.chars.size());
      while (i < n) {
        const char d = s[i];
        if (ascii_alnum(d)) {
          sc.chars.push_back(ascii_lower(d));
          ++i;
        } else if ((d == '\'' || d == '-' || d == '`') && i + 1 < n && ascii_alnum(s[i + 1])) {
          ++i;
        } else {
          break;
        }
      }
      w.len = static_cast<std::uint32_t>(sc.chars.size()) - w.begin;
      w.dot_joined = i + 1 < n && s[i] == '.' && ascii_alnum(s[i + 1]);
      sc.words.push_back(w);
    } else {
      if (c == '&') {
        sc.words.push_back(WordRef{static_cast<std::uint32_t>(sc.chars.size()), 3, false});
        sc.chars.append("and");
      }
      ++i;
    }
  }
}

bool is_single_letter(std::string_view t) { return t.size() == 1 && t[0] >= 'a' && t[0] <= 'z'; }

// "L.L.C." and "S.A." become "llc" and "sa" when the letters spell a legal form or "he" (the
// honorific H.E.); other dotted letters ("J.R. Smith") stay initials. Works on words[from, to)
// in place (the letters of a run are adjacent in the buffer) and returns the new end.
std::size_t join_dotted_letters(Scratch& sc, std::size_t from, std::size_t to) {
  auto& w = sc.words;
  std::size_t out = from;
  for (std::size_t i = from; i < to;) {
    if (w[i].dot_joined && is_single_letter(sc.view(w[i]))) {
      std::size_t j = i;
      while (j < to && is_single_letter(sc.view(w[j]))) {
        const bool more = w[j].dot_joined;
        ++j;
        if (!more) break;
      }
      const WordRef joined{w[i].begin, static_cast<std::uint32_t>(j - i), false};
      const std::string_view text = sc.view(joined);
      if (text.size() >= 2 && (is_weak_token(text) || text == "he")) {
        w[out++] = joined;
        i = j;
        continue;
      }
    }
    w[out++] = w[i++];
  }
  return out;
}

std::size_t honorific_prefix_length(const Scratch& sc, std::size_t at) {
  const auto& w = sc.words;
  if (at >= w.size()) return 0;
  const std::string_view first = sc.view(w[at]);
  if (is_honorific(first) || first == "he") return 1;
  if (at + 1 < w.size()) {
    const std::string_view second = sc.view(w[at + 1]);
    for (const auto& [a, b] : kHonorificPairs) {
      if (first == a && second == b) return 2;
    }
  }
  return 0;
}

void tokenize_ascii(std::string_view s, NormalizedName& out) {
  thread_local Scratch sc;
  sc.chars.clear();
  sc.words.clear();
  // Offsets are 32-bit: a name beyond 4 GB is cut (never reached: inputs are bounded far below).
  if (s.size() > UINT32_MAX / 2) s = s.substr(0, UINT32_MAX / 2);

  // "SURNAME, Given": exactly one comma, both sides named, and the right side not just a legal
  // form ("Acme, Inc." stays as it is).
  const auto comma = s.find(',');
  bool split = false;
  if (comma != std::string_view::npos && s.find(',', comma + 1) == std::string_view::npos) {
    split_words(s.substr(0, comma), sc);
    const std::size_t left_end = join_dotted_letters(sc, 0, sc.words.size());
    sc.words.resize(left_end);
    split_words(s.substr(comma + 1), sc);
    sc.words.resize(join_dotted_letters(sc, left_end, sc.words.size()));
    const bool right_all_weak = std::all_of(sc.words.begin() + static_cast<std::ptrdiff_t>(left_end), sc.words.end(),
                                            [&](const WordRef& w) { return is_weak_token(sc.view(w)); });
    if (left_end > 0 && left_end < sc.words.size() && !right_all_weak) {
      std::rotate(sc.words.begin(), sc.words.begin() + static_cast<std::ptrdiff_t>(left_end), sc.words.end());
    }
    split = true;
  }
  if (!split) {
    split_words(s, sc);
    sc.words.resize(join_dotted_letters(sc, 0, sc.words.size()));
  }

  // Leading honorifics ("H.E. Sheikh Dr. ..."), never the whole name.
  std::size_t start = 0;
  while (true) {
    const std::size_t len = honorific_prefix_length(sc, start);
    if (len == 0 || start + len >= sc.words.size()) break;
    start += len;
  }

  // Reuse the caller's token strings (their capacity) when it passes the same object again.
  out.tokens.resize(sc.words.size() - start);
  for (std::size_t i = start; i < sc.words.size(); ++i) {
    NameToken& t = out.tokens[i - start];
    const std::string_view text = sc.view(sc.words[i]);
    t.text.assign(text);
    t.cls = is_single_letter(text) ? TokenClass::kInitial
            : is_weak_token(text)  ? TokenClass::kWeak
                                   : TokenClass::kNormal;
  }
  // A one-off huge input should not pin its memory in the thread's scratch.
  if (sc.chars.capacity() > 64 * 1024) {
    sc.chars = std::string();
    sc.words = std::vector<WordRef>();
  }
}

}  // namespace

bool is_honorific(std::string_view token) { return in_sorted(kHonorifics, token); }
bool is_weak_token(std::string_view token) { return in_sorted(kWeak, token); }

void forget_transliteration_cache() { t_latin_cache.clear(); }

std::string to_latin_ascii(std::string_view text) {
  if (is_ascii(text)) {
    std::string out(text);
    for (char& c : out) c = ascii_lower(c);
    return out;
  }
  return latin_cached(text).ascii;
}

void normalize_for_matching(std::string_view name, NormalizedName& out) {
  out.transliterated = false;
  if (is_ascii(name)) {
    tokenize_ascii(name, out);
    return;
  }
  const CachedLatin& latin = latin_cached(name);
  out.transliterated = latin.transliterated;
  tokenize_ascii(latin.ascii, out);
}

}  // namespace crosscheck::rules
