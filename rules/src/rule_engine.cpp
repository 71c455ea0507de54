// The rule engine: compiles rules into flat condition trees with resolved fields and parsed
// constants, and evaluates them against one event and its watchlist hits.
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/sha256.h"

#include <unicode/regex.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>

#include "crosscheck/rules/rule_fields.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {

using schemas::Event;
using schemas::EventKind;

namespace {

constexpr std::size_t kMaxDepth = 32;
constexpr std::size_t kMaxNodes = 256;
// A repeated `per` or `of` field records at most this many values per aggregate node and event,
// so one event with 999 passengers cannot flood the store.
constexpr std::size_t kMaxObservationsPerNode = 16;
// ICU time limit in matcher "steps" (each on the order of a millisecond): hostile input against a
// backtracking pattern gives up instead of hanging the consumer thread.
constexpr std::int32_t kRegexTimeLimit = 5;
constexpr std::int32_t kRegexStackLimit = 256 * 1024;
constexpr std::string_view kWatchlistRulePrefix = "watchlist-hit:";
constexpr std::int64_t kMsPerDay = 86'400'000;


// ---- hashed values, for aggregate keys: a real hash, so keys hold no raw identifier --------------

// Hash of one value, domain-separated by the node's key prefix ("<id>|<version>|<node>|") and by
// its use ("per" or "of"), so a value hashed for one rule cannot be looked up under another.
void hash_value(std::string_view prefix, char use, std::string_view value, char* out32) {
  Sha256 h;
  h.update("crosscheck.aggregate.v1");
  const unsigned char sep[2] = {0, static_cast<unsigned char>(use)};
  h.update(sep, 2);
  h.update(prefix);
  h.update(sep, 1);
  h.update(value);
  h.finish_hex(out32, 32);
}

// ---- exact decimals ------------------------------------------------------------------------------

// A decimal as digit strings: no leading zeros in `whole`, no trailing zeros in `frac`; zero is
// non-negative with both empty. Views point into the text that was parsed.
struct DecView {
  bool negative = false;
  std::string_view whole;
  std::string_view frac;
};

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Accepts -?[0-9]+(\.[0-9]+)? (and a leading '+'): the exact decimals of the event schemas.
std::optional<DecView> parse_decimal(std::string_view s) {
  DecView d;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    d.negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const auto dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (!is_digits(whole) || (dot != std::string_view::npos && !is_digits(frac))) return std::nullopt;
  while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  d.whole = whole;
  d.frac = frac;
  if (whole.empty() && frac.empty()) d.negative = false;  // -0 == 0
  return d;
}

int compare_magnitude(const DecView& a, const DecView& b) {
  if (a.whole.size() != b.whole.size()) return a.whole.size() < b.whole.size() ? -1 : 1;
  if (int c = a.whole.compare(b.whole); c != 0) return c < 0 ? -1 : 1;
  // Without trailing zeros, fractions compare as strings ("5" < "51", "05" < "5").
  if (int c = a.frac.compare(b.frac); c != 0) return c < 0 ? -1 : 1;
  return 0;
}

int compare_decimal(const DecView& a, const DecView& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  const int m = compare_magnitude(a, b);
  return a.negative ? -m : m;
}

// A decimal constant owned by a compiled node.
struct Decimal {
  std::string text;  // normalised digits: [-]whole[.frac]
  std::size_t whole_len = 0;
  bool negative = false;
  DecView view() const {
    const std::size_t off = negative ? 1 : 0;
    const std::string_view t(text);
    const std::string_view whole = t.substr(off, whole_len);
    const std::string_view frac = t.size() > off + whole_len ? t.substr(off + whole_len + 1) : std::string_view{};
    return DecView{negative, whole, frac};
  }
};

std::optional<Decimal> make_decimal(std::string_view s) {
  auto d = parse_decimal(s);
  if (!d) return std::nullopt;
  Decimal out;
  out.negative = d->negative;
  if (d->negative) out.text += '-';
  out.text += d->whole;
  out.whole_len = d->whole.size();
  if (!d->frac.empty()) {
    out.text += '.';
    out.text += d->frac;
  }
  return out;
}

// ---- dates ---------------------------------------------------------------------------------------

// RFC 3339 instant or YYYY-MM-DD (midnight UTC), as epoch milliseconds.
std::optional<std::int64_t> parse_instant(std::string_view s) {
  if (s.size() == 10) {
    if (auto days = timefmt::parse_date_days(s)) return *days * kMsPerDay;
    return std::nullopt;
  }
  return timefmt::parse_timestamp_ms(s);
}

using timefmt::civil_from_days;
using Civil = timefmt::CivilDate;

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Whole years from a YYYY-MM-DD birth date to `on` (a civil date); nullopt when the date is
// invalid or after `on`.
std::optional<int> age_on(std::string_view dob, const Civil& on) {
  if (!timefmt::parse_date_days(dob)) return std::nullopt;
  const int by = digits_value(dob.substr(0, 4));
  const int bm = digits_value(dob.substr(5, 2));
  const int bd = digits_value(dob.substr(8, 2));
  std::int64_t age = on.y - by;
  if (on.m < static_cast<unsigned>(bm) || (on.m == static_cast<unsigned>(bm) && on.d < static_cast<unsigned>(bd))) --age;
  if (age < 0 || age > 200) return std::nullopt;
  return static_cast<int>(age);
}

// ---- field access --------------------------------------------------------------------------------

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// One value of a field: its text (numbers as decimal text), and for event_time the parsed instant.
struct Value {
  std::string_view text;
  std::int64_t ms = kNoTime;
};

std::optional<std::int64_t> value_ms(const Value& v) {
  if (v.ms != kNoTime) return v.ms;
  return parse_instant(v.text);
}

// Bit per EventKind for each field, from the catalogue (built once; the catalogue is immutable).
bool kind_has(FieldId id, EventKind kind) {
  static const auto masks = [] {
    std::array<std::uint8_t, static_cast<std::size_t>(FieldId::kRemittanceInformation) + 1> m{};
    for (const FieldInfo& f : rule_fields()) {
      m[static_cast<std::size_t>(f.id)] = static_cast<std::uint8_t>((f.itinerary ? 1 : 0) | (f.manifest ? 2 : 0) |
                                                                    (f.payment ? 4 : 0));
    }
    return m;
  }();
  const auto i = static_cast<std::size_t>(id);
  return i < masks.size() && ((masks[i] >> static_cast<unsigned>(kind)) & 1U) != 0;
}

// Equality of the short codes rules compare (country, currency, BIC, list ids): a byte loop the
// compiler inlines, cheaper than a call to memcmp for a handful of bytes.
inline bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Membership in a sorted set of strings: a linear scan for the small sets rules usually hold,
// binary search beyond.
bool in_sorted(const std::vector<std::string>& set, std::string_view v) {
  if (set.size() <= 8) {
    return std::any_of(set.begin(), set.end(), [&](const std::string& s) { return same(s, v); });
  }
  return std::binary_search(set.begin(), set.end(), v, [](std::string_view a, std::string_view b) { return a < b; });
}

// Calls fn(Value) for each value of `id` in `e` until fn returns true; returns whether it did.
// Absent values (empty strings, bags -1, a missing pnr) are not visited. This switch is the only
// path from a compiled rule to the event.
template <class Fn>
bool visit(FieldId id, const Event& e, Fn&& fn) {
  if (!kind_has(id, e.kind)) return false;
  auto str = [&](std::string_view s) { return !s.empty() && fn(Value{s}); };
  auto num = [&](std::int64_t v) {
    std::array<char, 24> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return fn(Value{std::string_view(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()))});
  };
  const auto& it = e.itinerary;
  const auto& mf = e.manifest;
  const auto& pay = e.payment;
  using F = FieldId;
  switch (id) {
    case F::kEventTime: return !e.event_time.empty() && fn(Value{e.event_time, e.event_time_ms});
    case F::kFlightCarrier: return str(it.flight.carrier);
    case F::kFlightNumber: return str(it.flight.number);
    case F::kFlightDeparture: return str(it.flight.departure_airport);
    case F::kFlightArrival: return str(it.flight.arrival_airport);
    case F::kFlightCorridor: {
      const auto dep = it.flight.departure_airport, arr = it.flight.arrival_airport;
      std::array<char, 32> buf{};
      if (dep.empty() || arr.empty() || dep.size() + arr.size() + 1 > buf.size()) return false;
      std::memcpy(buf.data(), dep.data(), dep.size());
      buf[dep.size()] = '-';
      std::memcpy(buf.data() + dep.size() + 1, arr.data(), arr.size());
      return fn(Value{std::string_view(buf.data(), dep.size() + arr.size() + 1)});
    }
    case F::kFlightScheduledDeparture: return str(it.flight.scheduled_departure);
    case F::kFlightScheduledArrival: return str(it.flight.scheduled_arrival);
    case F::kPnrLocator: return it.pnr.present && str(it.pnr.locator);
    case F::kPnrBookingDate: return it.pnr.present && str(it.pnr.booking_date);
    case F::kPnrFormOfPayment: return it.pnr.present && str(it.pnr.form_of_payment);
    case F::kPnrTravelAgentIata: return it.pnr.present && str(it.pnr.travel_agent.iata_number);
    case F::kPassengerCount: return num(static_cast<std::int64_t>(it.passengers.size()));
    case F::kPassengerNationality:
      for (const auto& p : it.passengers) if (str(p.nationality)) return true;
      return false;
    case F::kPassengerSex:
      for (const auto& p : it.passengers) if (str(p.sex)) return true;
      return false;
    case F::kPassengerDateOfBirth:
      for (const auto& p : it.passengers) if (str(p.date_of_birth)) return true;
      return false;
    case F::kPassengerAge: {
      const auto dep = timefmt::parse_timestamp_ms(it.flight.scheduled_departure);
      if (!dep) return false;
      const std::int64_t days = *dep >= 0 ? *dep / kMsPerDay : (*dep - kMsPerDay + 1) / kMsPerDay;
      const Civil on = civil_from_days(days);
      for (const auto& p : it.passengers) {
        if (auto age = age_on(p.date_of_birth, on); age && num(*age)) return true;
      }
      return false;
    }
    case F::kPassengerDocumentType:
      for (const auto& p : it.passengers) if (str(p.document.type)) return true;
      return false;
    case F::kPassengerDocumentIssuingState:
      for (const auto& p : it.passengers) if (str(p.document.issuing_state)) return true;
      return false;
    case F::kPassengerBags:
      for (const auto& p : it.passengers) if (p.bags >= 0 && num(p.bags)) return true;
      return false;
    case F::kPassengerEmbarkation:
      for (const auto& p : it.passengers) if (str(p.embarkation)) return true;
      return false;
    case F::kPassengerDebarkation:
      for (const auto& p : it.passengers) if (str(p.debarkation)) return true;
      return false;
    case F::kManifestTransportMode: return str(mf.transport_mode);
    case F::kConveyanceImo: return str(mf.conveyance.imo);
    case F::kConveyanceName: return str(mf.conveyance.name);
    case F::kConveyanceNationality: return str(mf.conveyance.nationality);
    case F::kRoutingCountries:
      for (auto c : mf.routing_countries) if (str(c)) return true;
      return false;
    case F::kPlaceOfLoading: return str(mf.place_of_loading);
    case F::kPlaceOfUnloading: return str(mf.place_of_unloading);
    case F::kFirstPlaceOfArrival: return str(mf.first_place_of_arrival);
    case F::kEstimatedArrival: return str(mf.estimated_arrival);
    case F::kConsignorCountry: return str(mf.consignor.address.country);
    case F::kConsigneeCountry: return str(mf.consignee.address.country);
    case F::kConsignorEori: return str(mf.consignor.eori);
    case F::kConsigneeEori: return str(mf.consignee.eori);
    case F::kGoodsCount: return num(static_cast<std::int64_t>(mf.goods.size()));
    case F::kGoodsHsCode:
      for (const auto& g : mf.goods) if (str(g.hs_code)) return true;
      return false;
    case F::kGoodsDescription:
      for (const auto& g : mf.goods) if (str(g.description)) return true;
      return false;
    case F::kGoodsGrossMass:
      for (const auto& g : mf.goods) if (str(g.gross_mass_kg)) return true;
      return false;
    case F::kGoodsPackageCount:
      for (const auto& g : mf.goods) if (g.package_count > 0 && num(g.package_count)) return true;
      return false;
    case F::kGoodsContainer:
      for (const auto& g : mf.goods) if (str(g.container)) return true;
      return false;
    case F::kPaymentAmount: return str(pay.amount);
    case F::kPaymentCurrency: return str(pay.currency);
    case F::kPaymentCreationTime: return str(pay.creation_time);
    case F::kPaymentSettlementDate: return str(pay.settlement_date);
    case F::kDebtorCountry: return str(pay.debtor.country);
    case F::kCreditorCountry: return str(pay.creditor.country);
    case F::kDebtorIban: return str(pay.debtor.iban);
    case F::kCreditorIban: return str(pay.creditor.iban);
    case F::kDebtorAgentBic: return str(pay.debtor.agent_bic);
    case F::kCreditorAgentBic: return str(pay.creditor.agent_bic);
    case F::kIntermediaryAgents:
      for (std::size_t i = 0; i < pay.intermediary_agent_count && i < pay.intermediary_agents.size(); ++i) {
        if (str(pay.intermediary_agents[i])) return true;
      }
      return false;
    case F::kRemittanceInformation: return str(pay.remittance_information);
  }
  return false;
}

