#include "crosscheck/schemas/event_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include <simdjson.h>

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

bool non_empty(std::string_view s) { return !s.empty(); }
bool event_id_ok(std::string_view s) { return !s.empty() && s.size() <= 128; }
bool schema_version_ok(std::string_view s) {  // ^1\.[0-9]+$
  return s.size() >= 3 && s[0] == '1' && s[1] == '.' && all_of(s.substr(2), is_digit);
}
bool date_ok(std::string_view s) { return timefmt::parse_date_days(s).has_value(); }
bool upper3(std::string_view s) { return s.size() == 3 && all_of(s, is_upper); }
bool upper2(std::string_view s) { return s.size() == 2 && all_of(s, is_upper); }
bool sex_ok(std::string_view s) { return s == "F" || s == "M" || s == "X"; }
bool doc_number_ok(std::string_view s) { return !s.empty() && s.size() <= 20 && all_of(s, is_alnum); }
bool doc_type_ok(std::string_view s) { return !s.empty() && s.size() <= 2 && all_of(s, is_upper); }
bool carrier_ok(std::string_view s) { return s.size() == 2 && all_of(s, is_upper_alnum); }
bool flight_number_ok(std::string_view s) {  // 1-4 digits plus an optional suffix letter
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > 4) return false;
  return n == s.size() || (n + 1 == s.size() && is_upper(s[n]));
}
bool transport_mode_ok(std::string_view s) { return s == "sea" || s == "air" || s == "road" || s == "rail"; }
bool imo_ok(std::string_view s) {  // 7 digits; the last is sum(d[i] * (7 - i)) mod 10
  if (s.size() != 7 || !all_of(s, is_digit)) return false;
  int sum = 0;
  for (int i = 0; i < 6; ++i) sum += (s[static_cast<std::size_t>(i)] - '0') * (7 - i);
  return sum % 10 == s[6] - '0';
}
bool hs_code_ok(std::string_view s) { return s.size() >= 6 && s.size() <= 10 && all_of(s, is_digit); }
bool container_ok(std::string_view s) {  // ISO 6346 shape: owner code + category, serial, check digit
  return s.size() == 11 && all_of(s.substr(0, 4), is_upper) && all_of(s.substr(4), is_digit);
}
bool amount_ok(std::string_view s) {  // ^[0-9]{1,18}(\.[0-9]{1,5})?$
  std::size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  if (n == 0 || n > 18) return false;
  if (n == s.size()) return true;
  const std::string_view frac = s.substr(n + 1);
  return s[n] == '.' && !frac.empty() && frac.size() <= 5 && all_of(frac, is_digit);
}
bool iban_ok(std::string_view s) {
  if (s.size() < 15 || s.size() > 34 || !all_of(s, is_upper_alnum)) return false;
  if (!is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) return false;
  // ISO 13616 mod-97: move the first four characters to the end, letters become 10..35.
  // Reduce only when the accumulator could overflow on the next step (it stays < 1e16 * 100).
  std::uint64_t rem = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i + 4 < s.size() ? i + 4 : i + 4 - s.size()];
    if (is_digit(c)) rem = rem * 10 + static_cast<std::uint64_t>(c - '0');
    else rem = rem * 100 + static_cast<std::uint64_t>(c - 'A' + 10);
    if (rem >= 10'000'000'000'000'000ULL) rem %= 97;
  }
  return rem % 97 == 1;
}
bool bic_ok(std::string_view s) {
  if (s.size() != 8 && s.size() != 11) return false;
  return all_of(s.substr(0, 6), is_upper) && all_of(s.substr(6), is_upper_alnum);
}

struct Rule {
  bool (*check)(std::string_view);
  const char* message;  // completes "<path> ..."
  ReasonCode code = ReasonCode::kInvalidValue;
};

constexpr Rule kAnyString{nullptr, ""};
constexpr Rule kNonEmpty{non_empty, "must not be empty"};
constexpr Rule kEventId{event_id_ok, "must be 1 to 128 bytes"};
constexpr Rule kSchemaVersion{schema_version_ok, "must be a 1.x version such as \"1.0\"",
                              ReasonCode::kUnsupportedSchemaVersion};
