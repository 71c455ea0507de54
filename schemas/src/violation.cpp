#include "crosscheck/schemas/violation.h"

#include <array>

namespace crosscheck::schemas {
namespace {
// Indexed by the enum value; the names are a stable contract (dead letters, metric labels).
constexpr std::array<std::string_view, kReasonCodeCount> kNames = {
    "empty_payload", "oversized",     "invalid_utf8",  "json_syntax",
    "too_deep",      "not_an_object", "duplicate_key", "missing_field",
    "wrong_type",    "invalid_value", "unsupported_schema_version", "unknown_topic",
};
static_assert(static_cast<int>(ReasonCode::kUnknownTopic) == kReasonCodeCount - 1);
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
