#include <simdjson.h>

#include <cstdio>

#include "crosscheck/schemas/output_records.h"

namespace crosscheck::schemas {
namespace {
// " score 0.912" when the flag has a score.
std::string score_text(simdjson::dom::element flag) {
  double score = 0;
  if (flag["reason"]["score"].get(score) != simdjson::SUCCESS) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, " score %.3f", score);
  return buf;
}
}  // namespace

std::optional<std::string> summarize_flag(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element flag;
  if (parser.parse(json.data(), json.size()).get(flag) != simdjson::SUCCESS) return std::nullopt;
  auto str = [&](std::initializer_list<const char*> path) -> std::string {
    simdjson::dom::element e = flag;
    for (const char* key : path) {
      if (e[key].get(e) != simdjson::SUCCESS) return "";
    }
    std::string_view v;
    if (e.get(v) == simdjson::SUCCESS) return std::string(v);
    std::int64_t i = 0;
    if (e.get(i) == simdjson::SUCCESS) return std::to_string(i);
    return "";
  };
  std::string_view id_view;
  if (flag["flag_id"].get(id_view) != simdjson::SUCCESS || id_view.empty()) return std::nullopt;
  const std::string flag_id(id_view);
  std::string matched;
  simdjson::dom::array on;
  if (flag["reason"]["matched_on"].get(on) == simdjson::SUCCESS) {
    for (auto m : on) {
      std::string_view v;
      if (m.get(v) != simdjson::SUCCESS) continue;
      matched += (matched.empty() ? "" : ", ") + std::string(v);
    }
  }
  std::string subject = str({"subject", "name"});
  for (const char* id : {"document_number", "iban", "imo", "bic"}) {
    const std::string v = str({"subject", id});
    if (!v.empty()) subject += (subject.empty() ? "" : " ") + std::string("[") + v + "]";
  }
  // A list's default rule says what matched; another rule names itself (and its hit, if any).
  const std::string rule_id = str({"rule", "id"});
  const bool list_rule = rule_id.empty() || rule_id.rfind("watchlist-hit:", 0) == 0;
  std::string finding;
  if (!str({"watchlist", "list_id"}).empty()) {
    finding = str({"watchlist", "list_id"}) + " v" + str({"watchlist", "list_version"}) + " " +
              str({"watchlist", "entry_id"}) + " \"" + str({"watchlist", "entry_name"}) + "\" on " + matched +
              score_text(flag);
  }
  if (!list_rule) {
    finding += (finding.empty() ? "" : "  ") + std::string("rule ") + rule_id + " v" + str({"rule", "version"});
  }
  std::string line = "[" + str({"queue"}) + "] " + str({"severity"}) + "  " + str({"subject", "role"}) + " #" +
                     str({"subject", "index"}) + " " + subject + " -> " + finding + "  (event " +
                     str({"source", "event_id"}) + ", flag " + flag_id.substr(0, 12) + ")";
  simdjson::dom::array warnings;
  if (flag["warnings"].get(warnings) == simdjson::SUCCESS && warnings.size() > 0) {
    line += "  warnings:";
    for (auto w : warnings) {
      std::string_view code;
      if (w["code"].get(code) == simdjson::SUCCESS) line += " " + std::string(code);
    }
  }
  return line;
}

std::optional<std::string> summarize_dead_letter(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element rec;
  if (parser.parse(json.data(), json.size()).get(rec) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::array reasons;
  if (rec["reasons"].get(reasons) != simdjson::SUCCESS) return std::nullopt;
  std::string_view topic, kind;
  std::int64_t partition = 0, offset = 0;
  if (rec["source"]["topic"].get(topic) != simdjson::SUCCESS) topic = {};
  if (rec["source"]["partition"].get(partition) != simdjson::SUCCESS) partition = {};
  if (rec["source"]["offset"].get(offset) != simdjson::SUCCESS) offset = {};
  if (rec["kind"].get(kind) != simdjson::SUCCESS) kind = {};
  std::string line = "[deadletter] " + std::string(topic) + "[" + std::to_string(partition) + "]@" +
                     std::to_string(offset) + (kind.empty() ? "" : " " + std::string(kind)) + ":";
  for (auto r : reasons) {
    std::string_view code, path, message;
    if (r["code"].get(code) != simdjson::SUCCESS) code = {};
    if (r["path"].get(path) != simdjson::SUCCESS) path = {};
    if (r["message"].get(message) != simdjson::SUCCESS) message = {};
    line += " " + std::string(code) + (path.empty() ? "" : " at " + std::string(path)) + " (" + std::string(message) + ");";
  }
  line.pop_back();
  return line;
}

std::optional<std::string> summarize_governance_alert(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element rec;
  if (parser.parse(json.data(), json.size()).get(rec) != simdjson::SUCCESS) return std::nullopt;
  std::string_view type, id, owner, at;
  if (rec["type"].get(type) != simdjson::SUCCESS || type != "rule_over_cap") return std::nullopt;
  if (rec["rule"]["id"].get(id) != simdjson::SUCCESS) return std::nullopt;
  std::uint64_t version = 0;
  std::int64_t per_hour = 0;
  double share = 0;
  if (rec["rule"]["version"].get(version) != simdjson::SUCCESS) version = 0;
  if (rec["rule"]["owner"].get(owner) != simdjson::SUCCESS) owner = {};
  if (rec["caps"]["max_flags_per_hour"].get(per_hour) != simdjson::SUCCESS) per_hour = 0;
  if (rec["caps"]["max_flag_share"].get(share) != simdjson::SUCCESS) share = 0;
  if (rec["at"].get(at) != simdjson::SUCCESS) at = {};
  char caps[96];
  std::snprintf(caps, sizeof caps, "max %lld flags/hour, max share %g", static_cast<long long>(per_hour), share);
  return "[rule-governance] rule " + std::string(id) + " v" + std::to_string(version) +
         (owner.empty() ? "" : " (owner " + std::string(owner) + ")") + " reached a cap at " + std::string(at) + ": " +
         caps + "; further matches are counted, not flagged";
}

}  // namespace crosscheck::schemas