// ---- compiled form -------------------------------------------------------------------------------

// The hot part of a compiled condition node: what evaluation reads for every node, kept small so
// that 50 rules' trees stay in L1. Constants live in NodeConst, parallel to it.
struct Node {
  Condition::Type type = Condition::Type::kAll;
  CompareOp op = CompareOp::kEq;
  FieldType ftype = FieldType::kString;
  AggregateTest::Count count = AggregateTest::Count::kEvents;
  FieldId field = FieldId::kEventTime;
  FieldId of = FieldId::kEventTime;      // within_before
  FieldId per = FieldId::kEventTime;     // aggregate key
  FieldId agg_of = FieldId::kEventTime;  // aggregate distinct field
  std::uint32_t pattern = 0;             // index into Compiled::patterns
  // For a "contains" pattern ".*M.*": the index of M compiled alone, run with find() (see
  // contains_core); kNoPattern otherwise.
  std::uint32_t find_pattern = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t slot = 0;                // aggregates: engine-wide index
  std::vector<std::uint32_t> children;   // all / any / not
  std::int64_t duration_ms = 0;          // within_before
  std::int64_t at_least = 0;             // aggregates
  double min_score = 0;                  // hit tests
};

// The constants of a node.
struct NodeConst {
  std::string s1, s2;                 // string constants (comparisons, between)
  Decimal d1, d2;                     // number constants
  std::int64_t t1 = 0, t2 = 0;        // date constants
  std::vector<std::string> str_set;   // in / not_in, sorted
  std::vector<Decimal> num_set;
  std::vector<std::int64_t> date_set; // sorted
  std::string role;                   // hit tests: empty = any role
  std::vector<std::string> lists;     // hit tests: sorted; empty = any list
  std::int64_t within_ms = 0;         // aggregates
  std::string key_prefix;             // aggregates: "<id>|<version>|<node>|"
};

