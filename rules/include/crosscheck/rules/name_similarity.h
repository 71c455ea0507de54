// Comparison of single name tokens (lower-case ASCII, as produced by name_tokens.h): typo
// distance, phonetic keys and nicknames.
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace crosscheck::rules {

// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4). 1 for equal strings,
// 0 when either is empty.
double jaro_winkler(std::string_view a, std::string_view b);

// A phonetic key that survives the usual spelling and transliteration variants of one name
// (Mohammed/Muhammad/Mohamad, Yuri/Iurii/Jurij, Tchaikovsky/Chaykovskiy, Abdel/Abdul, ...).
// Equal keys mean "sounds alike"; an empty token gives an empty key.
std::string phonetic_key(std::string_view token);

// The canonical given names a token may be a nickname or short form of ("bob" -> "robert",
// "bill" -> "william"), from the project's own table (rules/src/nicknames.cpp). A canonical name
// maps to itself. Empty when the token is not in the table.
std::span<const std::string_view> nickname_canonicals(std::string_view token);
// The same, with the token's phonetic_key already computed (the matcher has it): no key is
// worked out again.
std::span<const std::string_view> nickname_canonicals(std::string_view token, std::string_view token_phonetic_key);
// True when a and b are the same given name under the nickname table (one is a nickname of the
// other, or both are nicknames of one name).
bool are_nicknames(std::string_view a, std::string_view b);
// The same from the two tokens' nickname_canonicals, for callers that keep them (a table look-up
// costs a phonetic key and two hash probes).
bool share_nickname(std::span<const std::string_view> canonicals_a, std::span<const std::string_view> canonicals_b);

// True when one token may be the other with an Arabic article written on ("alsobakhi" and
// "sobakhi", "elmasri" and "masri"): one starts with "al" or "el" and has six letters or more, and
// the other is not such a token and does not start with the same two letters. Besides equal
// phonetic keys and nicknames, this is the only way compare_tokens scores a pair above its
// Jaro-Winkler score.
bool article_variants(std::string_view a, std::string_view b);

struct TokenSimilarity {
  double score = 0;          // 0..1
  std::string_view how;      // "exact", "nickname", "phonetic", "typo", "initial", "unmatched"
};

// The best reason two tokens are the same name part, and how similar: exact 1.0; nickname 0.9;
// an initial against a token with that first letter 0.6; otherwise Jaro-Winkler, raised when the
// phonetic keys agree. Scores below 0.75 are reported as "unmatched" with score 0.
TokenSimilarity compare_tokens(std::string_view a, std::string_view b);
// The same, with both tokens' phonetic keys already computed (phonetic_key(a), phonetic_key(b)):
// the matcher precomputes them for listed tokens and once per query token.
TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b);
// The same; with check_nicknames false the nickname table is not consulted (the caller knows the
// two tokens are not nicknames of each other: the matcher's neighbourhoods hold every nickname
// pair of the lists), which saves two phonetic keys per call.
TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::string_view b, std::string_view key_b,
                               bool check_nicknames);
// The same, with the nickname_canonicals of both tokens given as well: the same result without a
// nickname table look-up (the matcher keeps them for listed tokens and once per query token).
// `known_jw`, when not negative, is jaro_winkler(a, b), already computed by the caller.
TokenSimilarity compare_tokens(std::string_view a, std::string_view key_a, std::span<const std::string_view> nicks_a,
                               std::string_view b, std::string_view key_b, std::span<const std::string_view> nicks_b,
                               bool check_nicknames, double known_jw = -1);

}  // namespace crosscheck::rules
