#include "crosscheck/schemas/event_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include <simdjson.h>

#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/time_format.h"

// How the parser works, in one pass over simdjson On-Demand:
//  - every value is consumed through an API that validates it (get_string, get_object, ... or the
//    generic skip_value walk for unknown and wrong-typed values). On-Demand's own skipping only
//    counts brackets, so relying on it would accept e.g. {"x":[1,,2]} or {"x":[1},"y":2]}.
//  - nesting depth is counted while walking (On-Demand does not enforce parser::max_depth).
//  - field-level problems are collected; structural problems (syntax, depth) stop the walk and
//    replace anything collected, because field findings in a broken document are not meaningful.
// Adding a field: append its name to the object's name table, handle its index in the switch.

namespace crosscheck::schemas {
namespace {
namespace od = simdjson::ondemand;
using simdjson::error_code;

// Cap on field-level violations per event, so one hostile record cannot produce a dead letter
// with thousands of entries.
constexpr std::size_t kMaxFieldViolations = 100;
constexpr std::size_t kMaxPassengers = 999;
constexpr std::size_t kMaxGoods = 9999;
constexpr std::size_t kMaxKeyInPath = 64;

// A JSON path as a chain on the stack: free while nothing is wrong, turned into a string only
// when a violation is reported.
struct PathSeg {
  const PathSeg* parent = nullptr;
  std::string_view key;  // empty for an array element or the root
  long index = -1;       // >= 0 for an array element
};

void append_path(std::string& out, const PathSeg* p) {
  if (p == nullptr || (p->parent == nullptr && p->key.empty() && p->index < 0)) return;
  append_path(out, p->parent);
  if (p->index >= 0) {
    out.push_back('[');
    out.append(std::to_string(p->index));
    out.push_back(']');
    return;
  }
  if (!out.empty()) out.push_back('.');
  out.append(p->key.substr(0, kMaxKeyInPath));
}

// ---- format rules (pure; no value ever ends up in a message) ----

// Closures rather than functions so that all_of() inlines them.
constexpr auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
constexpr auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
constexpr auto is_upper_alnum = [](char c) { return is_upper(c) || is_digit(c); };
constexpr auto is_alnum = [](char c) { return is_upper_alnum(c) || (c >= 'a' && c <= 'z'); };

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

// Characters (code points) of a string already known to be valid UTF-8.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}
template <std::size_t Max>
bool chars_1_to(std::string_view s) {
  return !s.empty() && utf8_length(s) <= Max;
}

bool non_empty(std::string_view s) { return !s.empty(); }
bool event_id_ok(std::string_view s) { return !s.empty() && s.size() <= 128; }
bool schema_version_ok(std::string_view s) {  // ^1\.[0-9]+$
  return s.size() >= 3 && s[0] == '1' && s[1] == '.' && all_of(s.substr(2), is_digit);
}
bool date_ok(std::string_view s) { return timefmt::parse_date_days(s).has_value(); }
bool upper3(std::string_view s) { return s.size() == 3 && all_of(s, is_upper); }
bool upper2(std::string_view s) { return s.size() == 2 && all_of(s, is_upper); }
bool sex_ok(std::string_view s) { return s == "F" || s == "M" || s == "X"; }
bool doc_number_ok(std::string_view s) { return !s.empty() && s.size() <= 20 && all_of(s, is_upper_alnum); }
bool doc_type_ok(std::string_view s) {  // [A-Z][A-Z<]?
  return (s.size() == 1 || s.size() == 2) && is_upper(s[0]) && (s.size() == 1 || is_upper(s[1]) || s[1] == '<');
}
bool carrier_ok(std::string_view s) { return s.size() == 2 && all_of(s, is_upper_alnum); }
bool flight_number_ok(std::string_view s) {  // 1-4 digits plus an optional suffix letter
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > 4) return false;
  return n == s.size() || (n + 1 == s.size() && is_upper(s[n]));
}
bool conveyance_flight_ok(std::string_view s) {  // [A-Z0-9]{2}[0-9]{1,4}[A-Z]?
  return s.size() >= 3 && carrier_ok(s.substr(0, 2)) && flight_number_ok(s.substr(2));
}
bool seat_ok(std::string_view s) {  // [0-9]{1,3}[A-K]
  return s.size() >= 2 && s.size() <= 4 && all_of(s.substr(0, s.size() - 1), is_digit) && s.back() >= 'A' &&
         s.back() <= 'K';
}
bool locator_ok(std::string_view s) { return s.size() >= 5 && s.size() <= 8 && all_of(s, is_upper_alnum); }
bool form_of_payment_ok(std::string_view s) {
  return s == "cash" || s == "card" || s == "invoice" || s == "voucher" || s == "miles" || s == "other";
}
bool iata_number_ok(std::string_view s) { return (s.size() == 7 || s.size() == 8) && all_of(s, is_digit); }
bool transport_mode_ok(std::string_view s) { return s == "sea" || s == "air" || s == "road" || s == "rail"; }
bool lrn_ok(std::string_view s) { return !s.empty() && s.size() <= 22 && all_of(s, is_alnum); }
bool hs_code_ok(std::string_view s) { return s.size() >= 6 && s.size() <= 10 && all_of(s, is_digit); }
bool package_type_ok(std::string_view s) { return s.size() == 2 && all_of(s, is_upper_alnum); }
bool eori_shape_ok(std::string_view s) {  // [A-Z]{2}[A-Za-z0-9]{1,15}
  return s.size() >= 3 && s.size() <= 17 && upper2(s.substr(0, 2)) && all_of(s.substr(2), is_alnum);
}
bool eori_country_ok(std::string_view s) {  // XI: Northern Ireland under the Windsor Framework
  return ids::is_country_alpha2(s.substr(0, 2)) || s.substr(0, 2) == "XI";
}
bool unlocode_country_ok(std::string_view s) { return ids::is_country_alpha2(s.substr(0, 2)); }
bool container_digit_ok(std::string_view s) { return ids::container_ok(s); }

struct Rule {
  bool (*check)(std::string_view);
  const char* message;  // completes "<path> ..."
  ReasonCode code = ReasonCode::kInvalidValue;
  // A second check, run when the first passes (membership in a code list, a check digit).
  bool (*member)(std::string_view) = nullptr;
  const char* member_message = nullptr;
  ReasonCode member_code = ReasonCode::kInvalidValue;
};

constexpr Rule kAnyString{nullptr, ""};
constexpr Rule kNonEmpty{non_empty, "must not be empty"};
constexpr Rule kChars35{chars_1_to<35>, "must be 1 to 35 characters"};
constexpr Rule kChars34{chars_1_to<34>, "must be 1 to 34 characters"};
constexpr Rule kChars140{chars_1_to<140>, "must be 1 to 140 characters"};
constexpr Rule kChars512{chars_1_to<512>, "must be 1 to 512 characters"};
constexpr Rule kEventId{event_id_ok, "must be 1 to 128 bytes"};
constexpr Rule kSchemaVersion{schema_version_ok, "must be a 1.x version such as \"1.0\"",
                              ReasonCode::kUnsupportedSchemaVersion};
constexpr Rule kTimestamp{nullptr, "must be an RFC 3339 timestamp with a zone, e.g. 2026-11-21T08:00:00Z"};
constexpr Rule kUtcTimestamp{nullptr, "must be an RFC 3339 timestamp in UTC, e.g. 2026-11-21T08:00:00Z"};
constexpr Rule kDate{date_ok, "must be a calendar date YYYY-MM-DD"};
constexpr Rule kAlpha3{upper3, "must be 3 uppercase letters (ISO 3166-1 alpha-3)", ReasonCode::kInvalidValue,
                       ids::is_country_alpha3, "is not an ISO 3166-1 alpha-3 country code",
                       ReasonCode::kUnknownCountry};
constexpr Rule kCountry{upper2, "must be 2 uppercase letters (ISO 3166-1 alpha-2)", ReasonCode::kInvalidValue,
                        ids::is_country_alpha2, "is not an ISO 3166-1 alpha-2 country code",
                        ReasonCode::kUnknownCountry};
constexpr Rule kSex{sex_ok, "must be F, M or X"};
constexpr Rule kDocNumber{doc_number_ok, "must be 1 to 20 uppercase letters or digits"};
constexpr Rule kDocType{doc_type_ok, "must be an ICAO 9303 document code such as P, PP, I, ID"};
constexpr Rule kCarrier{carrier_ok, "must be a 2-character IATA airline designator"};
constexpr Rule kFlightNumber{flight_number_ok, "must be 1 to 4 digits with an optional suffix letter"};
constexpr Rule kAirport{upper3, "must be a 3-letter IATA airport code"};
constexpr Rule kSeat{seat_ok, "must be a seat such as 23A (1 to 3 digits, a letter A-K)"};
constexpr Rule kLocator{locator_ok, "must be 5 to 8 uppercase letters or digits"};
constexpr Rule kFormOfPayment{form_of_payment_ok, "must be one of cash, card, invoice, voucher, miles, other"};
constexpr Rule kIataNumber{iata_number_ok, "must be a 7- or 8-digit IATA agency number"};
constexpr Rule kLrn{lrn_ok, "must be 1 to 22 letters or digits"};
constexpr Rule kTransportMode{transport_mode_ok, "must be one of sea, air, road, rail"};
constexpr Rule kImo{ids::imo_shape_ok, "must be a 7-digit IMO number", ReasonCode::kInvalidValue, ids::imo_ok,
                    "fails the IMO check digit", ReasonCode::kImoCheckDigit};
constexpr Rule kConveyanceFlight{conveyance_flight_ok, "must be a flight such as LH8400 (carrier and number)"};
constexpr Rule kUnlocode{ids::unlocode_shape_ok, "must be a UN/LOCODE such as NLRTM", ReasonCode::kInvalidValue,
                         unlocode_country_ok, "must start with an ISO 3166-1 alpha-2 country code",
                         ReasonCode::kUnknownCountry};
constexpr Rule kEori{eori_shape_ok, "must be an EORI number: a country code and 1 to 15 letters or digits",
                     ReasonCode::kInvalidValue, eori_country_ok, "must start with a known country code",
                     ReasonCode::kUnknownCountry};
constexpr Rule kHsCode{hs_code_ok, "must be 6 to 10 digits"};
constexpr Rule kPackageType{package_type_ok, "must be a 2-character UN/ECE Recommendation 21 code"};
constexpr Rule kContainer{ids::container_shape_ok,
                          "must be an ISO 6346 container number (owner code, U/J/Z, 6 digits, check digit)",
                          ReasonCode::kInvalidValue, container_digit_ok, "fails the ISO 6346 check digit",
                          ReasonCode::kContainerCheckDigit};
constexpr Rule kUuid{ids::uuid_v4_lowercase_ok, "must be a lowercase RFC 4122 version 4 UUID"};
constexpr Rule kCurrency{upper3, "must be 3 uppercase letters (ISO 4217)", ReasonCode::kInvalidValue, ids::is_currency,
                         "is not an active ISO 4217 currency code", ReasonCode::kUnknownCurrency};
constexpr Rule kBic{ids::bic_ok, "must be a BIC: 4 letters, a country code, 2 letters or digits, optionally 3 more",
                    ReasonCode::kInvalidBic};

constexpr const char* kAmountMessage = "must be a decimal string with 1 to 18 integer and up to 5 fraction digits";
constexpr const char* kMassMessage =
    "must be a decimal string greater than 0 with 1 to 12 integer and up to 3 fraction digits";

template <std::size_t N>
using Names = std::array<std::string_view, N>;

template <std::size_t N>
int find_name(const Names<N>& names, std::string_view key) {
  // Size and first byte reject almost every candidate before a full compare.
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i].size() == key.size() && !key.empty() && names[i][0] == key[0] && names[i] == key) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