struct CompiledRule {
  std::vector<Node> nodes;                 // pre-order; nodes[0] is the root
  std::vector<NodeConst> consts;           // by node index
  std::vector<std::uint32_t> aggregates;   // node indices of aggregate nodes
  std::vector<FieldId> declared;           // data_categories resolved, in order
  std::uint8_t kinds = 0;                  // bit per EventKind
  std::string watchlist_list;              // default watchlist rules: the list id
  bool watchlist_rule = false;
  std::string subject_role;                // as configured; resolved per kind at evaluation
};

struct ScratchState {
  std::uint64_t engine_serial = 0;
  std::vector<std::unique_ptr<icu::RegexMatcher>> matchers;
  // The value being matched, as UTF-16: ICU's matcher runs its fast path on UTF-16 text held in
  // one chunk, several times faster than over a UTF-8 UText. `text` aliases `utf16` (no copy) and
  // must outlive the matchers' use of it, hence its place here.
  std::vector<char16_t> utf16;
  icu::UnicodeString text;
  std::vector<std::uint32_t> agg_begin, agg_end;  // per aggregate slot: range of observations
};

std::atomic<std::uint64_t> g_engine_serial{0};

bool role_of_kind(std::string_view role, EventKind kind) {
  switch (kind) {
    case EventKind::kItinerary: return role == "passenger";
    case EventKind::kManifest: return role == "consignor" || role == "consignee" || role == "conveyance";
    case EventKind::kPayment:
      return role == "debtor" || role == "creditor" || role == "debtor_agent" || role == "creditor_agent" ||
             role == "intermediary_agent";
  }
  return false;
}

bool known_role(std::string_view role) {
  return role_of_kind(role, EventKind::kItinerary) || role_of_kind(role, EventKind::kManifest) ||
         role_of_kind(role, EventKind::kPayment);
}

std::string_view default_role(EventKind kind) {
  switch (kind) {
    case EventKind::kItinerary: return "passenger";
    case EventKind::kManifest: return "consignor";
    case EventKind::kPayment: return "debtor";
  }
  return "";
}

constexpr std::uint32_t kNoPattern = std::numeric_limits<std::uint32_t>::max();

