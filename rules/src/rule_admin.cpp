#include "crosscheck/rules/rule_admin.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/rule_engine.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

// A rule file is a few KiB; this bounds what validate and put read from untrusted input.
constexpr std::uintmax_t kMaxRuleFileBytes = 1 << 20;

std::string json_quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

AdminResult ok_result(std::string text, std::string json) {
  return AdminResult{AdminStatus::kOk, std::move(text), std::move(json)};
}

AdminResult violations_result(const std::string& headline, const std::vector<RuleViolation>& violations) {
  AdminResult r;
  r.status = AdminStatus::kRejected;
  r.text = headline + ": " + std::to_string(violations.size()) + (violations.size() == 1 ? " violation" : " violations") + "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", false).key("violations").begin_array();
  for (const auto& v : violations) {
    r.text += "  " + v.code + (v.path.empty() ? "" : " at " + v.path) + ": " + v.message + "\n";
    w.begin_object().field("code", v.code).field("path", v.path).field("message", v.message).end_object();
  }
  w.end_array().end_object();
  return r;
}

std::string kinds_text(const Rule& rule) {
  std::string out;
  for (auto k : rule.applies_to) out += (out.empty() ? "" : ", ") + std::string(schemas::to_string(k));
  return out;
}

std::string version_or_dash(const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : "-"; }

// Re-indents compact JSON for people (two spaces per level); strings are copied untouched.
std::string pretty_json(std::string_view compact) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  for (std::size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < compact.size()) out += compact[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; out += c; break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += compact[++i];
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']': --depth; newline(); out += c; break;
      case ',': out += c; newline(); break;
      case ':': out += ": "; break;
      default: out += c;
    }
  }
  return out;
}

void flatten(simdjson::dom::element e, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  using T = simdjson::dom::element_type;
  if (e.type() == T::OBJECT) {
    simdjson::dom::object obj = e.get_object().value_unsafe();
    if (obj.size() == 0) out.emplace_back(path, "{}");
    for (auto field : obj) {
      flatten(field.value, path.empty() ? std::string(field.key) : path + "." + std::string(field.key), out);
    }
  } else if (e.type() == T::ARRAY) {
    simdjson::dom::array arr = e.get_array().value_unsafe();
    if (arr.size() == 0) out.emplace_back(path, "[]");
    std::size_t i = 0;
    for (auto item : arr) flatten(item, path + "[" + std::to_string(i++) + "]", out);
  } else {
    out.emplace_back(path, simdjson::minify(e));
  }
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<std::string> read_rule_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Error::fatal("cli", "cannot read '" + path + "': " + ec.message());
  if (size > kMaxRuleFileBytes) return Error::fatal("cli", "'" + path + "' is larger than 1 MiB: not a rule file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::fatal("cli", "cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

AdminResult admin_error(const Error& error, bool usage) {
  AdminResult r;
  if (error.component() == "redis") r.status = AdminStatus::kUnavailable;
  else if (error.component() == "rule_store") r.status = AdminStatus::kRejected;
  else r.status = usage ? AdminStatus::kUsage : AdminStatus::kRejected;
  r.not_found = (error.component() == "rule_store" && error.code() == kRuleNotFound) ||
                (error.component() == "watchlist" && error.code() == kWatchlistVersionNotFound);
  r.text = "error: " + error.message() + (r.status == AdminStatus::kUnavailable ? " (is Redis running? see --redis)" : "") + "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", false).field("error", error.message()).field("retriable", error.is_retriable()).end_object();
  return r;
}

AdminResult admin_usage_error(const std::string& message) { return admin_error(Error::fatal("cli", message), true); }

AdminResult admin_validate(std::string_view rule_json, const RulePolicy& policy, std::int64_t now_ms) {
  std::vector<RuleViolation> violations;
  auto rule = parse_and_validate_rule(rule_json, policy, now_ms, violations);
  if (rule && rule->approval.present()) {
    violations.push_back({"approval_in_text", "approval",
                          "a rule file carries no approval: a second person approves the stored version with "
                          "`crosscheck rules approve`"});
  }
  if (!rule || !violations.empty()) return violations_result("invalid", violations);
  AdminResult r;
  r.text = "valid: " + rule->id + " (" + std::string(to_string(rule->mode)) + ", applies to " + kinds_text(*rule) +
           ", expires " + rule->expires + ")\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", rule->id).field("mode", to_string(rule->mode));
  w.field("expires", rule->expires).end_object();
  return r;
}

