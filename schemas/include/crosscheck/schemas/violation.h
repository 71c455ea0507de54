// Why an input event was rejected. Each Violation has a stable machine-readable reason code, the
// JSON path of the offending value, and a human-readable message for a carrier's data-quality team.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crosscheck::schemas {

enum class ReasonCode : std::uint8_t {
  kEmptyPayload,              // empty_payload: zero-length record value
  kOversized,                 // oversized: larger than the configured limit
  kInvalidUtf8,               // invalid_utf8
  kJsonSyntax,                // json_syntax: not well-formed JSON
  kTooDeep,                   // too_deep: nesting beyond the configured depth
  kNotAnObject,               // not_an_object: top level is not a JSON object
  kDuplicateKey,              // duplicate_key: the same key twice in one object
  kMissingField,              // missing_field: a required field is absent
  kWrongType,                 // wrong_type: e.g. a number where a string is required
  kInvalidValue,              // invalid_value: right type, value fails its format rule
  kUnsupportedSchemaVersion,  // unsupported_schema_version: not a 1.x version
  kUnknownTopic,              // unknown_topic: consumed from a topic with no event kind
  // Added by schema 1.0 (docs/events.md).
  kMrzFormat,                 // mrz_format: the MRZ is not TD1 or TD3, or has characters outside [A-Z0-9<]
  kMrzCheckDigit,             // mrz_check_digit: an ICAO 9303 check digit fails (one violation per digit)
  kMrzMismatch,               // mrz_mismatch: the MRZ disagrees with the document number, birth date or expiry
  kContainerCheckDigit,       // container_check_digit: ISO 6346 check digit fails
  kImoCheckDigit,             // imo_check_digit: IMO number check digit fails
  kIbanCheckDigits,           // iban_check_digits: IBAN mod-97 fails
  kIbanLength,                // iban_length: wrong length for the IBAN's country, or not an IBAN country
  kInvalidBic,                // invalid_bic: BIC format or country
  kUnknownCountry,            // unknown_country: not an ISO 3166-1 code (alpha-2 or alpha-3 per field)
  kUnknownCurrency,           // unknown_currency: not an active ISO 4217 code
  kUnknownAirport,            // unknown_airport: not in the configured IATA reference list
  kArrivalBeforeDeparture,    // arrival_before_departure: scheduled_arrival earlier than scheduled_departure
  kInvalidAmount,             // invalid_amount: not an exact decimal in range, or too many fraction digits
  kDocumentExpired,           // document_expired: WARNING only, the document expires before departure
};
inline constexpr int kReasonCodeCount = 26;

// The stable snake_case name used in dead-letter records and metrics labels.
std::string_view reason_code_name(ReasonCode code);
std::optional<ReasonCode> reason_code_from_name(std::string_view name);

// Warnings do not reject an event: they are returned in Event::warnings. Only document_expired.
constexpr bool is_warning(ReasonCode code) { return code == ReasonCode::kDocumentExpired; }

struct Violation {
  ReasonCode code;
  std::string path;     // JSON path such as "passengers[2].date_of_birth"; empty for the whole record
  std::string message;  // human-readable; never contains the offending personal data itself
};

}  // namespace crosscheck::schemas