// Analysts write "contains X" as ".*X.*" because `matches` is a whole-value match. ICU runs that
// by backtracking the leading ".*" over every position (several microseconds for a 20-character
// value), while find(X) scans once. The two agree on any value without line terminators (`.`
// does not cross them), so the engine compiles X as well and uses find() on such values.
// Returns X with the optional leading "(?i)" kept, or nullopt when the rewrite is not provably
// the same: other inline flags, \Q quoting, a quantified or escaped ".*", or a top-level `|`
// in X (".*a|b.*" is "(.*a)|(b.*)", not "contains a or b").
std::optional<std::string> contains_core(std::string_view p) {
  std::string_view flags;
  if (p.starts_with("(?i)")) {
    flags = p.substr(0, 4);
    p.remove_prefix(4);
  }
  if (p.find("\\Q") != std::string_view::npos || p.find("(?") == 0) return std::nullopt;
  if (p.size() < 5 || !p.starts_with(".*") || !p.ends_with(".*")) return std::nullopt;
  std::string_view m = p.substr(2, p.size() - 4);
  if (m.empty() || std::string_view("?+*{").find(m.front()) != std::string_view::npos) return std::nullopt;
  // The trailing '.' must not be escaped: an odd run of backslashes before it escapes it.
  std::size_t slashes = 0;
  for (std::size_t i = m.size(); i > 0 && m[i - 1] == '\\'; --i) ++slashes;
  if (slashes % 2 == 1) return std::nullopt;
  int depth = 0, class_depth = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const char ch = m[i];
    if (ch == '\\') {
      ++i;  // the escaped character, whatever it is
      continue;
    }
    if (class_depth > 0) {
      if (ch == '[') ++class_depth;
      if (ch == ']') --class_depth;
      continue;
    }
    if (ch == '[') ++class_depth;
    else if (ch == '(') ++depth;
    else if (ch == ')' && --depth < 0) return std::nullopt;
    else if (ch == '|' && depth == 0) return std::nullopt;
  }
  if (depth != 0 || class_depth != 0) return std::nullopt;
  return std::string(flags) + std::string(m);
}

bool has_line_terminator(std::span<const char16_t> text) {
  for (char16_t c : text) {
    if ((c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029) return true;
  }
  return false;
}

std::optional<std::int64_t> parse_duration(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (s.back()) {
    case 'm': unit = 60'000; break;
    case 'h': unit = 3'600'000; break;
    case 'd': unit = kMsPerDay; break;
    default: return std::nullopt;
  }
  s.remove_suffix(1);
  std::int64_t n = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || n <= 0 || n > 100'000'000) return std::nullopt;
  return n * unit;
}

}  // namespace

// ---- the compiler --------------------------------------------------------------------------------

struct RuleEngine::Compiled {
  std::vector<Rule> rules;
  std::vector<CompiledRule> compiled;
  std::vector<std::string> digests;
  std::vector<std::unique_ptr<icu::RegexPattern>> patterns;
  std::array<std::vector<std::uint32_t>, schemas::kEventKindCount> by_kind;
  std::uint32_t aggregate_slots = 0;
  std::uint64_t serial = ++g_engine_serial;
};

namespace {

class RuleCompiler {
 public:
  RuleCompiler(const Rule& rule, std::vector<std::unique_ptr<icu::RegexPattern>>& patterns, std::uint32_t& slots)
      : rule_(rule), patterns_(patterns), slots_(slots) {}

  // Returns the error, or empty on success.
  std::string compile(CompiledRule& out) {
    for (EventKind k : rule_.applies_to) out.kinds |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(k));
    if (out.kinds == 0) return "applies to no event kind";
    for (const auto& path : rule_.data_categories) {
      const FieldInfo* f = find_rule_field(path);
      if (f == nullptr) return "data category \"" + path + "\" is not a field of the catalogue";
      if (std::find(out.declared.begin(), out.declared.end(), f->id) == out.declared.end()) out.declared.push_back(f->id);
    }
    out_ = &out;
    if (std::string err = node(rule_.when, 0, "when"); !err.empty()) return err;
    if (rule_.id.starts_with(kWatchlistRulePrefix)) {
      out.watchlist_rule = true;
      out.watchlist_list = rule_.id.substr(kWatchlistRulePrefix.size());
      if (out.watchlist_list.empty()) return "a watchlist rule must name its list";
    }
    if (!rule_.subject_role.empty() && !known_role(rule_.subject_role)) {
      return "subject_role \"" + rule_.subject_role + "\" is not a subject role";
    }
    out.subject_role = rule_.subject_role;
    return {};
  }

 private:
  // Resolves a field path the rule reads: it must be in the catalogue, in data_categories, and
  // exist in at least one of the rule's kinds.
  std::string resolve(const std::string& path, const std::string& where, FieldId& id) {
    const FieldInfo* f = find_rule_field(path);
    if (f == nullptr) return where + ": \"" + path + "\" is not a field of the catalogue";
    if (std::find(out_->declared.begin(), out_->declared.end(), f->id) == out_->declared.end()) {
      return where + ": reads \"" + path + "\", which is not in data_categories";
    }
    bool any_kind = false;
    for (EventKind k : rule_.applies_to) any_kind = any_kind || field_applies_to(*f, k);
    if (!any_kind) return where + ": \"" + path + "\" is not a field of the kinds the rule applies to";
    id = f->id;
    return {};
  }

  std::string constant(Node& n, const std::string& text, const std::string& where, std::string& s, Decimal& d,
                       std::int64_t& t) {
    switch (n.ftype) {
      case FieldType::kString: s = text; return {};
      case FieldType::kNumber:
        if (auto dec = make_decimal(text)) {
          d = std::move(*dec);
          return {};
        }
        return where + ": \"" + text + "\" is not a decimal number";
      case FieldType::kDate:
        if (auto ms = parse_instant(text)) {
          t = *ms;
          return {};
        }
        return where + ": \"" + text + "\" is not an RFC 3339 timestamp or YYYY-MM-DD date";
    }
    return where + ": unknown field type";
  }