AdminResult admin_put(RuleStore& store, std::string_view rule_json, const RulePolicy& policy, const std::string& actor,
                      std::int64_t now_ms) {
  AdminResult checked = admin_validate(rule_json, policy, now_ms);
  if (!checked.ok()) {
    if (checked.status == AdminStatus::kRejected) checked.text.replace(0, 7, "not stored");
    return checked;
  }
  std::vector<RuleViolation> ignored;
  auto rule = parse_rule(rule_json, ignored);
  auto stored = store.put(*rule, actor, now_ms);
  if (!stored) return admin_error(stored.error());
  const auto& s = *stored;
  AdminResult r;
  r.text = "stored " + s.rule.id + " version " + std::to_string(s.rule.version) + " (proposed, digest " + s.digest +
           ")\nnext: someone other than " + actor + " and the owner approves it: crosscheck rules approve " +
           s.rule.id + " " + std::to_string(s.rule.version) + " --comment TEXT\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", s.rule.id).field("version", s.rule.version);
  w.field("state", to_string(s.state)).field("digest", s.digest).field("author", s.author);
  w.field("created_at", s.created_at).end_object();
  return r;
}

AdminResult admin_approve(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                          const std::string& comment, std::int64_t now_ms) {
  auto s = store.approve(id, version, actor, comment, now_ms);
  if (!s) return admin_error(s.error());
  AdminResult r;
  r.text = "approved " + id + " version " + std::to_string(version) + " by " + s->rule.approval.approved_by + " at " +
           s->rule.approval.approved_at + "\nnext: crosscheck rules activate " + id + " " + std::to_string(version) +
           "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", id).field("version", version).field("state", to_string(s->state));
  w.field("approved_by", s->rule.approval.approved_by).field("approved_at", s->rule.approval.approved_at);
  w.field("comment", s->rule.approval.comment).end_object();
  return r;
}

AdminResult admin_activate(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                           std::int64_t now_ms) {
  auto a = store.activate(id, version, actor, now_ms);
  if (!a) return admin_error(a.error());
  const std::string mode(to_string(a->activated.mode));
  AdminResult r;
  if (a->already_active) {
    r.text = id + " version " + std::to_string(version) + " is already active in " + mode + " mode; nothing changed\n";
  } else {
    r.text = "activated " + id + " version " + std::to_string(version) + " in " + mode + " mode" +
             (a->replaced ? " (replaces version " + std::to_string(*a->replaced) + ")" : "") +
             "; active set generation " + std::to_string(a->generation) + "\n";
  }
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", id).field("version", version).field("mode", mode);
  w.key("replaced");
  if (a->replaced) w.number(*a->replaced); else w.null();
  w.field("already_active", a->already_active).field("generation", a->generation).end_object();
  return r;
}

AdminResult admin_suspend(RuleStore& store, const std::string& id, std::uint64_t version, const std::string& actor,
                          const std::string& reason, std::int64_t now_ms) {
  auto s = store.suspend(id, version, actor, reason, now_ms);
  if (!s) return admin_error(s.error());
  AdminResult r;
  r.text = "suspended " + id + " version " + std::to_string(version) +
           (s->was_active ? "; removed from the active set (generation " + std::to_string(s->generation) + ")"
                          : "; it was not active") +
           "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", id).field("version", version).field("state", "suspended");
  w.field("was_active", s->was_active).field("generation", s->generation).end_object();
  return r;
}

AdminResult admin_list(RuleStore& store) {
  auto rows = store.list();
  if (!rows) return admin_error(rows.error());
  AdminResult r;
  json::Writer w(r.json);
  w.begin_object().field("ok", true).key("rules").begin_array();
  std::size_t width = 2;
  for (const auto& row : *rows) width = std::max(width, row.id.size());
  auto pad = [](std::string s, std::size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
  };
  r.text = pad("ID", width) + "  LATEST  ENFORCE  SHADOW  VERSIONS\n";
  for (const auto& row : *rows) {
    std::string versions;
    for (const auto& [v, st] : row.versions) {
      versions += (versions.empty() ? "" : " ") + std::to_string(v) + ":" + std::string(to_string(st));
    }
    r.text += pad(row.id, width) + "  " + pad(std::to_string(row.latest_version), 6) + "  " +
              pad(version_or_dash(row.enforce_version), 7) + "  " + pad(version_or_dash(row.shadow_version), 6) + "  " +
              versions + "\n";
    w.begin_object().field("id", row.id).field("latest_version", row.latest_version);
    w.key("enforce_version");
    if (row.enforce_version) w.number(*row.enforce_version); else w.null();
    w.key("shadow_version");
    if (row.shadow_version) w.number(*row.shadow_version); else w.null();
    w.key("versions").begin_array();
    for (const auto& [v, st] : row.versions) w.begin_object().field("version", v).field("state", to_string(st)).end_object();
    w.end_array().end_object();
  }
  if (rows->empty()) r.text = "no rules stored\n";
  w.end_array().end_object();
  return r;
}