constexpr Rule kTimestamp{nullptr, "must be an RFC 3339 timestamp with a zone, e.g. 2026-11-21T08:00:00Z"};
constexpr Rule kDate{date_ok, "must be a calendar date YYYY-MM-DD"};
constexpr Rule kAlpha3{upper3, "must be 3 uppercase letters (ISO 3166-1 alpha-3)"};
constexpr Rule kCountry{upper2, "must be 2 uppercase letters (ISO 3166-1 alpha-2)"};
constexpr Rule kSex{sex_ok, "must be F, M or X"};
constexpr Rule kDocNumber{doc_number_ok, "must be 1 to 20 letters or digits"};
constexpr Rule kDocType{doc_type_ok, "must be 1 or 2 uppercase letters (ICAO 9303 document code)"};
constexpr Rule kCarrier{carrier_ok, "must be a 2-character IATA airline designator"};
constexpr Rule kFlightNumber{flight_number_ok, "must be 1 to 4 digits with an optional suffix letter"};
constexpr Rule kAirport{upper3, "must be a 3-letter IATA airport code"};
constexpr Rule kTransportMode{transport_mode_ok, "must be one of sea, air, road, rail"};
constexpr Rule kImo{imo_ok, "must be a 7-digit IMO number with a valid check digit"};
constexpr Rule kHsCode{hs_code_ok, "must be 6 to 10 digits"};
constexpr Rule kContainer{container_ok, "must be an ISO 6346 container number (4 letters, 7 digits)"};
constexpr Rule kAmount{amount_ok, "must be a decimal string with up to 18 integer and 5 fraction digits"};
constexpr Rule kCurrency{upper3, "must be 3 uppercase letters (ISO 4217)"};
constexpr Rule kIban{iban_ok, "must be a valid IBAN in compact form (15 to 34 characters, mod-97 check)"};
constexpr Rule kBic{bic_ok, "must be an 8- or 11-character BIC"};

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
constexpr Names<1> kPnrFields = {"locator"};
constexpr Names<6> kPassengerFields = {"surname", "given_names", "date_of_birth", "sex", "nationality", "document"};
enum : int { kPaxSurname = 0, kPaxGivenNames, kPaxDob, kPaxSex, kPaxNationality, kPaxDocument };
constexpr Names<4> kDocumentFields = {"type", "number", "issuing_state", "expiry"};

constexpr Names<9> kManifestFields = {"schema_version", "event_id", "event_time", "lrn", "transport_mode",
                                      "conveyance", "consignor", "consignee", "goods"};
enum : int { kManLrn = 3, kManMode, kManConveyance, kManConsignor, kManConsignee, kManGoods };
constexpr Names<2> kConveyanceFields = {"imo", "name"};
constexpr Names<3> kPartyFields = {"name", "country", "eori"};
constexpr Names<3> kGoodsFields = {"hs_code", "description", "container"};

constexpr Names<8> kPaymentFields = {"schema_version", "event_id", "event_time", "message_id",
                                     "end_to_end_id", "amount", "debtor", "creditor"};
