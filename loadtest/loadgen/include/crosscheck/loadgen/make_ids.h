// Identifiers with correct check digits, built the way their standards define them (ICAO 9303
// MRZ, ISO 6346 containers, IMO ship numbers, ISO 13616 IBANs, RFC 4122 UUIDs), and deliberately
// broken ones for the malformed share. The validators in schemas/identifiers.h check them; the
// generator's tests make sure both agree.
// Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/loadgen/rng.h"

namespace crosscheck::loadgen {

// What an MRZ carries about its holder. Dates are YYYY-MM-DD; sex F, M or X.
struct MrzHolder {
  std::string document_code;  // "P" (passport, TD3) or "I" (identity card, TD1)
  std::string issuing_state;  // alpha-3
  std::string surname;
  std::string given_names;
  std::string number;         // at most 9 characters [A-Z0-9]
  std::string nationality;    // alpha-3
  std::string date_of_birth;
  std::string sex;
  std::string expiry;
};

// ICAO 9303 part 4: 2 lines of 44 characters.
std::vector<std::string> make_td3(const MrzHolder& h);
// ICAO 9303 part 5: 3 lines of 30 characters.
std::vector<std::string> make_td1(const MrzHolder& h);
// Text as the MRZ writes it: A-Z kept, everything else '<' (apostrophes dropped).
std::string mrz_text(std::string_view s);

std::string make_imo(Rng& rng);                                 // 9xxxxxx with its check digit
std::string make_container(std::string_view owner_u, Rng& rng);  // owner code incl. category + serial + check
// An IBAN of `country` (alpha-2) with the registry's length and mod-97 check digits; empty when
// the country does not use IBANs.
std::string make_iban(std::string_view country, Rng& rng);
std::string make_iban_with_bban(std::string_view country, std::string_view bban);
std::string make_uuid_v4(Rng& rng);
// `body` followed by its mod-7 check digit (IATA agency numbers, air waybill serials).
std::string with_mod7(const std::string& body);

// A different digit in place of the check digit at `pos` (always a different value).
std::string break_digit(std::string s, std::size_t pos);

}  // namespace crosscheck::loadgen