AdminResult admin_show(RuleStore& store, const std::string& id, std::uint64_t version) {
  auto s = store.get(id, version);
  if (!s) return admin_error(s.error());
  const auto& a = s->rule.approval;
  AdminResult r;
  r.text = s->rule.id + " version " + std::to_string(s->rule.version) + "\n" +
           "  state:      " + std::string(to_string(s->state)) +
           (s->changed_at.empty() ? "" : " (since " + s->changed_at + " by " + s->changed_by + ")") + "\n" +
           (s->reason.empty() ? "" : "  reason:     " + s->reason + "\n") +
           "  mode:       " + std::string(to_string(s->rule.mode)) + "\n" +
           "  author:     " + s->author + " at " + s->created_at + "\n" +
           "  owner:      " + s->rule.owner + "\n" +
           "  approval:   " + (a.present() ? a.approved_by + " at " + a.approved_at + ": " + json_quoted(a.comment) : "none") + "\n" +
           "  digest:     " + s->digest + "\n" + pretty_json(s->text) + "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", s->rule.id).field("version", s->rule.version);
  w.field("state", to_string(s->state)).field("changed_at", s->changed_at).field("changed_by", s->changed_by);
  w.field("reason", s->reason).field("author", s->author).field("created_at", s->created_at).field("digest", s->digest);
  w.key("approval");
  if (a.present()) {
    w.begin_object().field("approved_by", a.approved_by).field("approved_at", a.approved_at).field("comment", a.comment).end_object();
  } else {
    w.null();
  }
  w.key("rule").raw(s->text).end_object();
  return r;
}

Result<std::vector<RuleDiffLine>> diff_rule_json(std::string_view before, std::string_view after) {
  simdjson::dom::parser pa, pb;
  simdjson::dom::element a, b;
  if (pa.parse(simdjson::padded_string(before)).get(a) != simdjson::SUCCESS ||
      pb.parse(simdjson::padded_string(after)).get(b) != simdjson::SUCCESS) {
    return Error::fatal("rules", "diff: a rule text is not valid JSON");
  }
  std::vector<RuleDiffLine> out;
  std::vector<std::pair<std::string, std::string>> leaves;
  auto removed = [&](simdjson::dom::element e, const std::string& path) {
    leaves.clear();
    flatten(e, path, leaves);
    for (auto& [p, v] : leaves) out.push_back({p, std::move(v), std::nullopt});
  };
  auto added = [&](simdjson::dom::element e, const std::string& path) {
    leaves.clear();
    flatten(e, path, leaves);
    for (auto& [p, v] : leaves) out.push_back({p, std::nullopt, std::move(v)});
  };
  // Walks both trees together in the order of `before` (objects by key, arrays by index), so the
  // lines come out in document order; keys only in `after` follow their object's other keys.
  auto walk = [&](auto&& self, simdjson::dom::element x, simdjson::dom::element y, const std::string& path) -> void {
    using T = simdjson::dom::element_type;
    if (x.type() == T::OBJECT && y.type() == T::OBJECT) {
      simdjson::dom::object ox = x.get_object().value_unsafe(), oy = y.get_object().value_unsafe();
      auto child = [&](std::string_view key) { return path.empty() ? std::string(key) : path + "." + std::string(key); };
      for (auto field : ox) {
        simdjson::dom::element other;
        if (oy.at_key(field.key).get(other) == simdjson::SUCCESS) self(self, field.value, other, child(field.key));
        else removed(field.value, child(field.key));
      }
      for (auto field : oy) {
        simdjson::dom::element other;
        if (ox.at_key(field.key).get(other) != simdjson::SUCCESS) added(field.value, child(field.key));
      }
      return;
    }
    if (x.type() == T::ARRAY && y.type() == T::ARRAY) {
      simdjson::dom::array ax = x.get_array().value_unsafe(), ay = y.get_array().value_unsafe();
      const std::size_t nx = ax.size(), ny = ay.size();
      for (std::size_t i = 0; i < std::max(nx, ny); ++i) {
        const std::string p = path + "[" + std::to_string(i) + "]";
        if (i < nx && i < ny) self(self, ax.at(i).value_unsafe(), ay.at(i).value_unsafe(), p);
        else if (i < nx) removed(ax.at(i).value_unsafe(), p);
        else added(ay.at(i).value_unsafe(), p);
      }
      return;
    }
    const std::string vx = simdjson::minify(x), vy = simdjson::minify(y);
    if (vx != vy) out.push_back({path, vx, vy});
  };
  walk(walk, a, b, "");
  return out;
}

