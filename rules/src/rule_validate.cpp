// validate_rule: the proportionality and consistency checks a rule must pass before it is stored.
// Every check reports on its own (one violation per problem, with the path it is at) so that an
// author sees everything that is wrong in one run. docs/rules.md explains why each check exists.
#include <unicode/regex.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <memory>

#include "crosscheck/ascii.h"
#include "crosscheck/json_writer.h"
#include "crosscheck/rules/rule.h"
#include "crosscheck/rules/rule_fields.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/time_format.h"
#include "json_messages.h"

namespace crosscheck::rules {
namespace {

using json_messages::quote;

constexpr std::size_t kMaxInValues = 1000;
constexpr std::size_t kMaxValueLength = 1024;
constexpr std::size_t kMaxHitLists = 100;
constexpr std::int64_t kMaxFlagsPerHourCeiling = 1'000'000;
constexpr std::int64_t kMaxAggregateThreshold = 1'000'000;
constexpr std::array<std::string_view, 3> kSeverities = {"low", "medium", "high"};
constexpr std::array<std::string_view, 2> kReservedQueues = {"rule-governance", "dispositions"};

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

// "-12", "10000", "0.5": the exact decimals the event schemas use for amounts and masses.
bool is_decimal(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  const auto dot = s.find('.');
  const auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 30 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dot == std::string_view::npos) return digits(s);
  return digits(s.substr(0, dot)) && digits(s.substr(dot + 1));
}

// Compares two strings that pass is_decimal: <0, 0, >0.
int compare_decimal(std::string_view a, std::string_view b) {
  const bool na = !a.empty() && a[0] == '-', nb = !b.empty() && b[0] == '-';
  if (na) a.remove_prefix(1);
  if (nb) b.remove_prefix(1);
  const auto split = [](std::string_view s) {
    const auto dot = s.find('.');
    std::string_view i = s.substr(0, dot), f = dot == std::string_view::npos ? "" : s.substr(dot + 1);
    while (i.size() > 1 && i[0] == '0') i.remove_prefix(1);
    while (!f.empty() && f.back() == '0') f.remove_suffix(1);
    return std::pair{i, f};
  };
  auto [ia, fa] = split(a);
  auto [ib, fb] = split(b);
  const bool za = ia == "0" && fa.empty(), zb = ib == "0" && fb.empty();
  const int sa = za ? 0 : na ? -1 : 1, sb = zb ? 0 : nb ? -1 : 1;
  if (sa != sb) return sa < sb ? -1 : 1;
  int mag = ia.size() != ib.size() ? (ia.size() < ib.size() ? -1 : 1) : ia.compare(ib);
  if (mag == 0) mag = fa.compare(fb);  // trailing zeros stripped: lexical order is numeric order
  mag = mag < 0 ? -1 : mag > 0 ? 1 : 0;
  return sa < 0 ? -mag : mag;
}

// An RFC 3339 instant or a calendar date (midnight UTC), as the date fields hold.
std::optional<std::int64_t> date_value_ms(std::string_view s) {
  if (auto ms = timefmt::parse_timestamp_ms(s)) return ms;
  if (auto days = timefmt::parse_date_days(s)) return *days * 86'400'000;
  return std::nullopt;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// " (did you mean \"payment.amount\"?)" for a near miss, else "".
std::string suggestion(std::string_view name) {
  if (name.size() > 100) return "";
  const FieldInfo* best = nullptr;
  std::size_t best_distance = 4;  // farther than 3 edits is not a typo
  for (const auto& f : rule_fields()) {
    if (f.path.size() > name.size() && f.path.ends_with(name) && f.path[f.path.size() - name.size() - 1] == '.') {
      return " (did you mean " + quote(f.path) + "?)";
    }
    const std::size_t d = edit_distance(name, f.path);
    if (d < best_distance) {
      best_distance = d;
      best = &f;
    }
  }
  return best ? " (did you mean " + quote(best->path) + "?)" : "";
}

std::string kinds_text(const std::vector<schemas::EventKind>& kinds) {
  std::string out;
  for (auto k : kinds) {
    if (!out.empty()) out += ", ";
    out += schemas::to_string(k);
  }
  return out;
}

bool kind_valid(schemas::EventKind k) { return static_cast<int>(k) < schemas::kEventKindCount; }

class Checker {
 public:
  Checker(const Rule& rule, const RulePolicy& policy, std::int64_t now_ms, std::vector<RuleViolation>& out)
      : rule_(rule), policy_(policy), now_ms_(now_ms), out_(out), read_(fields_read(rule.when)) {}

  void run() {
    identity();
    applies_to();
    texts();
    routing();
    times();
    caps();
    condition();
    data_categories();
    subject_role();
    approval();
  }

 private:
  void add(std::string code, std::string path, std::string message) {
    if (count_ < kMaxRuleViolations) {
      out_.push_back({std::move(code), std::move(path), std::move(message)});
    } else if (count_ == kMaxRuleViolations) {
      out_.push_back({"too_many_violations", "", "more than " + std::to_string(kMaxRuleViolations) +
                                                     " problems; the rest are not listed"});
    }
    ++count_;
  }

  bool kind_has_role(std::string_view role) const {
    for (auto k : rule_.applies_to) {
      if (!kind_valid(k)) continue;
      for (auto r : subject_roles(k)) {
        if (r == role) return true;
      }
    }
    return false;
  }
  static bool known_role(std::string_view role) {
    for (int k = 0; k < schemas::kEventKindCount; ++k) {
      for (auto r : subject_roles(static_cast<schemas::EventKind>(k))) {
        if (r == role) return true;
      }
    }
    return false;
  }
  std::string roles_text() const {
    std::string out;
    for (auto k : rule_.applies_to) {
      if (!kind_valid(k)) continue;
      for (auto r : subject_roles(k)) {
        if (!out.empty()) out += ", ";
        out += r;
      }
    }
    if (out.empty()) {  // no kinds to go by: every role
      for (int k = 0; k < schemas::kEventKindCount; ++k) {
        for (auto r : subject_roles(static_cast<schemas::EventKind>(k))) out += (out.empty() ? "" : ", ") + std::string(r);
      }
    }
    return out;
  }

  // ---- the rule's own keys ----------------------------------------------------------------------

  void identity() {
    if (rule_.id.empty()) {
      add("missing_id", "id", "id is missing: every rule needs a stable id ([a-z0-9][a-z0-9._:-]{0,127})");
    } else if (!is_valid_rule_id(rule_.id)) {
      add("invalid_id", "id", "id " + quote(rule_.id) + " is invalid: expected [a-z0-9][a-z0-9._:-]{0,127}");
    } else if (rule_.id.starts_with("watchlist-hit:")) {
      add("reserved_id", "id", "id " + quote(rule_.id) +
                                   " is reserved: \"watchlist-hit:\" ids are the generated default rules of the lists");
    }
  }

  void applies_to() {
    if (rule_.applies_to.empty()) {
      add("missing_applies_to", "applies_to",
          "applies_to is missing or empty: name the event kinds (itinerary, manifest, payment)");
      return;
    }
    for (std::size_t i = 0; i < rule_.applies_to.size(); ++i) {
      const auto k = rule_.applies_to[i];
      const std::string path = "applies_to[" + std::to_string(i) + "]";
      if (!kind_valid(k)) {
        add("unknown_event_kind", path, "unknown event kind (allowed: itinerary, manifest, payment)");
      } else if (std::find(rule_.applies_to.begin(), rule_.applies_to.begin() + static_cast<std::ptrdiff_t>(i), k) !=
                 rule_.applies_to.begin() + static_cast<std::ptrdiff_t>(i)) {
        add("duplicate_event_kind", path, "event kind " + quote(schemas::to_string(k)) + " is listed twice");
      }
    }
  }

  // Free text must be readable in the audit log and a flag: no control characters, no invalid UTF-8.
  void text(std::string_view value, const std::string& path, std::size_t max_length, bool multiline,
            bool identity) {
    if (!valid_utf8(value)) {
      add("invalid_text", path, path + " is not valid UTF-8");
      return;
    }
    if (value.size() > max_length) {
      add("invalid_text", path, path + " is " + std::to_string(value.size()) + " bytes; at most " +
                                    std::to_string(max_length) + " are allowed");
    }
    const bool control = std::any_of(value.begin(), value.end(), [&](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return (c < 0x20 || c == 0x7F) && !(multiline && (c == '\n' || c == '\t'));
    });
    if (control) add("invalid_text", path, path + " contains control characters");
    if (identity && !value.empty() && (value.front() == ' ' || value.back() == ' ')) {
      add("invalid_text", path, path + " " + quote(value) + " has leading or trailing spaces");
    }
  }

  static bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

  void texts() {
    if (blank(rule_.legal_basis)) {
      add("missing_legal_basis", "legal_basis",
          "legal_basis is missing: name the law or regulation that permits this processing");
    } else {
      text(rule_.legal_basis, "legal_basis", 1000, false, false);
    }
    if (blank(rule_.purpose)) {
      add("missing_purpose", "purpose",
          "purpose is missing: say what the rule is for, so that its proportionality can be judged");
    } else {
      text(rule_.purpose, "purpose", 4000, true, false);
    }
    if (blank(rule_.owner)) {
      add("missing_owner", "owner",
          "owner is missing: name the accountable author (approval must come from someone else)");
    } else {
      text(rule_.owner, "owner", 200, false, true);
    }
  }

  void routing() {
    if (rule_.severity.empty()) {
      add("invalid_severity", "severity", "severity is missing (low, medium or high)");
    } else if (std::find(kSeverities.begin(), kSeverities.end(), rule_.severity) == kSeverities.end()) {
      add("invalid_severity", "severity", "severity " + quote(rule_.severity) + " must be low, medium or high");
    }
    const std::string_view q = rule_.queue;
    bool shape = !q.empty() && q.size() <= 64 && q[0] != '-';
    for (char c : q) shape = shape && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    if (q.empty()) {
      add("invalid_queue", "queue", "queue is missing: name the operator queue (flags go to topic flags.<queue>)");
    } else if (!shape) {
      add("invalid_queue", "queue", "queue " + quote(q) + " is invalid: expected [a-z0-9][a-z0-9-]{0,63}");
    } else if (std::find(kReservedQueues.begin(), kReservedQueues.end(), q) != kReservedQueues.end()) {
      add("reserved_queue", "queue", "queue " + quote(q) + " is reserved for Crosscheck's own records");
    }
    if (static_cast<int>(rule_.mode) > static_cast<int>(RuleMode::kShadow)) {
      add("invalid_mode", "mode", "mode must be \"enforce\" or \"shadow\"");
    }
  }

  // Returns the instant, or nullopt after reporting why there is none.
  std::optional<std::int64_t> instant(const std::string& text, std::int64_t parsed_ms, const char* key,
                                      const char* code) {
    if (text.empty()) {
      add(code, key, std::string(key) + " is missing (an RFC 3339 time such as \"2026-11-01T00:00:00Z\")");
      return std::nullopt;
    }
    const auto ms = timefmt::parse_timestamp_ms(text);
    if (!ms) {
      add(code, key, std::string(key) + " " + quote(text) +
                         " is not an RFC 3339 time (\"2026-11-01T00:00:00Z\", with a zone)");
      return std::nullopt;
    }
    if (*ms != parsed_ms) {
      add(code, key, std::string(key) + "_ms (" + std::to_string(parsed_ms) + ") does not match " + key + " " +
                         quote(text));
    }
    return ms;
  }

  void times() {
    const auto from = instant(rule_.valid_from, rule_.valid_from_ms, "valid_from", "invalid_valid_from");
    const auto until = instant(rule_.expires, rule_.expires_ms, "expires", "invalid_expires");
    if (from && until) {
      if (*until <= *from) {
        add("expires_before_valid_from", "expires", "expires " + quote(rule_.expires) +
                                                         " is not after valid_from " + quote(rule_.valid_from));
      } else if (*until - *from > policy_.max_lifetime_ms) {
        constexpr std::int64_t kDay = 86'400'000;
        add("lifetime_exceeds_maximum", "expires",
            "the rule would live " + std::to_string((*until - *from + kDay - 1) / kDay) +
                " days (valid_from to expires); the maximum is " + std::to_string(policy_.max_lifetime_ms / kDay) +
                " days: a rule must be reviewed and renewed");
      }
    }
    if (until && *until <= now_ms_) {
      add("already_expired", "expires", "expires " + quote(rule_.expires) + " is already past");
    }
  }

  void caps() {
    if (rule_.max_flags_per_hour < 1) {
      add("invalid_max_flags_per_hour", "max_flags_per_hour",
          "max_flags_per_hour is missing or less than 1: every rule needs a cap on flags per hour");
    } else if (rule_.max_flags_per_hour > kMaxFlagsPerHourCeiling) {
      add("invalid_max_flags_per_hour", "max_flags_per_hour",
          "max_flags_per_hour " + std::to_string(rule_.max_flags_per_hour) + " is above " +
              std::to_string(kMaxFlagsPerHourCeiling) + ": that is no cap");
    }
    const double share = rule_.max_flag_share;
    if (!(share > 0.0 && share <= 1.0)) {
      add("invalid_max_flag_share", "max_flag_share",
          "max_flag_share is missing or not in (0, 1]: the largest share of the kind's events the rule may flag "
          "in a sliding hour, e.g. 0.001");
    }
  }

  void subject_role() {
    if (rule_.subject_role.empty()) return;
    if (!known_role(rule_.subject_role)) {
      add("invalid_subject_role", "subject_role", "unknown subject_role " + quote(rule_.subject_role));
    } else if (!rule_.applies_to.empty() && !kind_has_role(rule_.subject_role)) {
      add("invalid_subject_role", "subject_role",
          "subject_role " + quote(rule_.subject_role) + " is not a subject of " + kinds_text(rule_.applies_to) +
              " events (roles: " + roles_text() + ")");
    }
  }

  void approval() {
    const Approval& a = rule_.approval;
    if (a == Approval{}) return;
    if (a.approved_by.empty()) {
      add("invalid_approval", "approval.approved_by", "approval.approved_by is missing");
    } else {
      text(a.approved_by, "approval.approved_by", 200, false, true);
    }
    if (!timefmt::parse_timestamp_ms(a.approved_at)) {
      add("invalid_approval", "approval.approved_at",
          "approval.approved_at " + quote(a.approved_at) + " is not an RFC 3339 time");
    }
    text(a.comment, "approval.comment", 4000, true, false);
    if (!a.approved_by.empty() && ascii::lower(a.approved_by) == ascii::lower(rule_.owner)) {
      add("self_approval", "approval.approved_by",
          "approved by its own owner " + quote(a.approved_by) + ": a second person must approve (four eyes)");
    }
  }

  // ---- data categories ---------------------------------------------------------------------------

  void data_categories() {
    const auto& cats = rule_.data_categories;
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const std::string path = "data_categories[" + std::to_string(i) + "]";
      const std::string& c = cats[i];
      if (is_protected_category(c)) {
        add("protected_category", path,
            quote(c) + " names a protected characteristic (race or ethnicity, religion or belief, politics, health, "
                       "sex life or orientation, trade-union membership): rules may never read one");
      } else if (!find_rule_field(c)) {
        add("unknown_data_category", path, quote(c) + " is not a field rules can read" + suggestion(c));
      } else if (std::find(cats.begin(), cats.begin() + static_cast<std::ptrdiff_t>(i), c) !=
                 cats.begin() + static_cast<std::ptrdiff_t>(i)) {
        add("duplicate_data_category", path, quote(c) + " is declared twice");
      } else if (std::find(read_.begin(), read_.end(), c) == read_.end()) {
        add("data_category_unused", path,
            quote(c) + " is declared but the condition never reads it; flags carry the declared fields, so "
                       "declare only what the rule needs");
      }
    }
  }

  bool declared(std::string_view field) const {
    return std::find(rule_.data_categories.begin(), rule_.data_categories.end(), field) !=
           rule_.data_categories.end();
  }

  // A field named in the condition: known, of a kind the rule applies to, and declared.
  const FieldInfo* field_ref(std::string_view name, const std::string& path, std::string_view what) {
    if (name.empty()) {
      add("malformed_node", path, std::string(what) + " is missing");
      return nullptr;
    }
    const FieldInfo* f = find_rule_field(name);
    if (!f) {
      if (is_protected_category(name)) {
        add("protected_category", path, quote(name) + " names a protected characteristic: rules may never read one");
      } else {
        add("unknown_field", path, "unknown field " + quote(name) + suggestion(name) +
                                       " (docs/rules.md lists the fields)");
      }
      return nullptr;
    }
    if (!rule_.applies_to.empty() &&
        std::none_of(rule_.applies_to.begin(), rule_.applies_to.end(),
                     [&](schemas::EventKind k) { return kind_valid(k) && field_applies_to(*f, k); })) {
      add("field_not_applicable", path, quote(name) + " is not a field of " + kinds_text(rule_.applies_to) +
                                            " events");
    }
    if (!declared(name)) {
      add("field_not_declared", path, quote(name) + " is read by the condition but not declared in data_categories");
    }
    return f;
  }

  // ---- the condition tree -------------------------------------------------------------------------

  void condition() {
    const Condition& root = rule_.when;
    const bool empty_group = (root.type == Condition::Type::kAll || root.type == Condition::Type::kAny) &&
                             root.children.empty();
    if (empty_group) {
      add("missing_when", "when", "when is missing or empty: a rule needs a condition");
      return;
    }
    // Count iteratively (a hand-built tree may be deep); the walk below stops at the depth limit.
    std::size_t nodes = 0;
    std::vector<const Condition*> stack{&root};
    while (!stack.empty()) {
      const Condition* c = stack.back();
      stack.pop_back();
      ++nodes;
      for (const auto& child : c->children) stack.push_back(&child);
    }
    if (nodes > policy_.max_condition_nodes) {
      add("too_many_condition_nodes", "when", "the condition has " + std::to_string(nodes) + " nodes; at most " +
                                                  std::to_string(policy_.max_condition_nodes) + " are allowed");
    }
    node(root, "when", 1);
    const Paths p = paths(root, true, 1);
    if (p.personal_only) {
      std::string personal;
      for (const auto& f : read_) {
        const FieldInfo* info = find_rule_field(f);
        if (info && info->personal_characteristic) personal += (personal.empty() ? "" : ", ") + f;
      }
      add("profiling_only_personal_characteristics", "when",
          "the rule can match on personal characteristics (" + personal +
              ") without any behavioural condition or watchlist hit: that is profiling. Every way the condition "
              "can be met must also need a behavioural field test, a watchlist hit or an aggregate (a negated "
              "test or an \"absent\" test does not count)");
    }
  }

  void node(const Condition& c, const std::string& path, std::size_t depth) {
    if (depth > kMaxConditionDepth) {
      if (!deep_reported_) {
        add("condition_too_deep", path, "conditions nest at most " + std::to_string(kMaxConditionDepth) + " deep");
        deep_reported_ = true;
      }
      return;
    }
    switch (c.type) {
      case Condition::Type::kAll:
      case Condition::Type::kAny: {
        const std::string name = c.type == Condition::Type::kAll ? "all" : "any";
        if (c.children.empty()) add("malformed_node", path, name + " has no conditions");
        for (std::size_t i = 0; i < c.children.size(); ++i) {
          node(c.children[i], path + "." + name + "[" + std::to_string(i) + "]", depth + 1);
        }
        break;
      }
      case Condition::Type::kNot:
        if (c.children.size() != 1) {
          add("malformed_node", path, "not takes exactly one condition, got " + std::to_string(c.children.size()));
        }
        for (const auto& child : c.children) node(child, path + ".not", depth + 1);
        break;
      case Condition::Type::kField: field_test(c, path); break;
      case Condition::Type::kHit: hit(c.hit, path + ".hit"); break;
      case Condition::Type::kAggregate: aggregate(c.aggregate, path + ".aggregate"); break;
    }
  }

  void field_test(const Condition& c, const std::string& path) {
    const FieldInfo* f = field_ref(c.field, path + ".field", "a field test's \"field\"");
    const CompareOp op = c.op;
    const std::string op_name(to_string(op));
    const bool single = !(op == CompareOp::kIn || op == CompareOp::kNotIn || op == CompareOp::kBetween ||
                          op == CompareOp::kPresent || op == CompareOp::kAbsent);
    const auto value_path = [&](std::size_t i) {
      return single ? path + ".value" : path + ".values[" + std::to_string(i) + "]";
    };
    if (static_cast<std::size_t>(op) > static_cast<std::size_t>(CompareOp::kAbsent)) {
      add("unknown_operator", path + ".op", "unknown operator");
      return;
    }
    if (!c.of.empty() && op != CompareOp::kWithinBefore) {
      add("malformed_node", path + ".of", "\"of\" belongs only to within_before");
    }
    // How many values the operator takes.
    const std::size_t n = c.values.size();
    bool count_ok = true;
    if (single && n != 1) {
      add("invalid_value", path + ".value", "operator " + quote(op_name) + " needs one \"value\"");
      count_ok = false;
    } else if ((op == CompareOp::kIn || op == CompareOp::kNotIn) && (n < 1 || n > kMaxInValues)) {
      add("invalid_value", path + ".values", "operator " + quote(op_name) + " needs 1 to " +
                                                 std::to_string(kMaxInValues) + " values, got " + std::to_string(n));
      count_ok = false;
    } else if (op == CompareOp::kBetween && n != 2) {
      add("invalid_value", path + ".values", "between needs two values [low, high], got " + std::to_string(n));
      count_ok = false;
    } else if ((op == CompareOp::kPresent || op == CompareOp::kAbsent) && n != 0) {
      add("invalid_value", path + ".values", "operator " + quote(op_name) + " takes no value");
      count_ok = false;
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!valid_utf8(c.values[i])) add("invalid_value", value_path(i), "the value is not valid UTF-8");
    }
    if (op == CompareOp::kMatches) {
      if (f && f->type != FieldType::kString) {
        add("op_not_for_field_type", path + ".op", "matches applies to text fields; " + quote(c.field) + " is a " +
                                                       (f->type == FieldType::kNumber ? "number" : "date"));
      }
      if (count_ok) pattern(c.values[0], path + ".value");
      return;
    }
    if (op == CompareOp::kWithinBefore) {
      if (f && f->type != FieldType::kDate) {
        add("op_not_for_field_type", path + ".op", "within_before compares dates; " + quote(c.field) + " is not a date");
      }
      const FieldInfo* g = field_ref(c.of, path + ".of", "within_before's \"of\"");
      if (g && g->type != FieldType::kDate) {
        add("op_not_for_field_type", path + ".of", "within_before compares dates; " + quote(c.of) + " is not a date");
      }
      if (!c.of.empty() && c.of == c.field) add("invalid_value", path + ".of", "\"of\" names the field itself");
      if (count_ok) {
        const auto ms = parse_rule_duration_ms(c.values[0]);
        if (!ms) {
          add("invalid_duration", path + ".value",
              quote(c.values[0]) + " is not a duration (<n>m, <n>h or <n>d, e.g. \"24h\")");
        } else if (*ms != c.duration_ms) {
          add("invalid_duration", path + ".value", "duration_ms does not match the duration " + quote(c.values[0]));
        }
      }
      return;
    }
    if (!f || !count_ok) return;
    // Comparisons, membership and ranges: each value must be of the field's type.
    bool typed = true;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& v = c.values[i];
      if (f->type == FieldType::kNumber && !is_decimal(v)) {
        add("invalid_value", value_path(i), quote(v) + " is not a number: " + quote(c.field) +
                                                " takes exact decimals such as \"10000\" or \"0.5\"");
        typed = false;
      } else if (f->type == FieldType::kDate && !date_value_ms(v)) {
        add("invalid_value", value_path(i), quote(v) + " is not a date: " + quote(c.field) +
                                                " takes RFC 3339 times or YYYY-MM-DD dates");
        typed = false;
      } else if (v.size() > kMaxValueLength) {
        add("invalid_value", value_path(i), "the value is longer than " + std::to_string(kMaxValueLength) + " bytes");
      }
    }
    if (op == CompareOp::kBetween && typed) {
      const std::string &lo = c.values[0], &hi = c.values[1];
      const bool reversed = f->type == FieldType::kNumber ? compare_decimal(lo, hi) > 0
                            : f->type == FieldType::kDate ? *date_value_ms(lo) > *date_value_ms(hi)
                                                          : lo > hi;
      if (reversed) {
        add("invalid_value", path + ".values", "between needs low <= high, got [" + quote(lo) + ", " + quote(hi) + "]");
      }
    }
  }

  void pattern(const std::string& p, const std::string& path) {
    if (p.size() > policy_.max_pattern_length) {
      add("pattern_too_long", path, "the pattern is " + std::to_string(p.size()) + " bytes; at most " +
                                        std::to_string(policy_.max_pattern_length) + " are allowed");
      return;
    }
    UErrorCode status = U_ZERO_ERROR;
    UParseError where{};
    std::unique_ptr<icu::RegexPattern> compiled(icu::RegexPattern::compile(
        icu::UnicodeString::fromUTF8(icu::StringPiece(p.data(), static_cast<std::int32_t>(p.size()))), 0, where,
        status));
    if (U_FAILURE(status)) {
      add("invalid_regex", path, quote(p) + " is not a valid ICU regular expression (" + u_errorName(status) +
                                     (where.offset >= 0 ? " at offset " + std::to_string(where.offset) : "") + ")");
    }
  }

  void hit(const HitTest& h, const std::string& path) {
    if (h.role.empty()) {
      add("invalid_hit_role", path + ".role", "role is missing (a subject role, or \"any\")");
    } else if (h.role != "any" && !known_role(h.role)) {
      add("invalid_hit_role", path + ".role", "unknown role " + quote(h.role) + " (roles: " + roles_text() + ", or any)");
    } else if (h.role != "any" && !rule_.applies_to.empty() && !kind_has_role(h.role)) {
      add("invalid_hit_role", path + ".role",
          "role " + quote(h.role) + " is not a subject of " + kinds_text(rule_.applies_to) + " events (roles: " +
              roles_text() + ", or any)");
    }
    if (!(h.min_score >= 0.0 && h.min_score <= 1.0)) {
      add("invalid_hit_score", path + ".min_score", "min_score must be from 0 to 1 (0 = the list's own threshold)");
    }
    if (h.lists.size() > kMaxHitLists) {
      add("invalid_hit_list", path + ".lists", "at most " + std::to_string(kMaxHitLists) + " lists");
    }
    for (std::size_t i = 0; i < h.lists.size() && i < kMaxHitLists; ++i) {
      const std::string item = path + ".lists[" + std::to_string(i) + "]";
      if (!is_valid_list_id(h.lists[i])) {
        add("invalid_hit_list", item, quote(h.lists[i]) + " is not a list id ([a-z0-9][a-z0-9._-]{0,63})");
      } else if (std::find(h.lists.begin(), h.lists.begin() + static_cast<std::ptrdiff_t>(i), h.lists[i]) !=
                 h.lists.begin() + static_cast<std::ptrdiff_t>(i)) {
        add("invalid_hit_list", item, quote(h.lists[i]) + " is listed twice");
      }
    }
  }

  void aggregate(const AggregateTest& a, const std::string& path) {
    // Aggregates count one key (and one counted value) per event: a repeated field has many.
    const auto single_valued_field = [&](const FieldInfo* f, const std::string& p) {
      if (f && f->repeated) {
        add("invalid_aggregate_field", p, quote(f->path) + " has one value per passenger, goods item or agent; an "
                                              "aggregate needs a field with one value per event");
      }
    };
    single_valued_field(field_ref(a.per, path + ".per", "aggregate \"per\" (the key field)"), path + ".per");
    if (a.count == AggregateTest::Count::kDistinct) {
      if (a.of.empty()) {
        add("missing_aggregate_of", path + ".of", "count \"distinct\" needs \"of\": the field whose distinct values are counted");
      } else {
        single_valued_field(field_ref(a.of, path + ".of", "aggregate \"of\""), path + ".of");
        if (a.of == a.per) add("invalid_aggregate_field", path + ".of", "\"of\" and \"per\" name the same field");
      }
    } else if (!a.of.empty()) {
      add("invalid_aggregate_field", path + ".of", "\"of\" applies only to count \"distinct\"");
    }
    if (a.within_ms <= 0 || a.within_ms % 60'000 != 0) {
      add("invalid_aggregate_window", path + ".within",
          "within is missing or not a whole number of minutes (<n>m, <n>h or <n>d)");
    } else if (a.within_ms > policy_.max_aggregate_window_ms) {
      add("aggregate_window_exceeds_maximum", path + ".within",
          "window " + format_rule_duration(a.within_ms) + " is longer than the maximum " +
              format_rule_duration(policy_.max_aggregate_window_ms) +
              ": aggregates keep (hashed) keys in Redis for the length of the window");
    }
    if (a.at_least < 2 || a.at_least > kMaxAggregateThreshold) {
      add("invalid_aggregate_threshold", path + ".at_least",
          "at_least must be from 2 to " + std::to_string(kMaxAggregateThreshold) + " (1 is a plain field test)");
    }
  }

  // ---- profiling ---------------------------------------------------------------------------------

  // The ways a node can be satisfied that carry no behavioural evidence (a positive behavioural
  // field test, a watchlist hit or an aggregate): whether one of them tests a personal
  // characteristic (personal_only: the rule could flag someone for who they are) and whether one
  // tests nothing personal either (bare: e.g. only negations).
  struct Paths {
    bool personal_only = false;
    bool bare = false;
  };

  static bool personal(std::string_view field) {
    const FieldInfo* f = find_rule_field(field);
    return f && f->personal_characteristic;
  }

  // `positive` is false under an odd number of `not`s (negation is pushed down to the leaves).
  Paths paths(const Condition& c, bool positive, std::size_t depth) const {
    constexpr Paths kEvidence{false, false};
    if (depth > kMaxConditionDepth) return kEvidence;  // reported as too deep; no guess
    switch (c.type) {
      case Condition::Type::kAll:
      case Condition::Type::kAny: {
        // all (or a negated any) needs every child: a path without evidence needs one from each.
        const bool conjunction = (c.type == Condition::Type::kAll) == positive;
        if (c.children.empty()) return kEvidence;  // reported as malformed
        Paths out;
        if (conjunction) {
          bool all_bare = true, all_unevidenced = true, any_personal = false;
          for (const auto& child : c.children) {
            const Paths p = paths(child, positive, depth + 1);
            all_unevidenced = all_unevidenced && (p.personal_only || p.bare);
            all_bare = all_bare && p.bare;
            any_personal = any_personal || p.personal_only;
          }
          out.personal_only = all_unevidenced && any_personal;
          out.bare = all_bare;
        } else {
          for (const auto& child : c.children) {
            const Paths p = paths(child, positive, depth + 1);
            out.personal_only = out.personal_only || p.personal_only;
            out.bare = out.bare || p.bare;
          }
        }
        return out;
      }
      case Condition::Type::kNot:
        if (c.children.size() != 1) return kEvidence;  // reported as malformed
        return paths(c.children.front(), !positive, depth + 1);
      case Condition::Type::kField: {
        if (!find_rule_field(c.field) || (c.op == CompareOp::kWithinBefore && !find_rule_field(c.of))) {
          return kEvidence;  // unknown or unreadable: reported on its own, given the benefit of the doubt
        }
        if (personal(c.field) || (c.op == CompareOp::kWithinBefore && personal(c.of))) return {true, false};
        // A negated test or an absence can be met by an event that simply lacks the data: it says
        // nothing about what the person did.
        if (!positive || c.op == CompareOp::kAbsent) return {false, true};
        return kEvidence;
      }
      case Condition::Type::kHit: return positive ? kEvidence : Paths{false, true};
      case Condition::Type::kAggregate:
        if (personal(c.aggregate.per) ||
            (c.aggregate.count == AggregateTest::Count::kDistinct && personal(c.aggregate.of))) {
          return {true, false};
        }
        return positive ? kEvidence : Paths{false, true};
    }
    return kEvidence;
  }

  const Rule& rule_;
  const RulePolicy& policy_;
  std::int64_t now_ms_;
  std::vector<RuleViolation>& out_;
  std::vector<std::string> read_;
  std::size_t count_ = 0;
  bool deep_reported_ = false;
};

}  // namespace

void validate_rule(const Rule& rule, const RulePolicy& policy, std::int64_t now_ms,
                   std::vector<RuleViolation>& violations) {
  Checker(rule, policy, now_ms, violations).run();
}

}  // namespace crosscheck::rules