constexpr std::uint64_t bit(int i) { return std::uint64_t{1} << i; }

// Field tables. The first three entries of every envelope are the common fields.
enum : int { kSchemaVersionF = 0, kEventIdF = 1, kEventTimeF = 2, kFirstKindField = 3 };
constexpr std::uint64_t kCommonRequired = bit(kSchemaVersionF) | bit(kEventIdF) | bit(kEventTimeF);

constexpr Names<6> kItineraryFields = {"schema_version", "event_id", "event_time", "flight", "pnr", "passengers"};
enum : int { kItnFlight = 3, kItnPnr, kItnPassengers };
constexpr Names<6> kFlightFields = {"carrier", "number", "departure_airport", "arrival_airport",
                                    "scheduled_departure", "scheduled_arrival"};
constexpr Names<4> kPnrFields = {"locator", "booking_date", "form_of_payment", "travel_agent"};
constexpr Names<2> kTravelAgentFields = {"name", "iata_number"};
constexpr Names<10> kPassengerFields = {"surname",  "given_names", "date_of_birth", "sex",  "nationality",
                                        "document", "embarkation", "debarkation",   "seat", "bags"};
enum : int {
  kPaxSurname = 0, kPaxGivenNames, kPaxDob, kPaxSex, kPaxNationality, kPaxDocument,
  kPaxEmbarkation, kPaxDebarkation, kPaxSeat, kPaxBags
};
constexpr Names<5> kDocumentFields = {"type", "number", "issuing_state", "expiry", "mrz"};

constexpr Names<15> kManifestFields = {"schema_version", "event_id", "event_time", "lrn", "transport_mode",
                                       "conveyance", "routing_countries", "place_of_loading",
                                       "place_of_unloading", "first_place_of_arrival", "estimated_arrival",
                                       "transport_document_number", "consignor", "consignee", "goods"};
enum : int {
  kManLrn = 3, kManMode, kManConveyance, kManRouting, kManLoading, kManUnloading, kManFirstArrival,
  kManEta, kManTransportDoc, kManConsignor, kManConsignee, kManGoods
};
constexpr Names<4> kConveyanceFields = {"imo", "flight", "name", "nationality"};
enum : int { kConvImo = 0, kConvFlight, kConvName, kConvNationality };
constexpr Names<4> kPartyFields = {"name", "address", "eori", "tin"};
constexpr Names<4> kAddressFields = {"street", "city", "postcode", "country"};
constexpr Names<6> kGoodsFields = {"hs_code", "description", "packages", "gross_mass_kg", "container", "seals"};
constexpr Names<2> kPackagesFields = {"count", "type"};

