// The shapes the entry model accepts for identifiers, shared by the JSON reader (watchlist.cpp)
// and the importers, so an imported entry always loads back from its JSON form.
// Private to crosscheck_rules. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "crosscheck/rules/normalize.h"

namespace crosscheck::rules::shapes {

inline bool upper_alnum(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// IBAN shape only (2 letters, 2 digits, 15-34 characters); lists hold IBANs as published, and
// the check digits are not the list manager's to fix.
inline bool iban(std::string_view raw) {
  const std::string v = normalize_iban(raw);
  return v.size() >= 15 && v.size() <= 34 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z' &&
         v[2] >= '0' && v[2] <= '9' && v[3] >= '0' && v[3] <= '9';
}

inline bool bic(std::string_view s) { return (s.size() == 8 || s.size() == 11) && upper_alnum(s); }

// Currency tickers as listed ("XBT", "USDT", "ETH"): upper-case letters and digits.
inline bool currency(std::string_view s) { return s.size() >= 2 && s.size() <= 10 && upper_alnum(s); }

// Addresses are opaque; only their shape is checked: printable ASCII without spaces.
inline bool crypto_address(std::string_view s) {
  if (s.size() < 10 || s.size() > 256) return false;
  for (char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace crosscheck::rules::shapes
