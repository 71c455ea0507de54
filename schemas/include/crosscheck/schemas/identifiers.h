// Validators for the standard identifiers and code lists used by the event schemas: ICAO 9303
// machine-readable zones, ISO 6346 container numbers, IMO ship numbers, IBANs (ISO 13616) and
// BICs (ISO 9362), ISO 3166-1 country codes, ISO 4217 currencies, UN/LOCODEs, UUIDs, exact
// decimal strings and IATA airport codes.
//
// Everything here is pure, thread-safe and allocation-free, except loading an AirportCodes list.
// Code lists are constexpr sorted arrays searched by binary search; no map is ever built per call.
// No function echoes its input in any message (there are no messages: results are values).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"

namespace crosscheck::schemas::ids {

// ---- ICAO 9303 ---------------------------------------------------------------------------------

// The value of an MRZ character: '0'-'9' -> 0-9, 'A'-'Z' -> 10-35, '<' -> 0; -1 for anything else.
int icao_char_value(char c);

// The ICAO 9303 check digit of `field` (weights 7, 3, 1 repeating; sum mod 10). -1 when `field`
// has a character outside [A-Z0-9<].
int icao_check_digit(std::string_view field);

// True when `check` is the check digit of `field`. Per ICAO 9303 a '<' check digit stands for 0
// only where the field is all fillers; here it never matches (the fields we check are mandatory).
bool icao_check_digit_ok(std::string_view field, char check);

enum class MrzFormat : std::uint8_t { kTD1, kTD3 };

enum class MrzError : std::uint8_t {
  kNone,
  kLineCount,   // not 2 lines (TD3) or 3 lines (TD1)
  kLineLength,  // lines not all 44 (TD3) or 30 (TD1) characters
  kCharset,     // a character outside [A-Z0-9<]
};

// The fields of a TD1 or TD3 MRZ, as views into the lines given to parse_mrz, and whether each
// check digit holds.
struct Mrz {
  MrzFormat format = MrzFormat::kTD3;
  std::string_view document_code;    // "P<", "I<", "ID", ...
  std::string_view issuing_state;    // 3 characters, '<'-padded
  std::string_view document_number;  // fillers ('<') trimmed
  std::string_view document_number_overflow;  // TD1 only: the part of a long number beyond 9 characters
  std::string_view nationality;      // 3 characters, '<'-padded
  std::string_view date_of_birth;    // YYMMDD ('<' where unknown)
  std::string_view sex;              // "F", "M" or "<"
  std::string_view expiry;           // YYMMDD
  bool document_number_ok = false;
  bool date_of_birth_ok = false;
  bool expiry_ok = false;
  bool composite_ok = false;
  bool all_ok() const { return document_number_ok && date_of_birth_ok && expiry_ok && composite_ok; }
};

// Parses a TD3 (2 lines of 44) or TD1 (3 lines of 30) MRZ. On a format error returns nullopt and
// sets `error` (when given). The returned views point into `lines`' strings.
std::optional<Mrz> parse_mrz(std::span<const std::string_view> lines, MrzError* error = nullptr);

// ---- transport ---------------------------------------------------------------------------------

// ISO 6346 shape: 3-letter owner code, category identifier U, J or Z, 6-digit serial, check digit.
bool container_shape_ok(std::string_view s);
// The ISO 6346 check digit of the first 10 characters of `s` (which must have container shape up
// to there): letters A=10, B=12, ... skipping multiples of 11; weight 2^i; mod 11, 10 -> 0. -1 on
// a bad character.
int container_check_digit(std::string_view s);
// Shape and check digit.
bool container_ok(std::string_view s);

// IMO ship identification number: 7 digits; the last is sum(d[i] * (7 - i), i < 6) mod 10.
bool imo_shape_ok(std::string_view s);
bool imo_ok(std::string_view s);  // shape and check digit

// IATA airport code shape: 3 uppercase letters.
bool iata_airport_shape_ok(std::string_view s);

// An immutable set of IATA airport codes. Thread-safe to share (const).
class AirportCodes {
 public:
  // Codes of the wrong shape are skipped; lowercase letters are uppercased.
  static std::shared_ptr<const AirportCodes> from_codes(std::span<const std::string_view> codes);
  bool contains(std::string_view code) const;
  std::size_t size() const { return codes_.size(); }

