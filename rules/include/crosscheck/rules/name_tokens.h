// Normalisation of names for fuzzy matching: any script in, lower-case ASCII tokens out.
//
//   NFKC, case folding, diacritics removed; non-Latin scripts (Cyrillic, Arabic, Hebrew, Greek,
//   Han, Hangul, ...) transliterated to Latin with ICU; punctuation becomes a separator, except
//   apostrophes and hyphens inside a word, which are dropped ("O'Neil" -> "oneil"); a
//   "SURNAME, Given" form (one comma) is put back in "Given SURNAME" order; honorifics and titles
//   ("mr", "dr", "sheikh", "h.e.") are dropped; company legal-form words ("llc", "ltd", "ag",
//   "aktiengesellschaft", "co", "corp", "sa", ...) and very common connectors are kept but marked
//   weak, so they can never count as evidence.
//   Leading honorifics only, and never the whole name ("Dr. Sheikh" -> "sheikh").
//   Arabic particles (al, el, bin, ibn, abu, abd, abdul) stay ordinary tokens. "al-Qaida" gives
//   one token "alqaida" (hyphen dropped), "Al Qaida" two and Arabic script "القاعدة" one
//   ("alqaada"): joining or dropping "al" + next token is left to the matcher.
//   Scripts: Cyrillic via ICU Russian-Latin/BGN (its middle dot, "t·e" for тэ, stays inside the
//   word); Arabic and Hebrew via the project's own ICU rule tables (consonant skeletons English
//   spellings are built on: "محمد" -> "mhmd"; Hebrew final bet is "v"); Greek via
//   Greek-Latin/UNGEGN; Han via Han-Latin/Names and Hangul via Hangul-Latin, a 2-3 syllable run
//   split as surname + joined given name ("习近平" -> "xi jinping"), common Korean surnames as
//   English writes them ("김정은" -> "kim jeongeun", not RR "gim"); anything else Any-Latin.
//
// ASCII names take a fast path that never touches ICU or allocates (beyond the output tokens).
// Transliteration costs tens of microseconds, so non-ASCII results (inputs up to 256 bytes) are
// kept in a bounded per-thread cache (4096 entries, cleared when full). ICU transliterators are
// built once per thread, on its first non-ASCII name (a few milliseconds).
// Thread-safety: all functions may be called concurrently (the cache is per thread).
// Failure behaviour: never throws; invalid UTF-8 bytes are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crosscheck::rules {

enum class TokenClass : std::uint8_t {
  kNormal,
  kWeak,     // legal form or connector: matched, but never evidence on its own
  kInitial,  // a single letter ("J." in "J. SMITH"): may meet a token with that first letter
};

struct NameToken {
  std::string text;  // [a-z0-9]+
  TokenClass cls = TokenClass::kNormal;
};

struct NormalizedName {
  std::vector<NameToken> tokens;  // in name order (after the "SURNAME, Given" fix)
  bool transliterated = false;    // the input held non-Latin letters
};

void normalize_for_matching(std::string_view name, NormalizedName& out);
inline NormalizedName normalize_for_matching(std::string_view name) {
  NormalizedName n;
  normalize_for_matching(name, n);
  return n;
}

// The Latin ASCII form of `text` (transliterated, folded, diacritics removed), before
// tokenisation; for explanations and tests.
std::string to_latin_ascii(std::string_view text);

// Empties the calling thread's cache of transliterated names (normalize_for_matching and
// to_latin_ascii remember the last few thousand non-ASCII inputs), so the next non-ASCII names are
// converted as if first seen. For benchmarks that repeat their queries; touches only the calling
// thread's state; never fails.
void forget_transliteration_cache();

// True for honorifics/titles that normalize_for_matching drops ("mr", "dr", "sheikh", ...).
bool is_honorific(std::string_view token);
// True for legal-form words and connectors that normalize_for_matching marks weak.
bool is_weak_token(std::string_view token);

}  // namespace crosscheck::rules
