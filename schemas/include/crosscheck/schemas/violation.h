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
};
inline constexpr int kReasonCodeCount = 12;

// The stable snake_case name used in dead-letter records and metrics labels.
std::string_view reason_code_name(ReasonCode code);
std::optional<ReasonCode> reason_code_from_name(std::string_view name);

struct Violation {
  ReasonCode code;
  std::string path;     // JSON path such as "passengers[2].date_of_birth"; empty for the whole record
  std::string message;  // human-readable; never contains the offending personal data itself
};

}  // namespace crosscheck::schemas
