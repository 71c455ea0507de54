// Time formats used on the wire: RFC 3339 timestamps in UTC ("2026-11-21T08:30:00Z", with an
// optional fraction of a second) and ISO 8601 calendar dates ("1980-02-29").
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crosscheck::timefmt {

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms();

// "2026-11-21T08:30:00.123Z"
std::string format_utc_ms(std::int64_t epoch_ms);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" into epoch milliseconds. Rejects
// out-of-range fields (month 13, 30 February, hour 24) and missing zone designators.
std::optional<std::int64_t> parse_timestamp_ms(std::string_view s);

// Parses "YYYY-MM-DD" into days since 1970-01-01, rejecting impossible dates.
std::optional<std::int64_t> parse_date_days(std::string_view s);

// Days since 1970-01-01 for a proleptic Gregorian date (no validation).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm; any
// day count, no validation needed).
struct CivilDate {
  std::int64_t y;
  unsigned m;  // 1-12
  unsigned d;  // 1-31
};
CivilDate civil_from_days(std::int64_t days);

}  // namespace crosscheck::timefmt