  std::string node(const Condition& c, std::size_t depth, const std::string& where) {
    if (depth >= kMaxDepth) return where + ": condition deeper than " + std::to_string(kMaxDepth);
    if (out_->nodes.size() >= kMaxNodes) return "condition has more than " + std::to_string(kMaxNodes) + " nodes";
    const auto index = static_cast<std::uint32_t>(out_->nodes.size());
    out_->nodes.emplace_back();
    out_->consts.emplace_back();
    Node n;
    NodeConst k;
    n.type = c.type;
    switch (c.type) {
      case Condition::Type::kAll:
      case Condition::Type::kAny:
      case Condition::Type::kNot: {
        const bool is_not = c.type == Condition::Type::kNot;
        const char* name = c.type == Condition::Type::kAll ? "all" : c.type == Condition::Type::kAny ? "any" : "not";
        if (is_not && c.children.size() != 1) return where + ": \"not\" takes exactly one condition";
        if (!is_not && c.children.empty()) return where + ": \"" + name + "\" needs at least one condition";
        for (std::size_t i = 0; i < c.children.size(); ++i) {
          n.children.push_back(static_cast<std::uint32_t>(out_->nodes.size()));
          const std::string child_where =
              is_not ? where + ".not" : where + "." + name + "[" + std::to_string(i) + "]";
          if (std::string err = node(c.children[i], depth + 1, child_where); !err.empty()) return err;
        }
        break;
      }
      case Condition::Type::kField:
        if (std::string err = field_node(c, n, k, where); !err.empty()) return err;
        break;
      case Condition::Type::kHit: {
        if (c.hit.role != "any" && !known_role(c.hit.role)) {
          return where + ": hit role \"" + c.hit.role + "\" is not a subject role";
        }
        k.role = c.hit.role == "any" ? std::string{} : c.hit.role;
        k.lists = c.hit.lists;
        std::sort(k.lists.begin(), k.lists.end());
        if (!(c.hit.min_score >= 0.0 && c.hit.min_score <= 1.0)) return where + ": min_score must be in 0..1";
        n.min_score = c.hit.min_score;
        break;
      }
      case Condition::Type::kAggregate: {
        const auto& a = c.aggregate;
        if (std::string err = resolve(a.per, where + ".per", n.per); !err.empty()) return err;
        n.count = a.count;
        if (a.count == AggregateTest::Count::kDistinct) {
          if (std::string err = resolve(a.of, where + ".of", n.agg_of); !err.empty()) return err;
        }
        if (a.within_ms <= 0) return where + ": aggregate window must be positive";
        if (a.at_least < 1) return where + ": at_least must be at least 1";
        k.within_ms = a.within_ms;
        n.at_least = a.at_least;
        k.key_prefix = rule_.id + "|" + std::to_string(rule_.version) + "|" + std::to_string(index) + "|";
        n.slot = slots_++;
        out_->aggregates.push_back(index);
        break;
      }
    }
    out_->nodes[index] = std::move(n);
    out_->consts[index] = std::move(k);
    return {};
  }

  std::string field_node(const Condition& c, Node& n, NodeConst& k, const std::string& where) {
    if (std::string err = resolve(c.field, where + ".field", n.field); !err.empty()) return err;
    n.op = c.op;
    n.ftype = field_info(n.field).type;
    const std::string op_where = where + " (" + std::string(to_string(c.op)) + ")";
    auto need_values = [&](std::size_t count) -> std::string {
      if (c.values.size() != count) {
        return op_where + ": needs " + std::to_string(count) + " value" + (count == 1 ? "" : "s");
      }
      return {};
    };
    switch (c.op) {
      case CompareOp::kEq:
      case CompareOp::kNe:
      case CompareOp::kLt:
      case CompareOp::kLe:
      case CompareOp::kGt:
      case CompareOp::kGe:
        if (std::string err = need_values(1); !err.empty()) return err;
        return constant(n, c.values[0], op_where, k.s1, k.d1, k.t1);
      case CompareOp::kBetween: {
        if (std::string err = need_values(2); !err.empty()) return err;
        if (std::string err = constant(n, c.values[0], op_where, k.s1, k.d1, k.t1); !err.empty()) return err;
        if (std::string err = constant(n, c.values[1], op_where, k.s2, k.d2, k.t2); !err.empty()) return err;
        const bool reversed = n.ftype == FieldType::kString   ? k.s1 > k.s2
                              : n.ftype == FieldType::kNumber ? compare_decimal(k.d1.view(), k.d2.view()) > 0
                                                              : k.t1 > k.t2;
        if (reversed) return op_where + ": the low bound is above the high bound";
        return {};
      }
      case CompareOp::kIn:
      case CompareOp::kNotIn:
        if (c.values.empty()) return op_where + ": needs at least one value";
        for (const auto& v : c.values) {
          std::string s;
          Decimal d;
          std::int64_t t = 0;
          if (std::string err = constant(n, v, op_where, s, d, t); !err.empty()) return err;
          if (n.ftype == FieldType::kString) k.str_set.push_back(std::move(s));
          if (n.ftype == FieldType::kNumber) k.num_set.push_back(std::move(d));
          if (n.ftype == FieldType::kDate) k.date_set.push_back(t);
        }
        std::sort(k.str_set.begin(), k.str_set.end());
        std::sort(k.date_set.begin(), k.date_set.end());
        return {};
      case CompareOp::kMatches: {
        if (std::string err = need_values(1); !err.empty()) return err;
        UErrorCode status = U_ZERO_ERROR;
        UParseError perr{};
        std::unique_ptr<icu::RegexPattern> p(
            icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(c.values[0]), 0, perr, status));
        if (U_FAILURE(status) || !p) {
          return op_where + ": pattern does not compile (" + u_errorName(status) + " at offset " +
                 std::to_string(perr.offset) + ")";
        }
        n.pattern = static_cast<std::uint32_t>(patterns_.size());
        patterns_.push_back(std::move(p));
        if (auto core = contains_core(c.values[0])) {
          status = U_ZERO_ERROR;
          std::unique_ptr<icu::RegexPattern> q(
              icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(*core), 0, perr, status));
          if (U_SUCCESS(status) && q) {
            n.find_pattern = static_cast<std::uint32_t>(patterns_.size());
            patterns_.push_back(std::move(q));
          }
        }
        return {};
      }
      case CompareOp::kWithinBefore: {
        if (n.ftype != FieldType::kDate) return op_where + ": \"" + c.field + "\" is not a date";
        if (std::string err = resolve(c.of, where + ".of", n.of); !err.empty()) return err;
        if (field_info(n.of).type != FieldType::kDate) return op_where + ": \"" + c.of + "\" is not a date";
        n.duration_ms = c.duration_ms;
        if (n.duration_ms <= 0 && !c.values.empty()) {
          if (auto d = parse_duration(c.values[0])) n.duration_ms = *d;
        }
        if (n.duration_ms <= 0) return op_where + ": needs a positive duration (<n>m, <n>h or <n>d)";
        return {};
      }
      case CompareOp::kPresent:
      case CompareOp::kAbsent:
        return {};
    }
    return op_where + ": unknown operator";
  }

  const Rule& rule_;
  std::vector<std::unique_ptr<icu::RegexPattern>>& patterns_;
  std::uint32_t& slots_;
  CompiledRule* out_ = nullptr;
};

