// The rule model's JSON form: parse_rule (untrusted text in, violations out), the canonical
// encode_rule, the digest flags carry, and the generated default rule of a watchlist.
// validate_rule (the proportionality checks) is in rule_validate.cpp.
#include "crosscheck/rules/rule.h"
#include "crosscheck/sha256.h"

#include <simdjson.h>

#include <algorithm>
#include <array>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"
#include "json_messages.h"

namespace crosscheck::rules {

namespace {

using json_messages::quote;
using json_messages::type_name;

// ---- names --------------------------------------------------------------------------------------

constexpr std::array<std::string_view, 13> kOpNames = {
    "==", "!=", "<", "<=", ">", ">=", "in", "not_in", "between", "matches", "within_before", "present", "absent"};

// The canonical key order of a rule (encode_rule writes them in this order).
constexpr std::array<std::string_view, 17> kRuleKeys = {
    "id",      "version",         "applies_to", "when",          "severity",           "queue",
    "legal_basis", "purpose",     "owner",      "data_categories", "valid_from",       "expires",
    "max_flags_per_hour", "max_flag_share", "mode", "subject_role", "approval"};
enum RuleKey {
  kId, kVersion, kAppliesTo, kWhen, kSeverity, kQueue, kLegalBasis, kPurpose, kOwner, kDataCategories,
  kValidFrom, kExpires, kMaxFlagsPerHour, kMaxFlagShare, kMode, kSubjectRole, kApproval
};
constexpr std::array<std::string_view, 6> kNodeKeys = {"all", "any", "not", "field", "hit", "aggregate"};
constexpr std::array<std::string_view, 5> kFieldTestKeys = {"field", "op", "value", "values", "of"};
constexpr std::array<std::string_view, 3> kHitKeys = {"role", "lists", "min_score"};
constexpr std::array<std::string_view, 5> kAggregateKeys = {"count", "of", "per", "within", "at_least"};
constexpr std::array<std::string_view, 3> kApprovalKeys = {"approved_by", "approved_at", "comment"};

constexpr std::array<std::string_view, 1> kItineraryRoles = {"passenger"};
constexpr std::array<std::string_view, 3> kManifestRoles = {"consignor", "consignee", "conveyance"};
constexpr std::array<std::string_view, 5> kPaymentRoles = {"debtor", "creditor", "debtor_agent", "creditor_agent",
                                                           "intermediary_agent"};

constexpr std::string_view kReservedIdPrefix = "watchlist-hit:";
constexpr std::string_view kFarFuture = "9999-12-31T23:59:59Z";
// Each condition level is an object and (for all/any) an array; a leaf adds up to two more (hit
// lists, values). Deeper text is refused by the JSON parser before it reaches the tree walk.
constexpr std::size_t kMaxJsonDepth = 2 * kMaxConditionDepth + 8;

template <std::size_t N>
int key_index(const std::array<std::string_view, N>& keys, std::string_view key) {
  for (std::size_t i = 0; i < N; ++i) {
    if (keys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& keys) {
  std::string out;
  for (auto k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

bool single_valued(CompareOp op) {
  switch (op) {
    case CompareOp::kIn:
    case CompareOp::kNotIn:
    case CompareOp::kBetween:
    case CompareOp::kPresent:
    case CompareOp::kAbsent: return false;
    default: return true;
  }
}
bool multi_valued(CompareOp op) {
  return op == CompareOp::kIn || op == CompareOp::kNotIn || op == CompareOp::kBetween;
}

// ---- parsing ------------------------------------------------------------------------------------

// Reads one rule. Every problem is appended (up to kMaxRuleViolations); `suppressed` collects the
// paths whose validation would only repeat a problem already reported (see parse_and_validate_rule).
class RuleReader {
 public:
  RuleReader(std::vector<RuleViolation>& out, std::vector<std::string>& suppressed)
      : out_(out), suppressed_(suppressed) {}

  std::optional<Rule> read(std::string_view json) {
    if (json.size() > kMaxRuleJsonBytes) {
      add("rule_too_large", "", "the rule is " + std::to_string(json.size()) + " bytes; at most " +
                                    std::to_string(kMaxRuleJsonBytes) + " bytes are accepted");
      return std::nullopt;
    }
    // One parser per thread: its buffers are reused, and its depth limit bounds the tree walk.
    thread_local simdjson::dom::parser parser;
    thread_local bool allocated = false;
    if (!allocated) {
      if (parser.allocate(64 * 1024, kMaxJsonDepth) != simdjson::SUCCESS) {
        add("invalid_json", "", "could not allocate the JSON parser");
        return std::nullopt;
      }
      allocated = true;
    }
    simdjson::dom::element root;
    if (auto err = parser.parse(json.data(), json.size(), true).get(root)) {
      std::string msg = std::string("not valid JSON: ") + simdjson::error_message(err);
      if (err == simdjson::DEPTH_ERROR) {
        msg = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels (conditions nest at most " +
              std::to_string(kMaxConditionDepth) + " deep)";
      }
      add("invalid_json", "", msg);
      return std::nullopt;
    }
    simdjson::dom::object object;
    if (root.get_object().get(object)) {
      add("not_an_object", "", "a rule is a JSON object, got " + std::string(type_name(root.type())));
      return std::nullopt;
    }
    Rule rule;
    rule.severity.clear();  // missing is reported by validate_rule, not defaulted
    std::array<bool, kRuleKeys.size()> seen{};
    for (auto field : object) {
      const std::string key(field.key);
      const int k = key_index(kRuleKeys, key);
      if (k < 0) {
        add("unknown_key", key, "unknown key " + quote(key) + " (allowed: " + join(kRuleKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        add("duplicate_key", key, "duplicate key " + quote(key));
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      read_key(static_cast<RuleKey>(k), key, field.value, rule);
    }
    if (!seen[kMode]) add("invalid_mode", "mode", "mode is missing (enforce or shadow)");
    return rule;
  }

 private:
  void add(std::string code, std::string path, std::string message) {
    suppressed_.push_back(path);
    if (count_ < kMaxRuleViolations) {
      out_.push_back({std::move(code), std::move(path), std::move(message)});
    } else if (count_ == kMaxRuleViolations) {
      out_.push_back({"too_many_violations", "", "more than " + std::to_string(kMaxRuleViolations) +
                                                     " problems; the rest are not listed"});
    }
    ++count_;
  }

  bool string(simdjson::dom::element value, const std::string& path, std::string& out,
              std::string_view code = "wrong_type") {
    std::string_view s;
    if (value.get_string().get(s)) {
      add(std::string(code), path, path + " must be a string, got " + std::string(type_name(value.type())));
      return false;
    }
    out.assign(s);
    return true;
  }

  void strings(simdjson::dom::element value, const std::string& path, std::vector<std::string>& out,
               std::string_view code = "wrong_type") {
    simdjson::dom::array array;
    if (value.get_array().get(array)) {
      add(std::string(code), path, path + " must be an array of strings, got " + std::string(type_name(value.type())));
      return;
    }
    std::size_t i = 0;
    for (auto item : array) {
      std::string s;
      if (string(item, path + "[" + std::to_string(i) + "]", s, code)) out.push_back(std::move(s));
      ++i;
    }
  }

  void read_key(RuleKey k, const std::string& key, simdjson::dom::element value, Rule& rule) {
    switch (k) {
      case kId: string(value, key, rule.id); break;
      case kVersion: {
        std::uint64_t v = 0;
        if (value.get_uint64().get(v) || v == 0) {
          add("invalid_version", key,
              "version must be a positive whole number (or absent: the store assigns it), got " +
                  (value.is_number() ? std::string("a number that is not") : std::string(type_name(value.type()))));
          break;
        }
        rule.version = v;
        break;
      }
      case kAppliesTo: {
        std::vector<std::string> kinds;
        strings(value, key, kinds);
        for (std::size_t i = 0; i < kinds.size(); ++i) {
          if (auto kind = schemas::event_kind_from_string(kinds[i])) {
            rule.applies_to.push_back(*kind);
          } else {
            add("unknown_event_kind", key + "[" + std::to_string(i) + "]",
                "unknown event kind " + quote(kinds[i]) + " (allowed: itinerary, manifest, payment)");
            suppressed_.push_back(key);  // not also "applies_to is empty")
          }
        }
        break;
      }
      case kWhen: rule.when = node(value, "when", 1); break;
      case kSeverity: string(value, key, rule.severity); break;
      case kQueue: string(value, key, rule.queue); break;
      case kLegalBasis: string(value, key, rule.legal_basis); break;
      case kPurpose: string(value, key, rule.purpose); break;
      case kOwner: string(value, key, rule.owner); break;
      case kDataCategories: strings(value, key, rule.data_categories); break;
      case kValidFrom:
        if (string(value, key, rule.valid_from)) {
          rule.valid_from_ms = timefmt::parse_timestamp_ms(rule.valid_from).value_or(0);
        }
        break;
      case kExpires:
        if (string(value, key, rule.expires)) rule.expires_ms = timefmt::parse_timestamp_ms(rule.expires).value_or(0);
        break;
      case kMaxFlagsPerHour:
        if (value.get_int64().get(rule.max_flags_per_hour)) {
          add("invalid_max_flags_per_hour", key,
              "max_flags_per_hour must be a whole number, got " + std::string(type_name(value.type())));
        }
        break;
      case kMaxFlagShare:
        if (value.get_double().get(rule.max_flag_share)) {
          add("invalid_max_flag_share", key,
              "max_flag_share must be a number in (0, 1], got " + std::string(type_name(value.type())));
        }
        break;
      case kMode: {
        std::string mode;
        if (!string(value, key, mode, "invalid_mode")) break;
        if (mode == "enforce") {
          rule.mode = RuleMode::kEnforce;
        } else if (mode == "shadow") {
          rule.mode = RuleMode::kShadow;
        } else {
          add("invalid_mode", key, "mode " + quote(mode) + " must be \"enforce\" or \"shadow\"");
        }
        break;
      }
      case kSubjectRole: string(value, key, rule.subject_role); break;
      case kApproval: approval(value, rule.approval); break;
    }
  }

  void approval(simdjson::dom::element value, Approval& out) {
    simdjson::dom::object object;
    if (value.get_object().get(object)) {
      add("invalid_approval", "approval",
          "approval must be an object {\"approved_by\",\"approved_at\",\"comment\"}, got " +
              std::string(type_name(value.type())));
      return;
    }
    std::array<bool, kApprovalKeys.size()> seen{};
    for (auto field : object) {
      const std::string path = "approval." + std::string(field.key);
      const int k = key_index(kApprovalKeys, field.key);
      if (k < 0) {
        add("invalid_approval", path, "unknown key " + quote(field.key) + " in approval (allowed: " +
                                          join(kApprovalKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        add("invalid_approval", path, "duplicate key " + quote(field.key) + " in approval");
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      std::string& target = k == 0 ? out.approved_by : k == 1 ? out.approved_at : out.comment;
      string(field.value, path, target, "invalid_approval");
    }
  }

  // A node that could not be read stands in as a field test of no field: validation of that path
  // is suppressed (the reader reported it) and the profiling check gives it the benefit of the
  // doubt, so a broken node never causes a second, misleading violation.
  Condition placeholder(const std::string& path) {
    suppressed_.push_back(path);
    Condition c;
    c.type = Condition::Type::kField;
    c.op = CompareOp::kPresent;
    return c;
  }

  Condition node(simdjson::dom::element value, const std::string& path, std::size_t depth) {
    if (depth > kMaxConditionDepth) {
      add("condition_too_deep", path,
          "conditions nest at most " + std::to_string(kMaxConditionDepth) + " deep; simplify the tree");
      return placeholder(path);
    }
    simdjson::dom::object object;
    if (value.get_object().get(object)) {
      add("malformed_node", path, "a condition must be an object, got " + std::string(type_name(value.type())));
      return placeholder(path);
    }
    // Classify by keys first: a field test is the only node with several keys.
    std::vector<std::string_view> node_keys, other_keys;
    bool field_test = false;
    for (auto field : object) {
      if (key_index(kNodeKeys, field.key) >= 0 && field.key != "field") {
        node_keys.push_back(field.key);
      } else if (key_index(kFieldTestKeys, field.key) >= 0) {
        field_test = true;
      } else {
        other_keys.push_back(field.key);
      }
    }
    if (node_keys.empty() && !field_test) {
      if (other_keys.empty()) {
        add("malformed_node", path, "empty condition (expected one of: " + join(kNodeKeys) + ")");
      } else {
        add("malformed_node", path, "unknown condition key " + quote(other_keys.front()) +
                                        " (expected one of: " + join(kNodeKeys) + ")");
      }
      return placeholder(path);
    }
    if (node_keys.size() + (field_test ? 1 : 0) > 1) {
      add("malformed_node", path,
          "a condition has exactly one of all, any, not, hit, aggregate, or is a field test; got " +
              (node_keys.size() > 1 ? quote(node_keys[0]) + " and " + quote(node_keys[1])
                                    : quote(node_keys[0]) + " and field-test keys"));
      return placeholder(path);
    }
    if (field_test) return field_node(object, path);
    if (!other_keys.empty()) {
      add("malformed_node", path, "unknown key " + quote(other_keys.front()) + " beside " + quote(node_keys.front()) +
                                      " (a condition node has exactly one key)");
      return placeholder(path);
    }
    const std::string_view kind = node_keys.front();
    simdjson::dom::element inner;
    if (object.at_key(kind).get(inner)) return placeholder(path);
    if (kind == "all" || kind == "any") {
      Condition c;
      c.type = kind == "all" ? Condition::Type::kAll : Condition::Type::kAny;
      simdjson::dom::array array;
      if (inner.get_array().get(array)) {
        add("malformed_node", path, std::string(kind) + " must be an array of conditions, got " +
                                        std::string(type_name(inner.type())));
        return placeholder(path);
      }
      std::size_t i = 0;
      for (auto child : array) {
        c.children.push_back(node(child, path + "." + std::string(kind) + "[" + std::to_string(i++) + "]", depth + 1));
      }
      return c;
    }
    if (kind == "not") {
      if (!inner.is_object()) {
        add("malformed_node", path, "not takes exactly one condition (an object), got " +
                                        std::string(type_name(inner.type())));
        return placeholder(path);
      }
      Condition c;
      c.type = Condition::Type::kNot;
      c.children.push_back(node(inner, path + ".not", depth + 1));
      return c;
    }
    if (kind == "hit") return hit_node(inner, path + ".hit");
    return aggregate_node(inner, path + ".aggregate");
  }

  Condition field_node(simdjson::dom::object object, const std::string& path) {
    Condition c;
    c.type = Condition::Type::kField;
    std::array<bool, kFieldTestKeys.size()> seen{};
    std::optional<std::string> value;
    std::optional<std::vector<std::string>> values;
    bool op_known = false;
    for (auto field : object) {
      const int k = key_index(kFieldTestKeys, field.key);
      const std::string key_path = path + "." + std::string(field.key);
      if (k < 0) {
        add("malformed_node", key_path, "unknown key " + quote(field.key) + " in a field test (allowed: " +
                                            join(kFieldTestKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        add("malformed_node", key_path, "duplicate key " + quote(field.key) + " in a field test");
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      switch (k) {
        case 0: string(field.value, key_path, c.field); break;
        case 1: {
          std::string op;
          if (!string(field.value, key_path, op)) break;
          if (auto parsed = compare_op_from_string(op)) {
            c.op = *parsed;
            op_known = true;
          } else {
            add("unknown_operator", key_path, "unknown operator " + quote(op) + " (allowed: " + join(kOpNames) + ")");
          }
          break;
        }
        case 2: {
          std::string s;
          if (field.value.is_number()) {
            add("invalid_value", key_path,
                "value must be a string; write numbers as exact decimal strings, e.g. \"10000\"");
          } else if (string(field.value, key_path, s, "invalid_value")) {
            value = std::move(s);
          }
          break;
        }
        case 3: {
          std::vector<std::string> v;
          strings(field.value, key_path, v, "invalid_value");
          values = std::move(v);
          break;
        }
        case 4: string(field.value, key_path, c.of); break;
      }
    }
    if (!seen[0]) add("malformed_node", path + ".field", "a field test needs \"field\"");
    if (!seen[1]) add("malformed_node", path + ".op", "a field test needs \"op\"");
    if (!op_known) {
      // Without a known operator the values cannot be judged: say nothing more about them.
      suppressed_.push_back(path + ".op");
      suppressed_.push_back(path + ".value");
      suppressed_.push_back(path + ".values");
      if (value) c.values.push_back(*value);
      if (values) c.values.insert(c.values.end(), values->begin(), values->end());
      return c;
    }
    const std::string op_name(to_string(c.op));
    if (single_valued(c.op)) {
      if (values) {
        add("invalid_value", path + ".values", "operator " + quote(op_name) + " takes \"value\" (one string), not \"values\"");
      }
      if (value) c.values.push_back(*value);
    } else if (multi_valued(c.op)) {
      if (value) {
        add("invalid_value", path + ".value", "operator " + quote(op_name) + " takes \"values\" (an array), not \"value\"");
      }
      if (values) c.values = std::move(*values);
    } else if (value || values) {
      add("invalid_value", path + (value ? ".value" : ".values"),
          "operator " + quote(op_name) + " takes no value");
    }
    if (c.op == CompareOp::kWithinBefore && c.values.size() == 1) {
      c.duration_ms = parse_rule_duration_ms(c.values[0]).value_or(0);
    }
    return c;
  }

  Condition hit_node(simdjson::dom::element value, const std::string& path) {
    Condition c;
    c.type = Condition::Type::kHit;
    simdjson::dom::object object;
    if (value.get_object().get(object)) {
      add("malformed_node", path, "hit must be an object {\"role\",\"lists\",\"min_score\"}, got " +
                                      std::string(type_name(value.type())));
      return c;
    }
    std::array<bool, kHitKeys.size()> seen{};
    for (auto field : object) {
      const int k = key_index(kHitKeys, field.key);
      const std::string key_path = path + "." + std::string(field.key);
      if (k < 0) {
        add("unknown_key", key_path, "unknown key " + quote(field.key) + " in hit (allowed: " + join(kHitKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        add("duplicate_key", key_path, "duplicate key " + quote(field.key) + " in hit");
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      if (k == 0) {
        string(field.value, key_path, c.hit.role, "invalid_hit_role");
      } else if (k == 1) {
        strings(field.value, key_path, c.hit.lists, "invalid_hit_list");
      } else if (field.value.get_double().get(c.hit.min_score)) {
        add("invalid_hit_score", key_path,
            "min_score must be a number from 0 to 1, got " + std::string(type_name(field.value.type())));
      }
    }
    return c;
  }

  Condition aggregate_node(simdjson::dom::element value, const std::string& path) {
    Condition c;
    c.type = Condition::Type::kAggregate;
    simdjson::dom::object object;
    if (value.get_object().get(object)) {
      add("malformed_node", path, "aggregate must be an object {\"count\",\"of\",\"per\",\"within\",\"at_least\"}, got " +
                                      std::string(type_name(value.type())));
      return c;
    }
    std::array<bool, kAggregateKeys.size()> seen{};
    for (auto field : object) {
      const int k = key_index(kAggregateKeys, field.key);
      const std::string key_path = path + "." + std::string(field.key);
      if (k < 0) {
        add("unknown_key", key_path,
            "unknown key " + quote(field.key) + " in aggregate (allowed: " + join(kAggregateKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        add("duplicate_key", key_path, "duplicate key " + quote(field.key) + " in aggregate");
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      switch (k) {
        case 0: {
          std::string count;
          if (!string(field.value, key_path, count)) break;
          if (count == "events") {
            c.aggregate.count = AggregateTest::Count::kEvents;
          } else if (count == "distinct") {
            c.aggregate.count = AggregateTest::Count::kDistinct;
          } else {
            add("invalid_value", key_path, "count " + quote(count) + " must be \"events\" or \"distinct\"");
          }
          break;
        }
        case 1: string(field.value, key_path, c.aggregate.of); break;
        case 2: string(field.value, key_path, c.aggregate.per); break;
        case 3: {
          std::string within;
          if (!string(field.value, key_path, within, "invalid_aggregate_window")) break;
          if (auto ms = parse_rule_duration_ms(within)) {
            c.aggregate.within_ms = *ms;
          } else {
            add("invalid_aggregate_window", key_path,
                "within " + quote(within) + " is not a duration (<n>m, <n>h or <n>d, e.g. \"24h\")");
          }
          break;
        }
        case 4:
          if (field.value.get_int64().get(c.aggregate.at_least)) {
            add("invalid_aggregate_threshold", key_path,
                "at_least must be a whole number, got " + std::string(type_name(field.value.type())));
          }
          break;
      }
    }
    return c;
  }

  std::vector<RuleViolation>& out_;
  std::vector<std::string>& suppressed_;
  std::size_t count_ = 0;
};

// ---- encoding -----------------------------------------------------------------------------------

void encode_condition(json::Writer& w, const Condition& c) {
  w.begin_object();
  switch (c.type) {
    case Condition::Type::kAll:
    case Condition::Type::kAny:
      w.key(c.type == Condition::Type::kAll ? "all" : "any").begin_array();
      for (const auto& child : c.children) encode_condition(w, child);
      w.end_array();
      break;
    case Condition::Type::kNot:
      w.key("not");
      if (c.children.size() == 1) {
        encode_condition(w, c.children.front());
      } else {  // not representable: written so that parsing it back reports the problem
        w.begin_array();
        for (const auto& child : c.children) encode_condition(w, child);
        w.end_array();
      }
      break;
    case Condition::Type::kField:
      w.field("field", c.field).field("op", to_string(c.op));
      if (!c.of.empty()) w.field("of", c.of);
      if (single_valued(c.op) && c.values.size() == 1) {
        w.field("value", c.values.front());
      } else if (multi_valued(c.op) || !c.values.empty()) {
        w.key("values").begin_array();
        for (const auto& v : c.values) w.string(v);
        w.end_array();
      }
      break;
    case Condition::Type::kHit:
      w.key("hit").begin_object().field("role", c.hit.role).key("lists").begin_array();
      for (const auto& l : c.hit.lists) w.string(l);
      w.end_array().field("min_score", c.hit.min_score).end_object();
      break;
    case Condition::Type::kAggregate: {
      const auto& a = c.aggregate;
      w.key("aggregate").begin_object().field("count", a.count == AggregateTest::Count::kEvents ? "events" : "distinct");
      if (!a.of.empty()) w.field("of", a.of);
      w.field("per", a.per);
      if (a.within_ms != 0) w.field("within", format_rule_duration(a.within_ms));  // 0: not given
      w.field("at_least", a.at_least);
      w.end_object();
      break;
    }
  }
  w.end_object();
}

}  // namespace

// ---- public -------------------------------------------------------------------------------------

std::string_view to_string(RuleMode mode) { return mode == RuleMode::kShadow ? "shadow" : "enforce"; }

std::string_view to_string(CompareOp op) {
  const auto i = static_cast<std::size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}

std::optional<CompareOp> compare_op_from_string(std::string_view name) {
  const int k = key_index(kOpNames, name);
  if (k < 0) return std::nullopt;
  return static_cast<CompareOp>(k);
}

bool is_valid_rule_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '-'))) return false;
  }
  return true;
}

std::span<const std::string_view> subject_roles(schemas::EventKind kind) {
  switch (kind) {
    case schemas::EventKind::kItinerary: return kItineraryRoles;
    case schemas::EventKind::kManifest: return kManifestRoles;
    case schemas::EventKind::kPayment: return kPaymentRoles;
  }
  return {};
}

std::optional<std::int64_t> parse_rule_duration_ms(std::string_view text) {
  if (text.size() < 2 || text.size() > 10 || text[0] < '1' || text[0] > '9') return std::nullopt;
  std::int64_t n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  switch (text.back()) {
    case 'm': return n * 60'000;
    case 'h': return n * 3'600'000;
    case 'd': return n * 86'400'000;
    default: return std::nullopt;
  }
}

std::string format_rule_duration(std::int64_t ms) {
  if (ms <= 0 || ms % 60'000 != 0) return std::to_string(ms) + "ms";
  if (ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  return std::to_string(ms / 60'000) + "m";
}

std::optional<Rule> parse_rule(std::string_view json, std::vector<RuleViolation>& violations) {
  std::vector<std::string> suppressed;
  return RuleReader(violations, suppressed).read(json);
}

std::optional<Rule> parse_and_validate_rule(std::string_view json, const RulePolicy& policy, std::int64_t now_ms,
                                            std::vector<RuleViolation>& violations) {
  std::vector<RuleViolation> found;
  std::vector<std::string> suppressed;
  auto rule = RuleReader(found, suppressed).read(json);
  if (rule) {
    std::vector<RuleViolation> checks;
    validate_rule(*rule, policy, now_ms, checks);
    // A path the reader reported (or gave up on) is not reported again, nor anything below it.
    const auto covered = [&](const std::string& path) {
      return std::any_of(suppressed.begin(), suppressed.end(), [&](const std::string& s) {
        if (s.empty()) return false;
        return path == s || (path.size() > s.size() && path.compare(0, s.size(), s) == 0 &&
                             (path[s.size()] == '.' || path[s.size()] == '['));
      });
    };
    for (auto& v : checks) {
      if (v.code == "too_many_violations" || !covered(v.path)) found.push_back(std::move(v));
    }
  }
  if (found.size() > kMaxRuleViolations + 1) {
    found.resize(kMaxRuleViolations);
    found.push_back({"too_many_violations", "", "more than " + std::to_string(kMaxRuleViolations) +
                                                    " problems; the rest are not listed"});
  }
  violations.insert(violations.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  return rule;
}

std::string encode_rule(const Rule& rule) {
  std::string out;
  out.reserve(1024);
  json::Writer w(out);
  w.begin_object().field("id", rule.id);
  if (rule.version != 0) w.field("version", rule.version);
  w.key("applies_to").begin_array();
  for (auto kind : rule.applies_to) w.string(schemas::to_string(kind));
  w.end_array();
  w.key("when");
  encode_condition(w, rule.when);
  w.field("severity", rule.severity)
      .field("queue", rule.queue)
      .field("legal_basis", rule.legal_basis)
      .field("purpose", rule.purpose)
      .field("owner", rule.owner);
  w.key("data_categories").begin_array();
  for (const auto& d : rule.data_categories) w.string(d);
  w.end_array();
  w.field("valid_from", rule.valid_from)
      .field("expires", rule.expires)
      .field("max_flags_per_hour", rule.max_flags_per_hour)
      .field("max_flag_share", rule.max_flag_share)
      .field("mode", to_string(rule.mode));
  if (!rule.subject_role.empty()) w.field("subject_role", rule.subject_role);
  const Approval& a = rule.approval;
  if (!a.approved_by.empty() || !a.approved_at.empty() || !a.comment.empty()) {
    w.key("approval")
        .begin_object()
        .field("approved_by", a.approved_by)
        .field("approved_at", a.approved_at)
        .field("comment", a.comment)
        .end_object();
  }
  w.end_object();
  return out;
}

std::string rule_digest(const Rule& rule) {
  std::string text;
  if (rule.approval == Approval{}) {
    text = encode_rule(rule);
  } else {
    Rule unapproved = rule;
    unapproved.approval = Approval{};
    text = encode_rule(unapproved);
  }
  return sha256_hex(text, 32);
}

std::vector<std::string> fields_read(const Condition& condition) {
  std::vector<std::string> out;
  const auto take = [&](const std::string& f) {
    if (!f.empty() && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  // Iterative pre-order walk: a hand-built tree may be deeper than the stack allows.
  std::vector<const Condition*> stack{&condition};
  while (!stack.empty()) {
    const Condition* c = stack.back();
    stack.pop_back();
    switch (c->type) {
      case Condition::Type::kField:
        take(c->field);
        take(c->of);
        break;
      case Condition::Type::kAggregate:
        take(c->aggregate.per);
        take(c->aggregate.of);
        break;
      case Condition::Type::kHit: break;
      default:
        for (auto it = c->children.rbegin(); it != c->children.rend(); ++it) stack.push_back(&*it);
    }
  }
  return out;
}

Rule default_watchlist_rule(std::string_view list_id, std::uint64_t list_version,
                            const WatchlistRuleDefaults& defaults, std::int64_t now_ms) {
  Rule rule;
  rule.id = std::string(kReservedIdPrefix) + std::string(list_id);
  rule.version = list_version;
  rule.applies_to = {schemas::EventKind::kItinerary, schemas::EventKind::kManifest, schemas::EventKind::kPayment};
  rule.when.type = Condition::Type::kHit;
  rule.when.hit.role = "any";
  rule.when.hit.lists = {std::string(list_id)};
  rule.when.hit.min_score = 0.0;
  rule.severity = defaults.severity;
  rule.queue.clear();  // the operator queue configured for the event's kind
  rule.legal_basis = defaults.legal_basis;
  rule.purpose = defaults.purpose;
  rule.owner = defaults.owner;
  rule.valid_from = timefmt::format_utc_ms(now_ms);
  rule.valid_from_ms = now_ms;
  rule.expires = std::string(kFarFuture);
  rule.expires_ms = timefmt::parse_timestamp_ms(kFarFuture).value_or(INT64_MAX);
  rule.max_flags_per_hour = defaults.max_flags_per_hour;
  rule.max_flag_share = defaults.max_flag_share;
  rule.mode = RuleMode::kEnforce;
  return rule;
}

}  // namespace crosscheck::rules