 private:
  std::vector<std::uint32_t> codes_;  // sorted, packed 3 letters
};

// Loads the `iata` column (header name case-insensitive) of a CSV file (RFC 4180: quoted fields,
// doubled quotes). Rows whose iata value is empty or not 3 letters are skipped. Fatal errors:
// unreadable file, no header, no iata column, no codes at all.
Result<std::shared_ptr<const AirportCodes>> load_airport_codes(const std::string& path);

// ---- countries, currencies, places -------------------------------------------------------------

// All 249 officially assigned ISO 3166-1 codes.
inline constexpr std::size_t kCountryCount = 249;
bool is_country_alpha2(std::string_view s);
bool is_country_alpha3(std::string_view s);
std::span<const std::string_view> country_alpha2_codes();  // sorted
std::span<const std::string_view> country_alpha3_codes();  // sorted
// A country as sources write it: ISO 3166-1 alpha-2 or alpha-3 code, or an English short or
// formal name ("Iran (Islamic Republic of)", "Russian Federation", "Russia", "Korea, North",
// "Democratic Republic of the Congo"), case- and punctuation-insensitive. Returns the alpha-3 code,
// or nullopt when it is not a country (e.g. "Palestinian Territory" -> PSE, "Europe" -> nullopt).
std::optional<std::string_view> country_alpha3_of(std::string_view any);

// Active ISO 4217 currency codes (the list, not funds without minor units such as XAU or XDR).
// Minor units (0, 2, 3 or 4) for an active code; nullopt for anything else.
std::optional<int> currency_minor_units(std::string_view code);
inline bool is_currency(std::string_view code) { return currency_minor_units(code).has_value(); }
std::size_t currency_count();

// UN/LOCODE: [A-Z]{2}[A-Z2-9]{3}.
bool unlocode_shape_ok(std::string_view s);
// Shape and an ISO 3166-1 alpha-2 country prefix.
bool unlocode_ok(std::string_view s);

// ---- banking -----------------------------------------------------------------------------------

// The IBAN length for an IBAN country (SWIFT IBAN registry), 0 when `country` is not one.
int iban_length_for(std::string_view country);
std::size_t iban_country_count();

enum class IbanStatus : std::uint8_t {
  kOk,
  kFormat,       // not 2 letters, 2 digits, then uppercase letters and digits (compact form)
  kLength,       // not an IBAN country, or the wrong length for its country
  kCheckDigits,  // mod-97 fails (checked only when the length is right)
};
IbanStatus validate_iban(std::string_view s);
// ISO 13616 mod-97 of the rearranged IBAN, streaming (no big integers); 1 means valid. -1 on a
// character outside [A-Z0-9] or fewer than 5 characters.
int iban_mod97(std::string_view s);

// BIC (ISO 9362): 4 letters, an ISO 3166-1 alpha-2 country (or XK, which SWIFT uses for Kosovo),
// 2 letters or digits of location, optionally 3 letters or digits of branch.
bool bic_ok(std::string_view s);

// ---- miscellaneous formats ---------------------------------------------------------------------

// RFC 4122 UUID, version 4, variant 10xx, lowercase: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
bool uuid_v4_lowercase_ok(std::string_view s);

// An exact decimal string ^[0-9]{1,max_int}(\.[0-9]{1,max_frac})?$; returns the number of
// fraction digits, or -1 when `s` does not match.
int decimal_fraction_digits(std::string_view s, int max_int, int max_frac);
// True when a decimal string (already matched) is greater than zero.
bool decimal_positive(std::string_view s);

}  // namespace crosscheck::schemas::ids
