#include "crosscheck/schemas/violation.h"

#include <array>

namespace crosscheck::schemas {
namespace {
// Indexed by the enum value; the names are a stable contract (dead letters, metric labels).
constexpr std::array<std::string_view, kReasonCodeCount> kNames = {
    "empty_payload", "oversized",     "invalid_utf8",  "json_syntax",
    "too_deep",      "not_an_object", "duplicate_key", "missing_field",
    "wrong_type",    "invalid_value", "unsupported_schema_version", "unknown_topic",
    "mrz_format",    "mrz_check_digit", "mrz_mismatch", "container_check_digit",
    "imo_check_digit", "iban_check_digits", "iban_length", "invalid_bic",
    "unknown_country", "unknown_currency", "unknown_airport", "arrival_before_departure",
    "invalid_amount", "document_expired",
};
static_assert(static_cast<int>(ReasonCode::kDocumentExpired) == kReasonCodeCount - 1);
}  // namespace

std::string_view reason_code_name(ReasonCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

std::optional<ReasonCode> reason_code_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<ReasonCode>(i);
  }
  return std::nullopt;
}

}  // namespace crosscheck::schemas