// ---- evaluation ----------------------------------------------------------------------------------

struct EvalContext {
  const Event& event;
  std::span<const Hit> hits;
  ScratchState& state;
  const std::vector<std::unique_ptr<icu::RegexPattern>>& patterns;
  const std::vector<std::int64_t>* counts = nullptr;  // null: aggregates are false
  int hit = -1;       // first hit that satisfied a hit test (on the path that made the rule true)
  bool record = true; // false under `not`: a hit there never names a subject
  std::uint64_t pattern_errors = 0;
};

template <class T>
bool compare_result(CompareOp op, const T& cmp) {
  switch (op) {
    case CompareOp::kEq: return cmp == 0;
    case CompareOp::kNe: return cmp != 0;
    case CompareOp::kLt: return cmp < 0;
    case CompareOp::kLe: return cmp <= 0;
    case CompareOp::kGt: return cmp > 0;
    case CompareOp::kGe: return cmp >= 0;
    default: return false;
  }
}

int three_way(std::int64_t a, std::int64_t b) { return a < b ? -1 : a > b ? 1 : 0; }
int three_way(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// The calling thread's matcher for pattern `index`, created on first use with the time and stack
// limits set; null when ICU refuses.
icu::RegexMatcher* matcher(std::uint32_t index, EvalContext& ctx) {
  auto& slot = ctx.state.matchers[index];
  if (!slot) {
    UErrorCode status = U_ZERO_ERROR;
    slot.reset(ctx.patterns[index]->matcher(status));
    if (U_SUCCESS(status) && slot) {
      slot->setTimeLimit(kRegexTimeLimit, status);
      slot->setStackLimit(kRegexStackLimit, status);
    }
    if (U_FAILURE(status)) slot.reset();
  }
  return slot.get();
}

bool regex_matches(const Node& n, std::string_view text, EvalContext& ctx) {
  UErrorCode status = U_ZERO_ERROR;
  // UTF-8 to UTF-16 into the reused buffer (a UTF-16 string is never longer in units than the
  // UTF-8 one in bytes); invalid UTF-8 becomes U+FFFD rather than an error.
  auto& buf = ctx.state.utf16;
  if (buf.size() < text.size() + 1) buf.resize(text.size() + 1);
  std::int32_t len = 0;
  u_strFromUTF8WithSub(buf.data(), static_cast<std::int32_t>(buf.size()), &len, text.data(),
                       static_cast<std::int32_t>(text.size()), 0xFFFD, nullptr, &status);
  if (U_FAILURE(status)) {
    ++ctx.pattern_errors;
    return false;
  }
  const bool use_find =
      n.find_pattern != kNoPattern && !has_line_terminator({buf.data(), static_cast<std::size_t>(len)});
  icu::RegexMatcher* m = matcher(use_find ? n.find_pattern : n.pattern, ctx);
  if (m == nullptr) {
    ++ctx.pattern_errors;
    return false;
  }
  ctx.state.text.setTo(false, buf.data(), len);  // read-only alias
  m->reset(ctx.state.text);
  const bool matched = (use_find ? m->find(status) : m->matches(status)) != 0;
  if (U_FAILURE(status)) {  // U_REGEX_TIME_OUT, U_REGEX_STACK_OVERFLOW: hostile or pathological
    ++ctx.pattern_errors;
    return false;
  }
  return matched;
}

bool test_value(const Node& n, const NodeConst& k, const Value& v, EvalContext& ctx) {
  if (n.op == CompareOp::kMatches) return regex_matches(n, v.text, ctx);
  switch (n.ftype) {
    case FieldType::kString:
      switch (n.op) {
        case CompareOp::kIn:
        case CompareOp::kNotIn: {
          return in_sorted(k.str_set, v.text) == (n.op == CompareOp::kIn);
        }
        case CompareOp::kBetween: return v.text >= std::string_view(k.s1) && v.text <= std::string_view(k.s2);
        case CompareOp::kEq: return same(v.text, k.s1);
        case CompareOp::kNe: return !same(v.text, k.s1);
        default: return compare_result(n.op, three_way(v.text, k.s1));
      }
    case FieldType::kNumber: {
      const auto d = parse_decimal(v.text);
      if (!d) return false;
      switch (n.op) {
        case CompareOp::kIn:
        case CompareOp::kNotIn: {
          const bool found = std::any_of(k.num_set.begin(), k.num_set.end(),
                                         [&](const Decimal& c) { return compare_decimal(*d, c.view()) == 0; });
          return found == (n.op == CompareOp::kIn);
        }
        case CompareOp::kBetween:
          return compare_decimal(*d, k.d1.view()) >= 0 && compare_decimal(*d, k.d2.view()) <= 0;
        default: return compare_result(n.op, compare_decimal(*d, k.d1.view()));
      }
    }
    case FieldType::kDate: {
      const auto t = value_ms(v);
      if (!t) return false;
      switch (n.op) {
        case CompareOp::kIn:
        case CompareOp::kNotIn:
          return std::binary_search(k.date_set.begin(), k.date_set.end(), *t) == (n.op == CompareOp::kIn);
        case CompareOp::kBetween: return *t >= k.t1 && *t <= k.t2;
        default: return compare_result(n.op, three_way(*t, k.t1));
      }
    }
  }
  return false;
}

bool hit_passes(const Node& n, const NodeConst& k, const Hit& h) {
  if (!k.role.empty() && !same(h.subject.role, k.role)) return false;
  if (!k.lists.empty() && !in_sorted(k.lists, h.match.explanation.list_id)) return false;
  return h.match.score >= n.min_score;  // min_score 0: any hit, i.e. the list's own threshold
}

bool eval_node(const CompiledRule& r, std::uint32_t i, EvalContext& ctx) {
  const Node& n = r.nodes[i];
  switch (n.type) {
    case Condition::Type::kAll: {
      const int saved = ctx.hit;
      for (auto c : n.children) {
        if (!eval_node(r, c, ctx)) {
          ctx.hit = saved;
          return false;
        }
      }
      return true;
    }
    case Condition::Type::kAny:
      for (auto c : n.children) {
        if (eval_node(r, c, ctx)) return true;
      }
      return false;
    case Condition::Type::kNot: {
      const int saved = ctx.hit;
      const bool record = ctx.record;
      ctx.record = false;
      const bool v = eval_node(r, n.children[0], ctx);
      ctx.record = record;
      ctx.hit = saved;
      return !v;
    }
    case Condition::Type::kField: {
      const Event& e = ctx.event;
      switch (n.op) {
        case CompareOp::kPresent: return visit(n.field, e, [](const Value&) { return true; });
        case CompareOp::kAbsent: return !visit(n.field, e, [](const Value&) { return true; });
        case CompareOp::kWithinBefore:
          return visit(n.field, e, [&](const Value& a) {
            const auto ta = value_ms(a);
            if (!ta) return false;
            return visit(n.of, e, [&](const Value& b) {
              const auto tb = value_ms(b);
              return tb && *tb >= *ta && *tb - *ta <= n.duration_ms;
            });
          });
        default: return visit(n.field, e, [&](const Value& v) { return test_value(n, r.consts[i], v, ctx); });
      }
    }
    case Condition::Type::kHit:
      for (std::size_t h = 0; h < ctx.hits.size(); ++h) {
        if (hit_passes(n, r.consts[i], ctx.hits[h])) {
          if (ctx.record && ctx.hit < 0) ctx.hit = static_cast<int>(h);
          return true;
        }
      }
      return false;
    case Condition::Type::kAggregate: {
      if (ctx.counts == nullptr) return false;
      const auto begin = ctx.state.agg_begin[n.slot], end = ctx.state.agg_end[n.slot];
      for (auto k = begin; k < end; ++k) {
        if ((*ctx.counts)[k] >= n.at_least) return true;
      }
      return false;
    }
  }
  return false;
}

AggregateObservation& next_observation(EvalScratch& scratch) {
  if (scratch.observation_count == scratch.observations.size()) scratch.observations.emplace_back();
  return scratch.observations[scratch.observation_count++];
}

// Appends the observations of one aggregate node for `e`; nothing when the event lacks the `per`
// (or, for distinct counts, the `of`) value.
void observe_node(const Node& n, const NodeConst& k, const Event& e, EvalScratch& scratch) {
  std::size_t made = 0;
  std::array<char, 32> per_hash{};
  visit(n.per, e, [&](const Value& per) {
    hash_value(k.key_prefix, 'p', per.text, per_hash.data());
    auto add = [&](std::string_view member, bool hashed_member) {
      AggregateObservation& o = next_observation(scratch);
      o.key.assign(k.key_prefix);
      o.key.append(per_hash.data(), per_hash.size());
      if (hashed_member) {
        o.member.resize(32);
        hash_value(k.key_prefix, 'o', member, o.member.data());
      } else {
        o.member.assign(member);
      }
      o.at_ms = e.event_time_ms;
      o.within_ms = k.within_ms;
      return ++made >= kMaxObservationsPerNode;
    };
    if (n.count == AggregateTest::Count::kEvents) return add(e.event_id, false);
    return visit(n.agg_of, e, [&](const Value& of) { return add(of.text, true); });
  });
}

bool rule_valid(const Rule& rule, std::int64_t now_ms) { return rule.valid_from_ms <= now_ms && now_ms < rule.expires_ms; }

ScratchState& scratch_state(EvalScratch& scratch, std::uint64_t serial, std::size_t patterns, std::size_t slots) {
  auto* st = static_cast<ScratchState*>(scratch.engine_state.get());
  if (st == nullptr) {
    auto owned = std::make_shared<ScratchState>();
    st = owned.get();
    scratch.engine_state = std::move(owned);
  }
  if (st->engine_serial != serial) {
    st->engine_serial = serial;
    st->matchers.clear();
    st->matchers.resize(patterns);
    st->agg_begin.assign(slots, 0);
    st->agg_end.assign(slots, 0);
  }
  return *st;
}

}  // namespace