constexpr Names<13> kPaymentFields = {"schema_version", "event_id", "event_time", "message_id", "creation_time",
                                      "end_to_end_id", "uetr", "amount", "settlement_date", "debtor",
                                      "creditor", "intermediary_agents", "remittance_information"};
enum : int {
  kPayMessageId = 3, kPayCreationTime, kPayEndToEnd, kPayUetr, kPayAmount, kPaySettlementDate, kPayDebtor,
  kPayCreditor, kPayIntermediaries, kPayRemittance
};
constexpr Names<2> kAmountFields = {"value", "currency"};
constexpr Names<4> kPaymentPartyFields = {"name", "postal_country", "account", "agent_bic"};
constexpr Names<2> kAccountFields = {"iban", "other"};
constexpr Names<2> kOtherAccountFields = {"id", "scheme"};

constexpr std::int64_t kMsPerDay = 86'400'000;
std::int64_t floor_days(std::int64_t ms) { return ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay); }

// "YYYY-MM-DD" (already valid) against an MRZ "YYMMDD".
bool date_matches_mrz(std::string_view date, std::string_view mrz) {
  return date.size() == 10 && mrz.size() == 6 && date.substr(2, 2) == mrz.substr(0, 2) &&
         date.substr(5, 2) == mrz.substr(2, 2) && date.substr(8, 2) == mrz.substr(4, 2);
}

bool valid_number_token(std::string_view t) {  // RFC 8259 number grammar
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size()) return false;
  if (t[i] == '0') {
    ++i;
  } else if (is_digit(t[i])) {
    while (i < t.size() && is_digit(t[i])) ++i;
  } else {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    const std::size_t start = ++i;
    while (i < t.size() && is_digit(t[i])) ++i;
    if (i == start) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    if (i == start) return false;
  }
  return i == t.size();
}

std::string_view trim_json_ws(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r')) {
    t.remove_suffix(1);
  }
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.front() == '\n' || t.front() == '\r')) {
    t.remove_prefix(1);
  }
  return t;
}

bool valid_atom(od::json_type type, std::string_view token) {
  token = trim_json_ws(token);
  switch (type) {
    case od::json_type::number: return valid_number_token(token);
    case od::json_type::boolean: return token == "true" || token == "false";
    case od::json_type::null: return token == "null";
    default: return false;
  }
}

}  // namespace

struct EventParser::Impl {
  explicit Impl(const ParseOptions& o) : opts(o), parser(std::max<std::size_t>(o.max_event_bytes, 64)) {}

  const ParseOptions& opts;
  od::parser parser;
  std::vector<char> buffer;                     // padded copy of the payload
  std::vector<std::string_view> unknown_keys;  // stack of unknown keys, for duplicate detection
  Event event;

  // Per-parse state.
  std::vector<Violation>* out = nullptr;
  std::size_t first = 0;            // index of this parse's first violation in *out
  std::size_t field_violations = 0;
  bool structural = false;          // a syntax or depth error: the walk has stopped
  std::int64_t today = -1;          // see today_days()

  // ---- reporting ----

  void report(ReasonCode code, const PathSeg& p, std::string_view rule) {
    if (structural || field_violations >= kMaxFieldViolations) return;
    ++field_violations;
    Violation v{code, {}, {}};
    append_path(v.path, &p);
    v.message = v.path.empty() ? std::string(rule) : v.path + " " + std::string(rule);
    out->push_back(std::move(v));
  }

  // Warnings go to the event and do not reject it.
  void warn(ReasonCode code, const PathSeg& p, std::string_view rule) {
    Violation v{code, {}, {}};
    append_path(v.path, &p);
    v.message = v.path + " " + std::string(rule);
    event.warnings.push_back(std::move(v));
  }

  // Today (UTC) in days since the epoch, read from the clock at most once per parse.
  std::int64_t today_days() {
    if (today < 0) today = floor_days(timefmt::now_ms());
    return today;
  }

  // Structural errors replace any field findings of this parse and stop the walk.
  bool fail(ReasonCode code, std::string message) {
    if (structural) return false;
    structural = true;
    out->erase(out->begin() + static_cast<std::ptrdiff_t>(first), out->end());
    out->push_back(Violation{code, {}, std::move(message)});
    return false;
  }
  bool syntax(error_code e) {
    return fail(ReasonCode::kJsonSyntax, std::string("not well-formed JSON: ") + simdjson::error_message(e));
  }
  bool too_deep() {
    return fail(ReasonCode::kTooDeep, "nesting deeper than " + std::to_string(opts.max_depth) + " levels");
  }
  bool depth_ok(std::size_t depth) { return depth <= opts.max_depth || too_deep(); }

  // ---- generic walking ----

  // Keys without escapes are used in place (in our padded copy, live until the next parse);
  // only keys with a backslash are unescaped. Stage 1 has checked that every string is closed.
  bool read_key(od::field& field, std::string_view& key) {
    const char* raw = field.key().raw();
    std::size_t n = 0;
    while (raw[n] != '"' && raw[n] != '\\') ++n;
    if (raw[n] == '"') {
      key = std::string_view(raw, n);
      return true;
    }
    if (auto e = field.unescaped_key().get(key)) return syntax(e);
    return true;
  }