AdminResult admin_diff(RuleStore& store, const std::string& id, std::uint64_t from, std::uint64_t to) {
  auto a = store.get(id, from);
  if (!a) return admin_error(a.error());
  auto b = store.get(id, to);
  if (!b) return admin_error(b.error());
  auto lines = diff_rule_json(a->text, b->text);
  if (!lines) return admin_error(lines.error());
  // The version number always differs: it is the header, not a change.
  std::erase_if(*lines, [](const RuleDiffLine& l) { return l.path == "version"; });
  AdminResult r;
  r.text = id + " version " + std::to_string(from) + " -> " + std::to_string(to) + ": " +
           std::to_string(lines->size()) + (lines->size() == 1 ? " change" : " changes") + "\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("id", id).field("from", from).field("to", to).key("changes").begin_array();
  for (const auto& l : *lines) {
    if (l.before && l.after) r.text += "  ~ " + l.path + ": " + *l.before + " -> " + *l.after + "\n";
    else if (l.after) r.text += "  + " + l.path + ": " + *l.after + "\n";
    else r.text += "  - " + l.path + ": " + *l.before + "\n";
    w.begin_object().field("path", l.path);
    w.key("before");
    if (l.before) w.raw(*l.before); else w.null();
    w.key("after");
    if (l.after) w.raw(*l.after); else w.null();
    w.end_object();
  }
  w.end_array().end_object();
  return r;
}

BacktestRuleSource admin_load_backtest_rule(RuleStore* store, const std::string& spec, const RulePolicy& policy,
                                            std::int64_t now_ms) {
  BacktestRuleSource out;
  std::error_code ec;
  if (std::filesystem::is_regular_file(spec, ec)) {
    auto text = read_rule_file(spec);
    if (!text) {
      out.failure = admin_error(text.error(), true);
      return out;
    }
    std::vector<RuleViolation> violations;
    auto rule = parse_and_validate_rule(*text, policy, now_ms, violations);
    if (!rule || !violations.empty()) {
      out.failure = violations_result("cannot backtest " + spec, violations);
      return out;
    }
    out.rule = std::move(*rule);
    return out;
  }
  std::string id = spec;
  std::uint64_t version = 0;
  if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
    if (auto v = parse_u64(std::string_view(spec).substr(colon + 1)); v && *v > 0) {
      id = spec.substr(0, colon);
      version = *v;
    }
  }
  if (store == nullptr) {
    out.failure = admin_usage_error("'" + spec + "' is not a file, and no rule store is available to look it up");
    return out;
  }
  auto s = store->get(id, version);
  if (!s) {
    out.failure = admin_error(s.error());
    if (s.error().code() == kRuleNotFound) {
      out.failure.text = "error: '" + spec + "' is neither a rule file nor a stored rule (" + s.error().message() + ")\n";
    }
    return out;
  }
  out.rule = std::move(s->rule);
  return out;
}

AdminResult admin_backtest(const Rule& rule, std::optional<schemas::EventKind> kind, std::string_view jsonl,
                           const MatchIndex& index) {
  if (!kind) {
    if (rule.applies_to.size() != 1) {
      return admin_usage_error("rule " + rule.id + " applies to " + kinds_text(rule) + ": choose one with --kind");
    }
    kind = rule.applies_to.front();
  }
  auto report = backtest(rule, *kind, jsonl, index);
  if (!report) return admin_error(report.error());
  return ok_result(format_backtest_text(rule, *report), format_backtest_json(rule, *report));
}

AdminResult admin_audit(AuditLog& audit, const AuditFilter& filter) {
  auto entries = audit.list(filter);
  if (!entries) return admin_error(entries.error());
  AdminResult r;
  json::Writer w(r.json);
  w.begin_object().field("ok", true).key("entries").begin_array();
  for (const auto& e : *entries) {
    r.text += format_audit_entry_text(e) + "\n";
    w.raw(encode_audit_entry_json(e));
  }
  w.end_array().end_object();
  if (entries->empty()) r.text = "no audit entries match\n";
  return r;
}

std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms) {
  if (auto t = timefmt::parse_timestamp_ms(text)) return t;
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  auto n = parse_u64(text.substr(0, text.size() - 1));
  if (!n || *n > 100000) return std::nullopt;
  const std::int64_t per = unit == 'm' ? 60'000 : unit == 'h' ? 3'600'000 : unit == 'd' ? 86'400'000 : 0;
  if (per == 0) return std::nullopt;
  return now_ms - static_cast<std::int64_t>(*n) * per;
}

}  // namespace crosscheck::rules