// ---- RuleEngine ----------------------------------------------------------------------------------

RuleEngine::RuleEngine() : compiled_(std::make_unique<Compiled>()) {}

RuleEngine::RuleEngine(std::vector<Rule> rules, std::vector<std::string>* rejected)
    : compiled_(std::make_unique<Compiled>()) {
  Compiled& c = *compiled_;
  for (Rule& rule : rules) {
    CompiledRule cr;
    const std::size_t patterns_before = c.patterns.size();
    const std::uint32_t slots_before = c.aggregate_slots;
    RuleCompiler compiler(rule, c.patterns, c.aggregate_slots);
    if (std::string err = compiler.compile(cr); !err.empty()) {
      c.patterns.resize(patterns_before);
      c.aggregate_slots = slots_before;
      if (rejected != nullptr) rejected->push_back(rule.id + " v" + std::to_string(rule.version) + ": " + err);
      continue;
    }
    const auto index = static_cast<std::uint32_t>(c.rules.size());
    for (int k = 0; k < schemas::kEventKindCount; ++k) {
      if (cr.kinds & (1U << k)) c.by_kind[static_cast<std::size_t>(k)].push_back(index);
    }
    c.digests.push_back(rule_digest(rule));
    c.compiled.push_back(std::move(cr));
    c.rules.push_back(std::move(rule));
  }
}

RuleEngine::~RuleEngine() = default;
RuleEngine::RuleEngine(RuleEngine&&) noexcept = default;
RuleEngine& RuleEngine::operator=(RuleEngine&&) noexcept = default;