enum : int { kPayMessageId = 3, kPayEndToEnd, kPayAmount, kPayDebtor, kPayCreditor };
constexpr Names<2> kAmountFields = {"value", "currency"};
constexpr Names<4> kPaymentPartyFields = {"name", "country", "iban", "agent_bic"};

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

  // ---- reporting ----

  void report(ReasonCode code, const PathSeg& p, std::string_view rule) {
    if (structural || field_violations >= kMaxFieldViolations) return;
    ++field_violations;
    Violation v{code, {}, {}};
    append_path(v.path, &p);
    v.message = v.path.empty() ? std::string(rule) : v.path + " " + std::string(rule);
    out->push_back(std::move(v));
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
    if (rule.check != nullptr && !rule.check(out_value)) report(rule.code, p, rule.message);
    return true;
  }

  // Opens an object value; wrong types are reported (and validated). False if not an object.
  bool open_object(od::value& v, const PathSeg& p, std::size_t depth, od::object& obj) {
    od::json_type t{};
    if (auto e = v.type().get(t)) return syntax(e);
    if (t != od::json_type::object) {
      report(ReasonCode::kWrongType, p, "must be an object");
      skip_value(v, depth);
      return false;
    }
    if (!depth_ok(depth)) return false;
    if (auto e = v.get_object().get(obj)) return syntax(e);
    return true;
  }

  bool open_array(od::value& v, const PathSeg& p, std::size_t depth, od::array& arr) {
    od::json_type t{};
    if (auto e = v.type().get(t)) return syntax(e);
    if (t != od::json_type::array) {
      report(ReasonCode::kWrongType, p, "must be an array");
      skip_value(v, depth);
      return false;
    }
    if (!depth_ok(depth)) return false;
    if (auto e = v.get_array().get(arr)) return syntax(e);
    return true;
  }

  // Iterates an array of objects: on_item(index, object, path) for each element up to `limit`.
  // Returns the number of elements, -1 when the value is not an array.
  template <class OnItem>
  long walk_object_array(od::value& v, const PathSeg& p, std::size_t depth, std::size_t limit,
                         const char* limit_message, OnItem&& on_item) {
    od::array arr;
    if (!open_array(v, p, depth, arr)) return -1;
    std::size_t n = 0;
    for (auto element : arr) {
      if (element.error()) {
        syntax(element.error());
        return -1;
      }
      od::value& item = element.value_unsafe();
      if (n == limit) report(ReasonCode::kInvalidValue, p, limit_message);
      if (n >= limit) {
        if (!skip_value(item, depth + 1)) return -1;
        ++n;
        continue;
      }
      const PathSeg item_path{&p, {}, static_cast<long>(n)};
      od::object obj;
      if (open_object(item, item_path, depth + 1, obj)) on_item(n, obj, item_path);
      if (structural) return -1;
      ++n;
    }
    return static_cast<long>(n);
  }

  // ---- the envelope and the three kinds ----

  void common_field(int idx, od::value& v, const PathSeg& p) {
    switch (idx) {
      case kSchemaVersionF: read_string(v, p, 2, event.schema_version, kSchemaVersion); break;
      case kEventIdF: read_string(v, p, 2, event.event_id, kEventId); break;
      case kEventTimeF: {
        if (!read_string(v, p, 2, event.event_time, kAnyString)) break;
        if (auto ms = timefmt::parse_timestamp_ms(event.event_time)) {
          event.event_time_ms = *ms;
        } else {
          report(ReasonCode::kInvalidValue, p, kTimestamp.message);
        }
        break;
      }
      default: break;
    }
  }

  void parse_itinerary(od::object& root, const PathSeg& rp) {
    Itinerary& it = event.itinerary;
    const auto present = walk_object(root, rp, 1, kItineraryFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kItnFlight:
          if (!open_object(v, p, 2, obj)) return;
          walk_object(obj, p, 2, kFlightFields, [&](int f, od::value& fv, const PathSeg& fp) {
            Flight& fl = it.flight;
            switch (f) {
              case 0: read_string(fv, fp, 3, fl.carrier, kCarrier); break;
              case 1: read_string(fv, fp, 3, fl.number, kFlightNumber); break;
              case 2: read_string(fv, fp, 3, fl.departure_airport, kAirport); break;
              case 3: read_string(fv, fp, 3, fl.arrival_airport, kAirport); break;
              case 4: read_timestamp(fv, fp, 3, fl.scheduled_departure); break;
              case 5: read_timestamp(fv, fp, 3, fl.scheduled_arrival); break;
              default: break;
            }
          });
          break;
        case kItnPnr:
          if (!open_object(v, p, 2, obj)) return;
          walk_object(obj, p, 2, kPnrFields, [&](int, od::value& fv, const PathSeg& fp) {
            read_string(fv, fp, 3, it.pnr_locator, kAnyString);
          });
          break;
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
    require(present, kCommonRequired | bit(kItnPassengers), rp, kItineraryFields);
  }

  void parse_passenger(od::object& obj, const PathSeg& pp) {
    Passenger& pax = event.itinerary.passengers.emplace_back();
    const auto present = walk_object(obj, pp, 3, kPassengerFields, [&](int f, od::value& v, const PathSeg& p) {
      switch (f) {
        case kPaxSurname: read_string(v, p, 4, pax.surname, kNonEmpty); break;
        case kPaxGivenNames: read_string(v, p, 4, pax.given_names, kAnyString); break;
        case kPaxDob: read_string(v, p, 4, pax.date_of_birth, kDate); break;
        case kPaxSex: read_string(v, p, 4, pax.sex, kSex); break;
        case kPaxNationality: read_string(v, p, 4, pax.nationality, kAlpha3); break;
        case kPaxDocument: {
          od::object dobj;
          if (!open_object(v, p, 4, dobj)) return;
          TravelDocument& d = pax.document;
          const auto dp = walk_object(dobj, p, 4, kDocumentFields, [&](int g, od::value& dv, const PathSeg& fp) {
            switch (g) {
              case 0: read_string(dv, fp, 5, d.type, kDocType); break;
              case 1: read_string(dv, fp, 5, d.number, kDocNumber); break;
              case 2: read_string(dv, fp, 5, d.issuing_state, kAlpha3); break;
              case 3: read_string(dv, fp, 5, d.expiry, kDate); break;
              default: break;
            }
          });
          require(dp, bit(1), p, kDocumentFields);
          break;
        }
        default: break;
      }
    });
    require(present, bit(kPaxSurname) | bit(kPaxDob) | bit(kPaxNationality) | bit(kPaxDocument), pp,
            kPassengerFields);
  }

  void read_timestamp(od::value& v, const PathSeg& p, std::size_t depth, std::string_view& out_value) {
    if (!read_string(v, p, depth, out_value, kAnyString)) return;
    if (!timefmt::parse_timestamp_ms(out_value)) report(ReasonCode::kInvalidValue, p, kTimestamp.message);
  }

  // Parties of a manifest: name required.
  void parse_party(od::value& v, const PathSeg& p, Party& party) {
    od::object obj;
    if (!open_object(v, p, 2, obj)) return;
    const auto present = walk_object(obj, p, 2, kPartyFields, [&](int f, od::value& fv, const PathSeg& fp) {
      switch (f) {
        case 0: read_string(fv, fp, 3, party.name, kNonEmpty); break;
        case 1: read_string(fv, fp, 3, party.country, kCountry); break;
        case 2: read_string(fv, fp, 3, party.eori, kAnyString); break;
        default: break;
      }
    });
    require(present, bit(0), p, kPartyFields);
  }

  void parse_manifest(od::object& root, const PathSeg& rp) {
    Manifest& m = event.manifest;
    const auto present = walk_object(root, rp, 1, kManifestFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kManLrn: read_string(v, p, 2, m.lrn, kAnyString); break;
        case kManMode: read_string(v, p, 2, m.transport_mode, kTransportMode); break;
        case kManConveyance:
          if (!open_object(v, p, 2, obj)) return;
          walk_object(obj, p, 2, kConveyanceFields, [&](int f, od::value& fv, const PathSeg& fp) {
            if (f == 0) read_string(fv, fp, 3, m.conveyance.imo, kImo);
            else read_string(fv, fp, 3, m.conveyance.name, kAnyString);
          });
          break;
        case kManConsignor: parse_party(v, p, m.consignor); break;
        case kManConsignee: parse_party(v, p, m.consignee); break;
        case kManGoods:
          walk_object_array(v, p, 2, kMaxGoods, "must have at most 9999 items",
                            [&](std::size_t, od::object& go, const PathSeg& gp) {
                              GoodsItem& g = m.goods.emplace_back();
                              walk_object(go, gp, 3, kGoodsFields, [&](int f, od::value& fv, const PathSeg& fp) {
                                switch (f) {
                                  case 0: read_string(fv, fp, 4, g.hs_code, kHsCode); break;
                                  case 1: read_string(fv, fp, 4, g.description, kAnyString); break;
                                  case 2: read_string(fv, fp, 4, g.container, kContainer); break;
                                  default: break;
                                }
                              });
                            });
          break;
        default: common_field(idx, v, p);
      }
    });
    require(present, kCommonRequired | bit(kManConsignor) | bit(kManConsignee), rp, kManifestFields);
  }

  void parse_payment_party(od::value& v, const PathSeg& p, PaymentParty& party) {
    od::object obj;
    if (!open_object(v, p, 2, obj)) return;
    const auto present = walk_object(obj, p, 2, kPaymentPartyFields, [&](int f, od::value& fv, const PathSeg& fp) {
      switch (f) {
        case 0: read_string(fv, fp, 3, party.name, kNonEmpty); break;
        case 1: read_string(fv, fp, 3, party.country, kCountry); break;
        case 2: read_string(fv, fp, 3, party.iban, kIban); break;
        case 3: read_string(fv, fp, 3, party.agent_bic, kBic); break;
        default: break;
      }
    });
    require(present, bit(0), p, kPaymentPartyFields);
  }

  void parse_payment(od::object& root, const PathSeg& rp) {
    Payment& pay = event.payment;
    const auto present = walk_object(root, rp, 1, kPaymentFields, [&](int idx, od::value& v, const PathSeg& p) {
      od::object obj;
      switch (idx) {
        case kPayMessageId: read_string(v, p, 2, pay.message_id, kAnyString); break;
        case kPayEndToEnd: read_string(v, p, 2, pay.end_to_end_id, kAnyString); break;
        case kPayAmount: {
          if (!open_object(v, p, 2, obj)) return;
          const auto ap = walk_object(obj, p, 2, kAmountFields, [&](int f, od::value& fv, const PathSeg& fp) {
            if (f == 1) {
              read_string(fv, fp, 3, pay.currency, kCurrency);
              return;
            }
            od::json_type t{};
            if (fv.type().get(t) == simdjson::SUCCESS && t == od::json_type::number) {
              // Binary floats lose cents; the contract is an exact decimal string.
              report(ReasonCode::kWrongType, fp, "must be a decimal string such as \"12500.00\", not a JSON number");
              skip_value(fv, 3);
              return;
            }
            read_string(fv, fp, 3, pay.amount, kAmount);
          });
          require(ap, bit(0) | bit(1), p, kAmountFields);
          break;
        }
        case kPayDebtor: parse_payment_party(v, p, pay.debtor); break;
        case kPayCreditor: parse_payment_party(v, p, pay.creditor); break;
        default: common_field(idx, v, p);
      }
    });
    require(present, kCommonRequired | bit(kPayAmount) | bit(kPayDebtor) | bit(kPayCreditor), rp,
            kPaymentFields);
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
