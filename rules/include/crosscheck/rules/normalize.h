// Normalisation of identifiers for exact matching.
//
// Names: Unicode NFKC with case folding, diacritics removed, punctuation turned into spaces, and
// the tokens sorted, so "Petrov, Ivan" and "IVAN PETROV" give the same key. ASCII names take a
// fast path that does not touch ICU. Documents, IBANs and IMO numbers: upper-case alphanumerics
// only ("de89 3704-0044" -> "DE8937040044"); IMO numbers also drop an "IMO" prefix.
// All functions are pure and thread-safe. An empty result means "nothing to match on".
#pragma once

#include <string>
#include <string_view>

namespace crosscheck::rules {

std::string normalize_name(std::string_view name);
std::string normalize_document(std::string_view number);
std::string normalize_iban(std::string_view iban);
std::string normalize_imo(std::string_view imo);

}  // namespace crosscheck::rules
