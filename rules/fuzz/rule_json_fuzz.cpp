// libFuzzer target: the rule JSON form (what `crosscheck rules validate` and `put` read from
// people's files). Parsing and validation never crash and always explain themselves; whatever
// parses cleanly encodes to a canonical text that parses back to an equal rule with the same digest.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crosscheck/rules/rule.h"

namespace {

void check_violations(const std::vector<crosscheck::rules::RuleViolation>& v) {
  if (v.size() > 2 * (crosscheck::rules::kMaxRuleViolations + 1)) std::abort();
  for (const auto& x : v) {
    if (x.code.empty() || x.message.empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crosscheck::rules;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-18

  std::vector<RuleViolation> parsed;
  auto rule = parse_rule(json, parsed);
  check_violations(parsed);
  if (!rule) {
    if (parsed.empty()) std::abort();  // nothing returned must say why
    return 0;
  }
  std::vector<RuleViolation> checked;
  validate_rule(*rule, RulePolicy{}, kNow, checked);
  check_violations(checked);
  (void)fields_read(rule->when);

  std::vector<RuleViolation> both;
  auto again = parse_and_validate_rule(json, RulePolicy{}, kNow, both);
  check_violations(both);
  if (!again || !(*again == *rule)) std::abort();
  if (parsed.empty() && checked.empty() != both.empty()) std::abort();

  if (parsed.empty()) {
    const std::string text = encode_rule(*rule);
    std::vector<RuleViolation> v;
    auto back = parse_rule(text, v);
    if (!back || !v.empty() || !(*back == *rule)) std::abort();
    if (encode_rule(*back) != text) std::abort();
    if (rule_digest(*back) != rule_digest(*rule)) std::abort();
  }
  return 0;
}