  // Consumes any value, validating it fully (unknown fields, wrong-typed values, duplicates).
  // `depth` is the depth the value has if it is a container.
  bool skip_value(od::value& v, std::size_t depth) {
    od::json_type t{};
    if (auto e = v.type().get(t)) return syntax(e);
    switch (t) {
      case od::json_type::array: {
        if (!depth_ok(depth)) return false;
        od::array arr;
        if (auto e = v.get_array().get(arr)) return syntax(e);
        for (auto element : arr) {
          if (element.error()) return syntax(element.error());
          if (!skip_value(element.value_unsafe(), depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::object: {
        if (!depth_ok(depth)) return false;
        od::object obj;
        if (auto e = v.get_object().get(obj)) return syntax(e);
        const std::size_t mark = unknown_keys.size();
        for (auto field : obj) {
          if (field.error()) return syntax(field.error());
          std::string_view key;
          if (!read_key(field.value_unsafe(), key)) return false;
          unknown_keys.push_back(key);
          if (!skip_value(field.value_unsafe().value(), depth + 1)) return false;
        }
        return check_unknown_duplicates(mark, nullptr);
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return syntax(e);
        return true;
      }
      default:
        // Scalars are left to the iterator to step over; check their grammar here.
        if (!valid_atom(t, v.raw_json_token())) return syntax(simdjson::TAPE_ERROR);
        return true;
    }
  }

  // Duplicate keys among the unknown keys pushed since `mark`; sorting keeps this O(n log n).
  bool check_unknown_duplicates(std::size_t mark, const PathSeg* path) {
    auto begin = unknown_keys.begin() + static_cast<std::ptrdiff_t>(mark);
    if (unknown_keys.size() - mark > 1) {
      std::sort(begin, unknown_keys.end());
      auto dup = std::adjacent_find(begin, unknown_keys.end());
      if (dup != unknown_keys.end()) {
        if (path != nullptr) {
          report(ReasonCode::kDuplicateKey, PathSeg{path, *dup, -1}, "appears more than once");
        } else {  // inside an ignored value: still a malformed record
          report(ReasonCode::kDuplicateKey, PathSeg{}, "an object has the same key twice");
        }
      }
    }
    unknown_keys.resize(mark);
    return !structural;
  }

  // Walks an object's fields: known keys go to on_field(index, value, path) once, repeated keys
  // are duplicate_key, unknown keys are validated and dropped, null counts as absent. Returns
  // the set of fields present.
  template <std::size_t N, class OnField>
  std::uint64_t walk_object(od::object& obj, const PathSeg& path, std::size_t depth, const Names<N>& names,
                            OnField&& on_field) {
    static_assert(N <= 64);
    std::uint64_t seen = 0;
    std::uint64_t present = 0;
    const std::size_t mark = unknown_keys.size();
    for (auto field_result : obj) {
      if (field_result.error()) {
        syntax(field_result.error());
        return present;
      }
      od::field& field = field_result.value_unsafe();
      std::string_view key;
      if (!read_key(field, key)) return present;
      od::value& value = field.value();
      const int idx = find_name(names, key);
      if (idx < 0) {
        unknown_keys.push_back(key);
        if (!skip_value(value, depth + 1)) return present;
        continue;
      }
      const PathSeg child{&path, names[static_cast<std::size_t>(idx)], -1};
      if (seen & bit(idx)) {
        report(ReasonCode::kDuplicateKey, child, "appears more than once");
        if (!skip_value(value, depth + 1)) return present;
        continue;
      }
      seen |= bit(idx);
      od::json_type t{};
      if (auto e = value.type().get(t)) {
        syntax(e);
        return present;
      }
      if (t == od::json_type::null) {
        if (!valid_atom(t, value.raw_json_token())) {
          syntax(simdjson::TAPE_ERROR);
          return present;
        }
        continue;
      }
      present |= bit(idx);
      on_field(idx, value, child);
      if (structural) return present;
    }
    check_unknown_duplicates(mark, &path);
    return present;
  }

  template <std::size_t N>
  void require(std::uint64_t present, std::uint64_t required, const PathSeg& path, const Names<N>& names) {
    for (std::size_t i = 0; i < N; ++i) {
      if ((required & bit(static_cast<int>(i))) && !(present & bit(static_cast<int>(i)))) {
        report(ReasonCode::kMissingField, PathSeg{&path, names[i], -1}, "is required");
      }
    }
  }

  // Reads a string and checks its rule. Other types are wrong_type (and still validated).
  // True when a string was read (whether or not it passed the rule).
  bool read_string(od::value& v, const PathSeg& p, std::size_t depth, std::string_view& out_value,
                   const Rule& rule) {
    od::json_type t{};
    if (auto e = v.type().get(t)) return syntax(e);
    if (t != od::json_type::string) {
      report(ReasonCode::kWrongType, p, "must be a string");
      skip_value(v, depth);
      return false;
    }
    if (auto e = v.get_string().get(out_value)) return syntax(e);
    check(out_value, p, rule);
    return true;
  }

  // Applies a rule to a string already read: its format check, then its second check.
  void check(std::string_view value, const PathSeg& p, const Rule& rule) {
    if (rule.check != nullptr && !rule.check(value)) {
      report(rule.code, p, rule.message);
    } else if (rule.member != nullptr && !rule.member(value)) {
      report(rule.member_code, p, rule.member_message);
    }
  }

  // Opens an object or array value; a value of another type is reported as wrong_type (and still
  // walked, so its contents are validated). False when it could not be opened.
  template <od::json_type Type, class Container>
  bool open_container(od::value& v, const PathSeg& p, std::size_t depth, Container& out) {
    od::json_type t{};
    if (auto e = v.type().get(t)) return syntax(e);
    if (t != Type) {
      report(ReasonCode::kWrongType, p, Type == od::json_type::object ? "must be an object" : "must be an array");
      skip_value(v, depth);
      return false;
    }
    if (!depth_ok(depth)) return false;
    if constexpr (Type == od::json_type::object) {
      if (auto e = v.get_object().get(out)) return syntax(e);
    } else {
      if (auto e = v.get_array().get(out)) return syntax(e);
    }
    return true;
  }
  bool open_object(od::value& v, const PathSeg& p, std::size_t depth, od::object& obj) {
    return open_container<od::json_type::object>(v, p, depth, obj);
  }
  bool open_array(od::value& v, const PathSeg& p, std::size_t depth, od::array& arr) {
    return open_container<od::json_type::array>(v, p, depth, arr);
  }

  // Walks an array: reports `limit_message` once when it grows past `limit`, and hands every
  // element to on_element(index, value, path), which returns false on a structural error.
  // Returns the number of elements, -1 when the value is not an array or the walk broke off.
  template <class OnElement>
  long walk_array(od::value& v, const PathSeg& p, std::size_t depth, std::size_t limit, const char* limit_message,
                  OnElement&& on_element) {
    od::array arr;
    if (!open_array(v, p, depth, arr)) return -1;
    std::size_t n = 0;
    for (auto element : arr) {
      if (element.error()) {
        syntax(element.error());
        return -1;
      }
      if (n == limit) report(ReasonCode::kInvalidValue, p, limit_message);
      const PathSeg item_path{&p, {}, static_cast<long>(n)};
      if (!on_element(n, element.value_unsafe(), item_path) || structural) return -1;
      ++n;
    }
    return static_cast<long>(n);
  }

  // Iterates an array of objects: on_item(index, object, path) for each element up to `limit`
  // (elements past it are skipped). Returns the number of elements, -1 when not an array.
  template <class OnItem>
  long walk_object_array(od::value& v, const PathSeg& p, std::size_t depth, std::size_t limit,
                         const char* limit_message, OnItem&& on_item) {
    return walk_array(v, p, depth, limit, limit_message, [&](std::size_t n, od::value& item, const PathSeg& path) {
      if (n >= limit) return skip_value(item, depth + 1);
      od::object obj;
      if (open_object(item, path, depth + 1, obj)) on_item(n, obj, path);
      return true;
    });
  }

  // ---- typed readers ----

  // Reads a timestamp; returns its epoch milliseconds when valid (and, with `utc`, in UTC).
  std::optional<std::int64_t> read_timestamp(od::value& v, const PathSeg& p, std::size_t depth,
                                             std::string_view& out_value, bool utc = false) {
    if (!read_string(v, p, depth, out_value, kAnyString)) return std::nullopt;
    auto ms = timefmt::parse_timestamp_ms(out_value);
    if (ms && utc && !(out_value.back() == 'Z' || out_value.back() == 'z' || out_value.ends_with("+00:00"))) {
      ms.reset();
    }
    if (!ms) report(ReasonCode::kInvalidValue, p, utc ? kUtcTimestamp.message : kTimestamp.message);
    return ms;
  }

  // An IATA airport: the format, then membership in the reference list when one is configured.
  void read_airport(od::value& v, const PathSeg& p, std::size_t depth, std::string_view& out_value) {
    if (!read_string(v, p, depth, out_value, kAirport)) return;
    if (opts.airports && upper3(out_value) && !opts.airports->contains(out_value)) {
      report(ReasonCode::kUnknownAirport, p, "is not an airport in the IATA reference list");
    }
  }

  void read_iban(od::value& v, const PathSeg& p, std::size_t depth, std::string_view& out_value) {
    if (!read_string(v, p, depth, out_value, kAnyString)) return;
    switch (ids::validate_iban(out_value)) {
      case ids::IbanStatus::kOk: break;
      case ids::IbanStatus::kFormat:
        report(ReasonCode::kInvalidValue, p,
               "must be an IBAN in compact form: 2 letters, 2 check digits, then uppercase letters and digits");
        break;
      case ids::IbanStatus::kLength:
        report(ReasonCode::kIbanLength, p, "has the wrong length for its country, or the country has no IBANs");
        break;
      case ids::IbanStatus::kCheckDigits: report(ReasonCode::kIbanCheckDigits, p, "fails the IBAN mod-97 check"); break;
    }
  }

  // A JSON integer in [lo, hi]; other numbers are invalid_value, other types wrong_type.
  std::optional<std::int64_t> read_integer(od::value& v, const PathSeg& p, std::size_t depth, std::int64_t lo,
                                           std::int64_t hi, const char* message) {
    od::json_type t{};
    if (auto e = v.type().get(t)) {
      syntax(e);
      return std::nullopt;
    }
    if (t != od::json_type::number) {
      report(ReasonCode::kWrongType, p, "must be a JSON number");
      skip_value(v, depth);
      return std::nullopt;
    }
    const std::string_view token = trim_json_ws(v.raw_json_token());
    if (!valid_number_token(token)) {
      syntax(simdjson::TAPE_ERROR);
      return std::nullopt;
    }
    if (token.size() <= 9 && all_of(token, is_digit)) {  // the grammar has ruled out leading zeros
      std::int64_t n = 0;
      for (char c : token) n = n * 10 + (c - '0');
      if (n >= lo && n <= hi) return n;
    }
    report(ReasonCode::kInvalidValue, p, message);
    return std::nullopt;
  }

  // An exact decimal string (a JSON number is wrong_type: binary floats lose cents). Returns the
  // number of fraction digits when valid.
  std::optional<int> read_decimal(od::value& v, const PathSeg& p, std::size_t depth, std::string_view& out_value,
                                  int max_int, int max_frac, bool positive, const char* message) {
    od::json_type t{};
    if (auto e = v.type().get(t)) {
      syntax(e);
      return std::nullopt;
    }
    if (t == od::json_type::number) {
      report(ReasonCode::kWrongType, p, "must be a decimal string such as \"12500.00\", not a JSON number");
      skip_value(v, depth);
      return std::nullopt;
    }
    if (!read_string(v, p, depth, out_value, kAnyString)) return std::nullopt;
    const int frac = ids::decimal_fraction_digits(out_value, max_int, max_frac);
    if (frac < 0 || (positive && !ids::decimal_positive(out_value))) {
      report(ReasonCode::kInvalidAmount, p, message);
      return std::nullopt;
    }
    return frac;
  }

  // Iterates an array of strings: on_item(index, string, path) for each string element up to
  // `limit`; other element types are wrong_type. Returns the number of elements and sets
  // `all_strings`; -1 when the value is not an array.
  template <class OnItem>
  long walk_string_array(od::value& v, const PathSeg& p, std::size_t depth, std::size_t limit,
                         const char* limit_message, bool& all_strings, OnItem&& on_item) {
    all_strings = true;
    return walk_array(v, p, depth, limit, limit_message, [&](std::size_t n, od::value& item, const PathSeg& path) {
      od::json_type t{};
      if (auto e = item.type().get(t)) return syntax(e);
      if (t != od::json_type::string) {
        all_strings = false;
        report(ReasonCode::kWrongType, path, "must be a string");
        return skip_value(item, depth + 1);
      }
      std::string_view str;
      if (auto e = item.get_string().get(str)) return syntax(e);
      if (n < limit) on_item(n, str, path);
      return true;
    });
  }

  // ---- the envelope and the three kinds ----

  void common_field(int idx, od::value& v, const PathSeg& p) {
    switch (idx) {
      case kSchemaVersionF: read_string(v, p, 2, event.schema_version, kSchemaVersion); break;
      case kEventIdF: read_string(v, p, 2, event.event_id, kEventId); break;
      case kEventTimeF:
        if (auto ms = read_timestamp(v, p, 2, event.event_time)) event.event_time_ms = *ms;
        break;
      default: break;
    }
  }

  void parse_itinerary(od::object& root, const PathSeg& rp) {
    Itinerary& it = event.itinerary;
    std::optional<std::int64_t> departure_ms, arrival_ms;
    const auto present = walk_object(root, rp, 1, kItineraryFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kItnFlight: {
          if (!open_object(v, p, 2, obj)) return;
          const auto fp_present = walk_object(obj, p, 2, kFlightFields, [&](int f, od::value& fv, const PathSeg& fp) {
            Flight& fl = it.flight;
            switch (f) {
              case 0: read_string(fv, fp, 3, fl.carrier, kCarrier); break;
              case 1: read_string(fv, fp, 3, fl.number, kFlightNumber); break;
              case 2: read_airport(fv, fp, 3, fl.departure_airport); break;
              case 3: read_airport(fv, fp, 3, fl.arrival_airport); break;
              case 4: departure_ms = read_timestamp(fv, fp, 3, fl.scheduled_departure, true); break;
              case 5: arrival_ms = read_timestamp(fv, fp, 3, fl.scheduled_arrival, true); break;
              default: break;
            }
          });
          require(fp_present, bit(0) | bit(1) | bit(2) | bit(3) | bit(4) | bit(5), p, kFlightFields);
          break;
        }
        case kItnPnr: {
          if (!open_object(v, p, 2, obj)) return;
          Pnr& pnr = it.pnr;
          pnr.present = true;
          const auto pp = walk_object(obj, p, 2, kPnrFields, [&](int f, od::value& fv, const PathSeg& fp) {
            switch (f) {
              case 0: read_string(fv, fp, 3, pnr.locator, kLocator); break;
              case 1: read_string(fv, fp, 3, pnr.booking_date, kDate); break;
              case 2: read_string(fv, fp, 3, pnr.form_of_payment, kFormOfPayment); break;
              case 3: {
                od::object ao;
                if (!open_object(fv, fp, 3, ao)) return;
                walk_object(ao, fp, 3, kTravelAgentFields, [&](int g, od::value& gv, const PathSeg& gp) {
                  if (g == 0) read_string(gv, gp, 4, pnr.travel_agent.name, kAnyString);
                  else read_string(gv, gp, 4, pnr.travel_agent.iata_number, kIataNumber);
                });
                break;
              }
              default: break;
            }
          });
          require(pp, bit(0), p, kPnrFields);
          break;
        }
        case kItnPassengers: {
          const long n = walk_object_array(
              v, p, 2, kMaxPassengers, "must have at most 999 passengers",
              [&](std::size_t, od::object& po, const PathSeg& pp) { parse_passenger(po, pp); });
          if (!structural && n == 0) report(ReasonCode::kInvalidValue, p, "must contain at least one passenger");
          break;
        }
        default: common_field(idx, v, p);
      }
    });
    require(present, kCommonRequired | bit(kItnFlight) | bit(kItnPassengers), rp, kItineraryFields);
    if (structural) return;

    // Checks across fields, once everything has been read (JSON objects have no key order).
    const PathSeg flight_path{&rp, "flight", -1};
    if (departure_ms && arrival_ms && *arrival_ms < *departure_ms) {
      report(ReasonCode::kArrivalBeforeDeparture, PathSeg{&flight_path, "scheduled_arrival", -1},
             "is earlier than scheduled_departure");
    }
    if (!departure_ms) return;
    const std::int64_t departure_day = floor_days(*departure_ms);
    if (auto booked = timefmt::parse_date_days(it.pnr.booking_date); booked && *booked > departure_day) {
      const PathSeg pnr_path{&rp, "pnr", -1};
      report(ReasonCode::kInvalidValue, PathSeg{&pnr_path, "booking_date", -1},
             "must not be after the scheduled departure date");
    }
    const PathSeg pax_path{&rp, "passengers", -1};
    for (std::size_t i = 0; i < it.passengers.size(); ++i) {
      const auto expiry = timefmt::parse_date_days(it.passengers[i].document.expiry);
      if (!expiry || *expiry >= departure_day) continue;
      const PathSeg item{&pax_path, {}, static_cast<long>(i)};
      const PathSeg doc{&item, "document", -1};
      warn(ReasonCode::kDocumentExpired, PathSeg{&doc, "expiry", -1}, "is before the scheduled departure date");
    }
  }

  void parse_passenger(od::object& obj, const PathSeg& pp) {
    Passenger& pax = event.itinerary.passengers.emplace_back();
    TravelDocument& d = pax.document;
    bool mrz_present = false, mrz_strings = false;
    long mrz_count = 0;
    const auto present = walk_object(obj, pp, 3, kPassengerFields, [&](int f, od::value& v, const PathSeg& p) {
      switch (f) {
        case kPaxSurname: read_string(v, p, 4, pax.surname, kNonEmpty); break;
        case kPaxGivenNames: read_string(v, p, 4, pax.given_names, kAnyString); break;
        case kPaxDob:
          if (read_string(v, p, 4, pax.date_of_birth, kDate)) {
            const auto dob = timefmt::parse_date_days(pax.date_of_birth);
            if (dob && *dob > today_days()) report(ReasonCode::kInvalidValue, p, "must not be in the future");
          }
          break;
        case kPaxSex: read_string(v, p, 4, pax.sex, kSex); break;
        case kPaxNationality: read_string(v, p, 4, pax.nationality, kAlpha3); break;
        case kPaxDocument: {
          od::object dobj;
          if (!open_object(v, p, 4, dobj)) return;
          const auto dp = walk_object(dobj, p, 4, kDocumentFields, [&](int g, od::value& dv, const PathSeg& fp) {
            switch (g) {
              case 0: read_string(dv, fp, 5, d.type, kDocType); break;
              case 1: read_string(dv, fp, 5, d.number, kDocNumber); break;
              case 2: read_string(dv, fp, 5, d.issuing_state, kAlpha3); break;
              case 3: read_string(dv, fp, 5, d.expiry, kDate); break;
              case 4:
                mrz_present = true;
                mrz_count = walk_string_array(dv, fp, 5, d.mrz.size(), "must have 2 lines (TD3) or 3 lines (TD1)",
                                              mrz_strings, [&](std::size_t i, std::string_view s, const PathSeg&) {
                                                d.mrz[i] = s;
                                                d.mrz_lines = static_cast<std::uint8_t>(i + 1);
                                              });
                break;
              default: break;
            }
          });
          require(dp, bit(0) | bit(1) | bit(2) | bit(3), p, kDocumentFields);
          break;
        }
        case kPaxEmbarkation: read_airport(v, p, 4, pax.embarkation); break;
        case kPaxDebarkation: read_airport(v, p, 4, pax.debarkation); break;
        case kPaxSeat: read_string(v, p, 4, pax.seat, kSeat); break;
        case kPaxBags:
          if (auto n = read_integer(v, p, 4, 0, 99, "must be an integer from 0 to 99")) {
            pax.bags = static_cast<std::int16_t>(*n);
          }
          break;
        default: break;
      }
    });
    require(present, bit(kPaxSurname) | bit(kPaxDob) | bit(kPaxNationality) | bit(kPaxDocument), pp,
            kPassengerFields);
    if (structural || !mrz_present || !mrz_strings || mrz_count < 0 || mrz_count > 3) return;
    const PathSeg doc_path{&pp, "document", -1};
    const PathSeg mrz_path{&doc_path, "mrz", -1};
    check_mrz(pax, mrz_path);
  }

  void check_mrz(const Passenger& pax, const PathSeg& p) {
    const TravelDocument& d = pax.document;
    ids::MrzError error{};
    const auto mrz = ids::parse_mrz(std::span<const std::string_view>(d.mrz.data(), d.mrz_lines), &error);
    if (!mrz) {
      switch (error) {
        case ids::MrzError::kLineCount: report(ReasonCode::kMrzFormat, p, "must have 2 lines (TD3) or 3 lines (TD1)"); break;
        case ids::MrzError::kLineLength:
          report(ReasonCode::kMrzFormat, p, "lines must be 44 characters (TD3) or 30 characters (TD1)");
          break;
        default: report(ReasonCode::kMrzFormat, p, "must contain only A-Z, 0-9 and <"); break;
      }
      return;
    }
    if (!mrz->document_number_ok) report(ReasonCode::kMrzCheckDigit, p, "check digit of the document number fails");
    if (!mrz->date_of_birth_ok) report(ReasonCode::kMrzCheckDigit, p, "check digit of the date of birth fails");
    if (!mrz->expiry_ok) report(ReasonCode::kMrzCheckDigit, p, "check digit of the expiry date fails");
    if (!mrz->composite_ok) report(ReasonCode::kMrzCheckDigit, p, "composite check digit fails");
    const std::string_view number = d.number;
    const std::string_view head = mrz->document_number, tail = mrz->document_number_overflow;
    if (doc_number_ok(number) &&
        !(number.size() == head.size() + tail.size() && number.starts_with(head) && number.ends_with(tail))) {
      report(ReasonCode::kMrzMismatch, p, "document number disagrees with document.number");
    }
    if (date_ok(pax.date_of_birth) && !date_matches_mrz(pax.date_of_birth, mrz->date_of_birth)) {
      report(ReasonCode::kMrzMismatch, p, "date of birth disagrees with date_of_birth");
    }
    if (date_ok(d.expiry) && !date_matches_mrz(d.expiry, mrz->expiry)) {
      report(ReasonCode::kMrzMismatch, p, "expiry date disagrees with document.expiry");
    }
  }

  // Parties of a manifest: name and address (with its country) required.
  void parse_party(od::value& v, const PathSeg& p, Party& party) {
    od::object obj;
    if (!open_object(v, p, 2, obj)) return;
    const auto present = walk_object(obj, p, 2, kPartyFields, [&](int f, od::value& fv, const PathSeg& fp) {
      switch (f) {
        case 0: read_string(fv, fp, 3, party.name, kNonEmpty); break;
        case 1: {
          od::object ao;
          if (!open_object(fv, fp, 3, ao)) return;
          Address& a = party.address;
          const auto ap = walk_object(ao, fp, 3, kAddressFields, [&](int g, od::value& gv, const PathSeg& gp) {
            switch (g) {
              case 0: read_string(gv, gp, 4, a.street, kAnyString); break;
              case 1: read_string(gv, gp, 4, a.city, kAnyString); break;
              case 2: read_string(gv, gp, 4, a.postcode, kAnyString); break;
              case 3: read_string(gv, gp, 4, a.country, kCountry); break;
              default: break;
            }
          });
          require(ap, bit(3), fp, kAddressFields);
          break;
        }
        case 2: read_string(fv, fp, 3, party.eori, kEori); break;
        case 3: read_string(fv, fp, 3, party.tin, kAnyString); break;
        default: break;
      }
    });
    require(present, bit(0) | bit(1), p, kPartyFields);
  }

  void parse_goods_item(od::object& go, const PathSeg& gp) {
    Manifest& m = event.manifest;
    GoodsItem& g = m.goods.emplace_back();
    g.seals_begin = static_cast<std::uint32_t>(m.seals.size());
    const auto present = walk_object(go, gp, 3, kGoodsFields, [&](int f, od::value& fv, const PathSeg& fp) {
      switch (f) {
        case 0: read_string(fv, fp, 4, g.hs_code, kHsCode); break;
        case 1: read_string(fv, fp, 4, g.description, kChars512); break;
        case 2: {
          od::object po;
          if (!open_object(fv, fp, 4, po)) return;
          const auto pp = walk_object(po, fp, 4, kPackagesFields, [&](int k, od::value& kv, const PathSeg& kp) {
            if (k == 1) {
              read_string(kv, kp, 5, g.package_type, kPackageType);
            } else if (auto n = read_integer(kv, kp, 5, 1, 999'999, "must be an integer from 1 to 999999")) {
              g.package_count = static_cast<std::uint32_t>(*n);
            }
          });
          require(pp, bit(0), fp, kPackagesFields);
          break;
        }
        case 3: read_decimal(fv, fp, 4, g.gross_mass_kg, 12, 3, true, kMassMessage); break;
        case 4: read_string(fv, fp, 4, g.container, kContainer); break;
        case 5: {
          bool strings = true;
          walk_string_array(fv, fp, 4, 99, "must have at most 99 seals", strings,
                            [&](std::size_t, std::string_view s, const PathSeg& sp) {
                              if (!chars_1_to<35>(s)) report(ReasonCode::kInvalidValue, sp, kChars35.message);
                              m.seals.push_back(s);
                              ++g.seals_count;
                            });
          break;
        }
        default: break;
      }
    });
    require(present, bit(0) | bit(1) | bit(2) | bit(3), gp, kGoodsFields);
  }

  void parse_manifest(od::object& root, const PathSeg& rp) {
    Manifest& m = event.manifest;
    std::uint64_t conveyance_present = 0;
    const auto present = walk_object(root, rp, 1, kManifestFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kManLrn: read_string(v, p, 2, m.lrn, kLrn); break;
        case kManMode: read_string(v, p, 2, m.transport_mode, kTransportMode); break;
        case kManConveyance:
          if (!open_object(v, p, 2, obj)) return;
          conveyance_present = walk_object(obj, p, 2, kConveyanceFields, [&](int f, od::value& fv, const PathSeg& fp) {
            switch (f) {
              case kConvImo: read_string(fv, fp, 3, m.conveyance.imo, kImo); break;
              case kConvFlight: read_string(fv, fp, 3, m.conveyance.flight, kConveyanceFlight); break;
              case kConvName: read_string(fv, fp, 3, m.conveyance.name, kAnyString); break;
              case kConvNationality: read_string(fv, fp, 3, m.conveyance.nationality, kCountry); break;
              default: break;
            }
          });
          // An object was sent: remember that, even when it is empty.
          conveyance_present |= bit(63);
          break;
        case kManRouting: {
          bool strings = true;
          const long n = walk_string_array(v, p, 2, 99, "must have at most 99 countries", strings,
                                           [&](std::size_t, std::string_view s, const PathSeg& sp) {
                                             check(s, sp, kCountry);
                                             m.routing_countries.push_back(s);
                                           });
          if (!structural && n == 0) report(ReasonCode::kInvalidValue, p, "must contain at least one country");
          break;
        }
        case kManLoading: read_string(v, p, 2, m.place_of_loading, kUnlocode); break;
        case kManUnloading: read_string(v, p, 2, m.place_of_unloading, kUnlocode); break;
        case kManFirstArrival: read_string(v, p, 2, m.first_place_of_arrival, kUnlocode); break;
        case kManEta: read_timestamp(v, p, 2, m.estimated_arrival); break;
        case kManTransportDoc: read_string(v, p, 2, m.transport_document_number, kChars35); break;
        case kManConsignor: parse_party(v, p, m.consignor); break;
        case kManConsignee: parse_party(v, p, m.consignee); break;
        case kManGoods: {
          const long n = walk_object_array(
              v, p, 2, kMaxGoods, "must have at most 9999 items",
              [&](std::size_t, od::object& go, const PathSeg& gp) { parse_goods_item(go, gp); });
          if (!structural && n == 0) report(ReasonCode::kInvalidValue, p, "must contain at least one item");
          break;
        }
        default: common_field(idx, v, p);
      }
    });
    require(present,
            kCommonRequired | bit(kManLrn) | bit(kManMode) | bit(kManConveyance) | bit(kManLoading) |
                bit(kManUnloading) | bit(kManFirstArrival) | bit(kManEta) | bit(kManTransportDoc) |
                bit(kManConsignor) | bit(kManConsignee) | bit(kManGoods),
            rp, kManifestFields);
    if (structural || !(conveyance_present & bit(63))) return;
    // What the conveyance must identify depends on the transport mode.
    const PathSeg cp{&rp, "conveyance", -1};
    if (m.transport_mode == "sea") require(conveyance_present, bit(kConvImo), cp, kConveyanceFields);
    if (m.transport_mode == "air") require(conveyance_present, bit(kConvFlight), cp, kConveyanceFields);
  }

  void parse_payment_party(od::value& v, const PathSeg& p, PaymentParty& party) {
    od::object obj;
    if (!open_object(v, p, 2, obj)) return;
    const auto present = walk_object(obj, p, 2, kPaymentPartyFields, [&](int f, od::value& fv, const PathSeg& fp) {
      switch (f) {
        case 0: read_string(fv, fp, 3, party.name, kChars140); break;
        case 1: read_string(fv, fp, 3, party.country, kCountry); break;
        case 2: {
          od::object ao;
          if (!open_object(fv, fp, 3, ao)) return;
          const auto ap = walk_object(ao, fp, 3, kAccountFields, [&](int g, od::value& gv, const PathSeg& gp) {
            if (g == 0) {
              read_iban(gv, gp, 4, party.iban);
              return;
            }
            od::object oo;
            if (!open_object(gv, gp, 4, oo)) return;
            const auto op = walk_object(oo, gp, 4, kOtherAccountFields, [&](int k, od::value& kv, const PathSeg& kp) {
              if (k == 0) read_string(kv, kp, 5, party.other_id, kChars34);
              else read_string(kv, kp, 5, party.other_scheme, kChars35);
            });
            require(op, bit(0), gp, kOtherAccountFields);
          });
          if (structural) return;
          if ((ap & bit(0)) && (ap & bit(1))) {
            report(ReasonCode::kInvalidValue, fp, "must have exactly one of iban and other, not both");
          } else if (!(ap & (bit(0) | bit(1)))) {
            report(ReasonCode::kMissingField, PathSeg{&fp, "iban", -1}, "is required (or account.other)");
          }
          break;
        }
        case 3: read_string(fv, fp, 3, party.agent_bic, kBic); break;
        default: break;
      }
    });
    require(present, bit(0) | bit(2) | bit(3), p, kPaymentPartyFields);
  }

  void parse_payment(od::object& root, const PathSeg& rp) {
    Payment& pay = event.payment;
    std::optional<int> fraction_digits;
    const auto present = walk_object(root, rp, 1, kPaymentFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kPayMessageId: read_string(v, p, 2, pay.message_id, kChars35); break;
        case kPayCreationTime: read_timestamp(v, p, 2, pay.creation_time); break;
        case kPayEndToEnd: read_string(v, p, 2, pay.end_to_end_id, kChars35); break;
        case kPayUetr: read_string(v, p, 2, pay.uetr, kUuid); break;
        case kPayAmount: {
          if (!open_object(v, p, 2, obj)) return;
          const auto ap = walk_object(obj, p, 2, kAmountFields, [&](int f, od::value& fv, const PathSeg& fp) {
            if (f == 1) read_string(fv, fp, 3, pay.currency, kCurrency);
            else fraction_digits = read_decimal(fv, fp, 3, pay.amount, 18, 5, false, kAmountMessage);
          });
          require(ap, bit(0) | bit(1), p, kAmountFields);
          if (structural || !fraction_digits) break;
          if (const auto minor = ids::currency_minor_units(pay.currency); minor && *fraction_digits > *minor) {
            report(ReasonCode::kInvalidAmount, PathSeg{&p, "value", -1},
                   "has more fraction digits than the currency's minor units (ISO 4217)");
          }
          break;
        }
        case kPaySettlementDate: read_string(v, p, 2, pay.settlement_date, kDate); break;
        case kPayDebtor: parse_payment_party(v, p, pay.debtor); break;
        case kPayCreditor: parse_payment_party(v, p, pay.creditor); break;
        case kPayIntermediaries: {
          bool strings = true;
          walk_string_array(v, p, 2, pay.intermediary_agents.size(), "must have at most 3 agents", strings,
                            [&](std::size_t i, std::string_view s, const PathSeg& sp) {
                              check(s, sp, kBic);
                              pay.intermediary_agents[i] = s;
                              pay.intermediary_agent_count = static_cast<std::uint8_t>(i + 1);
                            });
          break;
        }
        case kPayRemittance: read_string(v, p, 2, pay.remittance_information, kChars140); break;
        default: common_field(idx, v, p);
      }
    });
    require(present,
            kCommonRequired | bit(kPayMessageId) | bit(kPayCreationTime) | bit(kPayEndToEnd) | bit(kPayUetr) |
                bit(kPayAmount) | bit(kPaySettlementDate) | bit(kPayDebtor) | bit(kPayCreditor),
            rp, kPaymentFields);
  }

  // A top level that is not an object: syntax errors still win over not_an_object.
  void non_object_root(od::document& doc, od::json_type t, std::string_view payload) {
    if (t == od::json_type::array) {
      od::array arr;
      if (auto e = doc.get_array().get(arr)) return (void)syntax(e);
      for (auto element : arr) {
        if (element.error()) return (void)syntax(element.error());
        if (!skip_value(element.value_unsafe(), 2)) return;
      }
      if (!at_end(doc)) return;
    } else if (t == od::json_type::string) {
      std::string_view s;
      if (auto e = doc.get_string().get(s)) return (void)syntax(e);
      if (!at_end(doc)) return;
    } else if (!valid_atom(t, payload)) {
      return (void)syntax(simdjson::TAPE_ERROR);
    }
    fail(ReasonCode::kNotAnObject, "the top level must be a JSON object");
  }

  bool at_end(od::document& doc) {
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == simdjson::OUT_OF_BOUNDS) return true;
    return fail(ReasonCode::kJsonSyntax, "not well-formed JSON: content after the top-level value");
  }

  const Event* parse(EventKind kind, std::string_view payload, std::vector<Violation>& violations) {
    out = &violations;
    first = violations.size();
    field_violations = 0;
    structural = false;
    today = -1;
    unknown_keys.clear();
    event.clear();
    event.kind = kind;

    if (payload.empty()) {
      fail(ReasonCode::kEmptyPayload, "the record value is empty");
      return nullptr;
    }
    if (payload.size() > opts.max_event_bytes) {
      fail(ReasonCode::kOversized, "the record is larger than " + std::to_string(opts.max_event_bytes) + " bytes");
      return nullptr;
    }
    if (!simdjson::validate_utf8(payload.data(), payload.size())) {
      fail(ReasonCode::kInvalidUtf8, "the record is not valid UTF-8");
      return nullptr;
    }
    // Kafka buffers are not padded: copy into a reused buffer with SIMDJSON_PADDING spare bytes.
    const std::size_t needed = payload.size() + simdjson::SIMDJSON_PADDING;
    if (buffer.size() < needed) buffer.resize(std::max(needed, buffer.size() * 2));
    std::memcpy(buffer.data(), payload.data(), payload.size());
    std::memset(buffer.data() + payload.size(), 0, simdjson::SIMDJSON_PADDING);
    const std::string_view padded(buffer.data(), payload.size());

    od::document doc;
    if (auto e = parser.iterate(padded, buffer.size()).get(doc)) {
      syntax(e);
      return nullptr;
    }
    od::json_type t{};
    if (auto e = doc.type().get(t)) {
      syntax(e);
      return nullptr;
    }
    if (t != od::json_type::object) {
      non_object_root(doc, t, padded);
      return nullptr;
    }
    od::object root;
    if (auto e = doc.get_object().get(root)) {
      syntax(e);
      return nullptr;
    }
    if (opts.max_depth < 1) {
      too_deep();
      return nullptr;
    }
    const PathSeg rp{};
    switch (kind) {
      case EventKind::kItinerary: parse_itinerary(root, rp); break;
      case EventKind::kManifest: parse_manifest(root, rp); break;
      case EventKind::kPayment: parse_payment(root, rp); break;
    }
    if (!structural) at_end(doc);
    return violations.size() == first ? &event : nullptr;
  }
};

EventParser::EventParser(ParseOptions options)
    : options_(options), impl_(std::make_unique<Impl>(options_)) {}

EventParser::~EventParser() = default;

const Event* EventParser::parse(EventKind kind, std::string_view payload, std::vector<Violation>& violations) {
  return impl_->parse(kind, payload, violations);
}

}  // namespace crosscheck::schemas