const std::vector<Rule>& RuleEngine::rules() const { return compiled_->rules; }
const std::string& RuleEngine::digest(std::size_t rule) const { return compiled_->digests.at(rule); }

void RuleEngine::evaluate(const Event& event, std::span<const Hit> hits, std::int64_t now_ms,
                          AggregateStore* aggregates, EvalScratch& scratch, std::vector<RuleMatch>& out,
                          EvalStats* stats) const {
  const Compiled& c = *compiled_;
  const auto kind_index = static_cast<std::size_t>(event.kind);
  if (kind_index >= c.by_kind.size()) return;
  const auto& candidates = c.by_kind[kind_index];
  if (candidates.empty()) return;
  ScratchState& st = scratch_state(scratch, c.serial, c.patterns.size(), c.aggregate_slots);

  // 1. Every aggregate observation of every valid rule, before any condition short-circuits, so
  //    an event counts towards a window whatever else the rule says about it.
  scratch.observation_count = 0;
  bool any_aggregate = false;
  for (auto ri : candidates) {
    const CompiledRule& cr = c.compiled[ri];
    if (cr.aggregates.empty() || !rule_valid(c.rules[ri], now_ms)) continue;
    any_aggregate = true;
    for (auto ni : cr.aggregates) {
      const Node& n = cr.nodes[ni];
      st.agg_begin[n.slot] = static_cast<std::uint32_t>(scratch.observation_count);
      observe_node(n, cr.consts[ni], event, scratch);
      st.agg_end[n.slot] = static_cast<std::uint32_t>(scratch.observation_count);
    }
  }
  const std::vector<std::int64_t>* counts = nullptr;
  if (any_aggregate && aggregates != nullptr) {
    if (scratch.observation_count == 0) {
      scratch.counts.clear();
      counts = &scratch.counts;
    } else {
      const std::span<const AggregateObservation> obs(scratch.observations.data(), scratch.observation_count);
      const Status s = aggregates->observe(obs, scratch.counts);
      if (s.ok() && scratch.counts.size() == obs.size()) {
        counts = &scratch.counts;
      } else if (stats != nullptr) {
        ++stats->aggregate_errors;
      }
    }
  }

  // 2. The trees.
  EvalContext ctx{event, hits, st, c.patterns, counts};
  for (auto ri : candidates) {
    const Rule& rule = c.rules[ri];
    if (now_ms >= rule.expires_ms) {
      if (stats != nullptr) ++stats->rules_expired;
      continue;
    }
    if (now_ms < rule.valid_from_ms) continue;
    if (stats != nullptr) ++stats->rules_evaluated;
    const CompiledRule& cr = c.compiled[ri];
    if (cr.watchlist_rule) {
      // One match per hit on the rule's list: each is a separate lead for review.
      for (std::size_t h = 0; h < hits.size(); ++h) {
        if (hits[h].match.explanation.list_id != cr.watchlist_list) continue;
        out.push_back(RuleMatch{ri, static_cast<int>(h), hits[h].subject.role, hits[h].subject.index});
      }
      continue;
    }
    ctx.hit = -1;
    ctx.record = true;
    if (!eval_node(cr, 0, ctx)) continue;
    RuleMatch m;
    m.rule = ri;
    m.hit = ctx.hit;
    if (ctx.hit >= 0) {
      const Subject& s = hits[static_cast<std::size_t>(ctx.hit)].subject;
      m.subject_role = s.role;
      m.subject_index = s.index;
    } else {
      m.subject_role = role_of_kind(cr.subject_role, event.kind) ? std::string_view(cr.subject_role)
                                                                 : default_role(event.kind);
      m.subject_index = 0;
    }
    out.push_back(m);
  }
  if (stats != nullptr) stats->pattern_errors += ctx.pattern_errors;
}

void RuleEngine::declared_values(std::size_t rule, const Event& event,
                                 std::vector<std::pair<std::string_view, std::string>>& out) const {
  const CompiledRule& cr = compiled_->compiled.at(rule);
  for (FieldId id : cr.declared) {
    const std::string_view path = field_info(id).path;
    visit(id, event, [&](const Value& v) {
      out.emplace_back(path, std::string(v.text));
      return false;  // every element
    });
  }
}

// ---- InMemoryAggregateStore ----------------------------------------------------------------------

struct InMemoryAggregateStore::State {
  struct Window {
    std::unordered_map<std::string, std::int64_t> members;  // member -> latest time recorded
    std::int64_t within_ms = 0;
  };
  std::unordered_map<std::string, Window> keys;
  std::int64_t newest_ms = std::numeric_limits<std::int64_t>::min();
  std::uint64_t since_sweep = 0;

  // Drops members that no window can count any more, and keys left empty.
  void sweep() {
    for (auto it = keys.begin(); it != keys.end();) {
      auto& w = it->second;
      std::erase_if(w.members, [&](const auto& m) { return m.second <= newest_ms - w.within_ms; });
      it = w.members.empty() ? keys.erase(it) : std::next(it);
    }
  }
};

InMemoryAggregateStore::InMemoryAggregateStore() : state_(std::make_unique<State>()) {}
InMemoryAggregateStore::~InMemoryAggregateStore() = default;

Status InMemoryAggregateStore::observe(std::span<const AggregateObservation> observations,
                                       std::vector<std::int64_t>& counts) {
  State& s = *state_;
  counts.resize(observations.size());
  for (std::size_t i = 0; i < observations.size(); ++i) {
    const auto& o = observations[i];
    auto& w = s.keys[o.key];
    w.within_ms = std::max(w.within_ms, o.within_ms);
    auto [it, inserted] = w.members.try_emplace(o.member, o.at_ms);
    if (!inserted) it->second = std::max(it->second, o.at_ms);
    s.newest_ms = std::max(s.newest_ms, o.at_ms);
    std::int64_t n = 0;
    for (const auto& [member, at] : w.members) {
      if (at > o.at_ms - o.within_ms && at <= o.at_ms) ++n;
    }
    counts[i] = n;
  }
  if (++s.since_sweep >= 4096) {
    s.since_sweep = 0;
    s.sweep();
  }
  return ok_status();
}

}  // namespace crosscheck::rules
