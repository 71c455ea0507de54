// The small shared vocabulary: names of kinds and reason codes, the JSON writer, wire time formats.
#include <gtest/gtest.h>

#include <string>

#include "crosscheck/json_writer.h"
#include "crosscheck/schemas/event.h"
#include "crosscheck/schemas/violation.h"
#include "crosscheck/time_format.h"

namespace crosscheck {
namespace {

using schemas::EventKind;
using schemas::ReasonCode;

TEST(EventKind, NamesRoundTrip) {
  EXPECT_EQ(schemas::to_string(EventKind::kItinerary), "itinerary");
  EXPECT_EQ(schemas::to_string(EventKind::kManifest), "manifest");
  EXPECT_EQ(schemas::to_string(EventKind::kPayment), "payment");
  for (int i = 0; i < schemas::kEventKindCount; ++i) {
    const auto k = static_cast<EventKind>(i);
    EXPECT_EQ(schemas::event_kind_from_string(schemas::to_string(k)), k);
  }
  EXPECT_FALSE(schemas::event_kind_from_string("Itinerary").has_value());
  EXPECT_FALSE(schemas::event_kind_from_string("").has_value());
}

TEST(ReasonCode, NamesAreStable) {
  const std::pair<ReasonCode, const char*> expected[] = {
      {ReasonCode::kEmptyPayload, "empty_payload"},
      {ReasonCode::kOversized, "oversized"},
      {ReasonCode::kInvalidUtf8, "invalid_utf8"},
      {ReasonCode::kJsonSyntax, "json_syntax"},
      {ReasonCode::kTooDeep, "too_deep"},
      {ReasonCode::kNotAnObject, "not_an_object"},
      {ReasonCode::kDuplicateKey, "duplicate_key"},
      {ReasonCode::kMissingField, "missing_field"},
      {ReasonCode::kWrongType, "wrong_type"},
      {ReasonCode::kInvalidValue, "invalid_value"},
      {ReasonCode::kUnsupportedSchemaVersion, "unsupported_schema_version"},
      {ReasonCode::kUnknownTopic, "unknown_topic"},
      {ReasonCode::kMrzFormat, "mrz_format"},
      {ReasonCode::kMrzCheckDigit, "mrz_check_digit"},
      {ReasonCode::kMrzMismatch, "mrz_mismatch"},
      {ReasonCode::kContainerCheckDigit, "container_check_digit"},
      {ReasonCode::kImoCheckDigit, "imo_check_digit"},
      {ReasonCode::kIbanCheckDigits, "iban_check_digits"},
      {ReasonCode::kIbanLength, "iban_length"},
      {ReasonCode::kInvalidBic, "invalid_bic"},
      {ReasonCode::kUnknownCountry, "unknown_country"},
      {ReasonCode::kUnknownCurrency, "unknown_currency"},
      {ReasonCode::kUnknownAirport, "unknown_airport"},
      {ReasonCode::kArrivalBeforeDeparture, "arrival_before_departure"},
      {ReasonCode::kInvalidAmount, "invalid_amount"},
      {ReasonCode::kDocumentExpired, "document_expired"},
  };
  static_assert(std::size(expected) == schemas::kReasonCodeCount);
  for (const auto& [code, name] : expected) {
    EXPECT_EQ(schemas::reason_code_name(code), name);
    EXPECT_EQ(schemas::reason_code_from_name(name), code);
  }
  EXPECT_FALSE(schemas::reason_code_from_name("JSON_SYNTAX").has_value());
  EXPECT_FALSE(schemas::reason_code_from_name("unknown").has_value());
}

TEST(Event, ClearKeepsCapacity) {
  schemas::Event ev;
  ev.kind = EventKind::kManifest;
  ev.event_id = "x";
  ev.event_time_ms = 5;
  ev.itinerary.passengers.resize(10);
  ev.manifest.goods.resize(20);
  ev.payment.amount = "1";
  ev.manifest.consignee.name = "n";
  ev.manifest.seals.resize(30);
  ev.manifest.routing_countries.resize(5);
  ev.itinerary.pnr.present = true;
  ev.payment.intermediary_agent_count = 2;
  ev.warnings.resize(4);
  ev.clear();
  EXPECT_EQ(ev.event_id, "");
  EXPECT_EQ(ev.event_time_ms, 0);
  EXPECT_TRUE(ev.itinerary.passengers.empty());
  EXPECT_GE(ev.itinerary.passengers.capacity(), 10u);
  EXPECT_TRUE(ev.manifest.goods.empty());
  EXPECT_GE(ev.manifest.goods.capacity(), 20u);
  EXPECT_EQ(ev.payment.amount, "");
  EXPECT_EQ(ev.manifest.consignee.name, "");
  EXPECT_TRUE(ev.manifest.seals.empty());
  EXPECT_GE(ev.manifest.seals.capacity(), 30u);
  EXPECT_TRUE(ev.manifest.routing_countries.empty());
  EXPECT_FALSE(ev.itinerary.pnr.present);
  EXPECT_EQ(ev.payment.intermediary_agent_count, 0);
  EXPECT_TRUE(ev.warnings.empty());
  EXPECT_GE(ev.warnings.capacity(), 4u);
}

// ---- JSON writer ---------------------------------------------------------------------------------

std::string quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(quoted(std::string_view("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(quoted("/"), R"("/")");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalid) {
  EXPECT_EQ(quoted("M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(quoted("a\xFF" "b"), "\"a" + fffd + "b\"");
  EXPECT_EQ(quoted("\xC3"), "\"" + fffd + "\"");                     // truncated sequence
  EXPECT_EQ(quoted("\xC0\xAF"), "\"" + fffd + fffd + "\"");           // overlong
  EXPECT_EQ(quoted("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // UTF-16 surrogate
  EXPECT_EQ(quoted("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
}

TEST(JsonWriter, WritesNestedStructures) {
  std::string out;
  json::Writer w(out);
  w.begin_object()
      .field("s", "x")
      .field("i", std::int64_t{-3})
      .field("u", std::uint64_t{18446744073709551615ULL})
      .field("b", false)
      .optional_field("empty", "")
      .optional_field("full", "y");
  w.key("a").begin_array().number(1).null().begin_object().end_object().begin_array().end_array().end_array();
  w.field("d", 0.5).field("nan", std::numeric_limits<double>::quiet_NaN()).key("raw").raw("[1]");
  w.end_object();
  EXPECT_EQ(out,
            R"({"s":"x","i":-3,"u":18446744073709551615,"b":false,"full":"y","a":[1,null,{},[]],"d":0.5,"nan":null,"raw":[1]})");
}

// ---- time formats --------------------------------------------------------------------------------

TEST(TimeFormat, CivilFromDaysInvertsDaysFromCivil) {
  const auto c = timefmt::civil_from_days(11016);  // 2000-02-29
  EXPECT_EQ(c.y, 2000);
  EXPECT_EQ(c.m, 2u);
  EXPECT_EQ(c.d, 29u);
  const auto before = timefmt::civil_from_days(-1);
  EXPECT_EQ(before.y, 1969);
  EXPECT_EQ(before.m, 12u);
  EXPECT_EQ(before.d, 31u);
  // Every day over ±2,000 years round-trips to a valid month and day.
  for (std::int64_t days = -730500; days <= 730500; ++days) {
    const auto d = timefmt::civil_from_days(days);
    ASSERT_EQ(timefmt::days_from_civil(d.y, d.m, d.d), days) << d.y << '-' << d.m << '-' << d.d;
    ASSERT_GE(d.m, 1u);
    ASSERT_LE(d.m, 12u);
    ASSERT_GE(d.d, 1u);
    ASSERT_LE(d.d, 31u);
  }
}

TEST(TimeFormat, ParsesDates) {
  EXPECT_EQ(timefmt::parse_date_days("1970-01-01"), 0);
  EXPECT_EQ(timefmt::parse_date_days("2000-02-29"), 11016);
  EXPECT_EQ(timefmt::parse_date_days("1969-12-31"), -1);
  EXPECT_TRUE(timefmt::parse_date_days("2024-02-29").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2023-02-29").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("1900-02-29").has_value());  // not a leap year
  EXPECT_TRUE(timefmt::parse_date_days("1600-02-29").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-04-31").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-00-10").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-13-01").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-01-00").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-1-01").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026/01/01").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("20260101").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("2026-01-01T").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("").has_value());
  EXPECT_FALSE(timefmt::parse_date_days("+026-01-01").has_value());
}

TEST(TimeFormat, ParsesTimestamps) {
  EXPECT_EQ(timefmt::parse_timestamp_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21T08:00:00Z"), 1795248000000);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21T08:00:00.5Z"), 1795248000500);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21T08:00:00.123456789Z"), 1795248000123);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21T09:30:00+01:30"), 1795248000000);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21T03:00:00-05:00"), 1795248000000);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2026-11-21t08:00:00z"), 1795248000000);
  EXPECT_EQ(timefmt::parse_timestamp_ms("2024-02-29T23:59:59Z"), 1709251199000);
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00").has_value());   // no zone
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21 08:00:00Z").has_value());  // space
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T24:00:00Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:60:00Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:60Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2023-02-29T08:00:00Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00.Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00.1234567890Z").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00+0100").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00+24:00").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00Zjunk").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("2026-11-21T08:00:00+01:00x").has_value());
  EXPECT_FALSE(timefmt::parse_timestamp_ms("").has_value());
}

TEST(TimeFormat, FormatsUtcMilliseconds) {
  EXPECT_EQ(timefmt::format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(timefmt::format_utc_ms(1795248000123), "2026-11-21T08:00:00.123Z");
  EXPECT_EQ(timefmt::format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(timefmt::format_utc_ms(951782400000), "2000-02-29T00:00:00.000Z");
  for (std::int64_t ms : {0LL, 1LL, 951782399999LL, 1795248000123LL, 4102444800000LL}) {
    EXPECT_EQ(timefmt::parse_timestamp_ms(timefmt::format_utc_ms(ms)), ms);
  }
  EXPECT_EQ(timefmt::days_from_civil(1970, 1, 1), 0);
}

}  // namespace
}  // namespace crosscheck
