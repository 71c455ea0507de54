#include "crosscheck/rules/rule_store.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

constexpr std::size_t kMaxActor = 256;
constexpr std::size_t kMaxComment = 2000;

// Shared by the scripts (after kAuditLuaFunction, which defines audit()).
constexpr std::string_view kLuaShared = R"lua(
-- The four-eyes comparison: case-insensitive, and an owner given as a mail address also matches
-- its local part (owner "a.smith@example.org" cannot approve as "a.smith").
local function same_person(actor, who)
  if who == nil or who == false or who == '' then return false end
  local a = string.lower(actor)
  local w = string.lower(who)
  if a == w then return true end
  local at = string.find(w, '@', 1, true)
  return at ~= nil and a == string.sub(w, 1, at - 1)
end
)lua";

// KEYS: ids, version, review, audit. ARGV: id, version, text, digest, author, owner, created_at,
// maxlen, audit fields...
constexpr std::string_view kLuaPut = R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'refused', 'version ' .. ARGV[2] .. ' of ' .. ARGV[1] .. ' already exists; stored versions never change'}
end
redis.call('HSET', KEYS[2], 'text', ARGV[3], 'digest', ARGV[4], 'author', ARGV[5], 'owner', ARGV[6],
           'created_at', ARGV[7])
redis.call('HSET', KEYS[3], 'state', 'proposed', 'changed_at', ARGV[7], 'changed_by', ARGV[5])
local prev = redis.call('HGET', KEYS[1], ARGV[1])
if (not prev) or tonumber(prev) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
local id = audit(KEYS[4], ARGV[8], 9, prev or '')
return {'ok', id}
)lua";

// KEYS: version, review, audit. ARGV: actor, approved_at, comment, maxlen, audit fields...
constexpr std::string_view kLuaApprove = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {'notfound', 'no such rule version'} end
local who = redis.call('HMGET', KEYS[1], 'author', 'owner')
if same_person(ARGV[1], who[1]) then
  return {'refused', ARGV[1] .. ' put this version and cannot approve it: approval needs a second person'}
end
if same_person(ARGV[1], who[2]) then
  return {'refused', ARGV[1] .. ' is the rule\'s owner and cannot approve it: approval needs a second person'}
end
local st = redis.call('HMGET', KEYS[2], 'state', 'approved_by')
if st[1] ~= 'proposed' then
  local msg = 'the version is ' .. tostring(st[1]) .. '; only a proposed version can be approved'
  if st[2] then msg = msg .. ' (approved by ' .. st[2] .. ')' end
  return {'refused', msg}
end
redis.call('HSET', KEYS[2], 'state', 'approved', 'approved_by', ARGV[1], 'approved_at', ARGV[2],
           'approval_comment', ARGV[3], 'changed_at', ARGV[2], 'changed_by', ARGV[1])
local id = audit(KEYS[3], ARGV[4], 5, nil)
return {'ok', id}
)lua";

// KEYS: active, expiry, version, review, audit.
// ARGV: id, version, mode, now_ms, now, actor, prefix, expires_ms, maxlen, audit fields...
constexpr std::string_view kLuaActivate = R"lua(
if redis.call('EXISTS', KEYS[3]) == 0 then return {'notfound', 'no such rule version'} end
local field = ARGV[3] .. ':' .. ARGV[1]
local prev = redis.call('HGET', KEYS[1], field)
local state = redis.call('HGET', KEYS[4], 'state')
if prev == ARGV[2] then
  return {'already', tostring(redis.call('HGET', KEYS[1], 'generation') or '0'), prev}
end
if state ~= 'approved' and state ~= 'superseded' then
  local why = 'the version is ' .. tostring(state) .. '; only an approved version can be activated'
  if state == 'proposed' then why = why .. ' (approve it first, as someone other than its author and owner)' end
  if state == 'suspended' or state == 'expired' then why = why .. ' (put it again as a new version)' end
  return {'refused', why}
end
if tonumber(ARGV[8]) <= tonumber(ARGV[4]) then
  return {'refused', 'the rule expired at its "expires" time; an expired rule cannot be activated'}
end
redis.call('HSET', KEYS[1], field, ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[8], field)
local gen = redis.call('HINCRBY', KEYS[1], 'generation', 1)
redis.call('HSET', KEYS[4], 'state', 'active', 'changed_at', ARGV[5], 'changed_by', ARGV[6], 'reason', '')
if prev then
  redis.call('HSET', ARGV[7] .. 'rule:' .. ARGV[1] .. ':v:' .. prev .. ':review', 'state', 'superseded',
             'changed_at', ARGV[5], 'changed_by', ARGV[6], 'reason', 'replaced by version ' .. ARGV[2])
end
audit(KEYS[5], ARGV[9], 10, prev or '')
return {'ok', tostring(gen), prev or ''}
)lua";

// KEYS: active, expiry, version, review, audit.
// ARGV: id, version, now, actor, reason, maxlen, audit fields...
constexpr std::string_view kLuaSuspend = R"lua(
if redis.call('EXISTS', KEYS[3]) == 0 then return {'notfound', 'no such rule version'} end
local state = redis.call('HGET', KEYS[4], 'state')
if state == 'suspended' or state == 'expired' then
  return {'refused', 'the version is already ' .. state}
end
local was_active = 0
for _, mode in ipairs({'enforce', 'shadow'}) do
  local field = mode .. ':' .. ARGV[1]
  if redis.call('HGET', KEYS[1], field) == ARGV[2] then
    redis.call('HDEL', KEYS[1], field)
    redis.call('ZREM', KEYS[2], field)
    was_active = 1
  end
end
local gen
if was_active == 1 then gen = redis.call('HINCRBY', KEYS[1], 'generation', 1)
else gen = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0') end
redis.call('HSET', KEYS[4], 'state', 'suspended', 'changed_at', ARGV[3], 'changed_by', ARGV[4], 'reason', ARGV[5])
audit(KEYS[5], ARGV[6], 7, nil)
return {'ok', tostring(gen), tostring(was_active)}
)lua";

// KEYS: active, expiry, audit. ARGV: now_ms, now, actor, prefix, maxlen.
// Builds its audit records itself (it alone knows what expired), in audit_stream_fields order.
constexpr std::string_view kLuaExpire = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'WITHSCORES')
local out = {'ok', '0'}
local changed = false
for i = 1, #due, 2 do
  local field = due[i]
  local colon = string.find(field, ':', 1, true)
  local mode = string.sub(field, 1, colon - 1)
  local id = string.sub(field, colon + 1)
  local v = redis.call('HGET', KEYS[1], field)
  redis.call('ZREM', KEYS[2], field)
  if v then
    redis.call('HDEL', KEYS[1], field)
    changed = true
    redis.call('HSET', ARGV[4] .. 'rule:' .. id .. ':v:' .. v .. ':review', 'state', 'expired',
               'changed_at', ARGV[2], 'changed_by', ARGV[3], 'reason', 'reached its expiry time')
    local args = {'XADD', KEYS[3]}
    if ARGV[5] ~= '0' then args[#args + 1] = 'MAXLEN'; args[#args + 1] = '~'; args[#args + 1] = ARGV[5] end
    local rest = {'*', 'actor', ARGV[3], 'time', ARGV[2], 'action', 'expire', 'object_type', 'rule',
                  'object_id', id, 'before_version', v, 'after_version', '', 'reason', 'reached its expiry time',
                  'details', '{"mode":"' .. mode .. '","expires_ms":' .. due[i + 1] .. '}'}
    for _, x in ipairs(rest) do args[#args + 1] = x end
    redis.call(unpack(args))
    out[#out + 1] = mode; out[#out + 1] = id; out[#out + 1] = v
  end
end
if changed then out[2] = tostring(redis.call('HINCRBY', KEYS[1], 'generation', 1))
else out[2] = tostring(redis.call('HGET', KEYS[1], 'generation') or '0') end
return out
)lua";

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

Error with_context(const Error& e, const std::string& context) {
  return Error(e.component(), context + ": " + e.message(),
               e.is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal, e.code());
}

Error refused(const std::string& context, const std::string& why, int code = kRuleRefused) {
  return Error::fatal("rule_store", context + ": " + why, code);
}

// The id goes into key names: the same shape rule.h documents, checked here again because the
// store must not trust its caller with its key space.
bool valid_rule_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  auto ok = [](char c, bool first) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return !first && (c == '.' || c == '_' || c == ':' || c == '-');
  };
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!ok(id[i], i == 0)) return false;
  }
  return true;
}

Status check_actor(const std::string& actor, const std::string& context) {
  if (actor.empty()) return refused(context, "an actor is required (--actor, CROSSCHECK_ACTOR or $USER)");
  if (actor.size() > kMaxActor) return refused(context, "the actor name is longer than 256 bytes");
  for (unsigned char c : actor) {
    if (c < 0x20 || c == 0x7f) return refused(context, "the actor name contains a control character");
  }
  return ok_status();
}

std::string mode_name(RuleMode m) { return std::string(to_string(m)); }

std::map<std::string, std::string> as_map(const RedisValue& hash) {
  std::map<std::string, std::string> m;
  for (std::size_t i = 0; i + 1 < hash.elements.size(); i += 2) m[hash.elements[i].str] = hash.elements[i + 1].str;
  return m;
}

std::string details_json(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  for (const auto& [k, v] : fields) w.field(k, v);
  w.end_object();
  return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

std::string_view to_string(RuleState state) {
  switch (state) {
    case RuleState::kProposed: return "proposed";
    case RuleState::kApproved: return "approved";
    case RuleState::kActive: return "active";
    case RuleState::kSuperseded: return "superseded";
    case RuleState::kSuspended: return "suspended";
    case RuleState::kExpired: return "expired";
  }
  return "unknown";
}

std::optional<RuleState> rule_state_from_string(std::string_view name) {
  for (auto s : {RuleState::kProposed, RuleState::kApproved, RuleState::kActive, RuleState::kSuperseded,
                 RuleState::kSuspended, RuleState::kExpired}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

RuleStore::RuleStore(RedisClient& redis, std::string key_prefix, AuditOptions audit)
    : redis_(redis), prefix_(std::move(key_prefix)), audit_(audit) {}

std::string RuleStore::version_key(const std::string& id, std::uint64_t version) const {
  return prefix_ + "rule:" + id + ":v:" + std::to_string(version);
}

Result<RedisValue> RuleStore::run_script(std::string_view script, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args, const std::string& context) {
  std::vector<std::string> cmd{"EVAL", std::string(kAuditLuaFunction) + std::string(kLuaShared) + std::string(script),
                               std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = redis_.command(cmd);
  if (!r) return with_context(r.error(), context);
  if (r->type != RedisValue::Type::kArray || r->elements.empty()) {
    return Error::fatal("rule_store", context + ": unexpected script reply");
  }
  const std::string& status = r->elements[0].str;
  if (status == "refused") return refused(context, r->elements.size() > 1 ? r->elements[1].str : "refused");
  if (status == "notfound") return refused(context, r->elements.size() > 1 ? r->elements[1].str : "not found", kRuleNotFound);
  return r;
}

Result<StoredRule> RuleStore::put(const Rule& input, const std::string& actor, std::int64_t now_ms) {
  const std::string context = "put " + input.id;
  if (!valid_rule_id(input.id)) return refused(context, "invalid rule id \"" + input.id + "\"", kRuleInvalid);
  if (auto s = check_actor(actor, context); !s) return s.error();
  auto seq = redis_.command({"INCR", prefix_ + "rule:" + input.id + ":seq"});
  if (!seq) return with_context(seq.error(), context);
  if (seq->type != RedisValue::Type::kInteger || seq->integer <= 0) {
    return Error::fatal("rule_store", context + ": unexpected INCR reply");
  }
  StoredRule stored;
  stored.rule = input;
  stored.rule.version = static_cast<std::uint64_t>(seq->integer);
  stored.rule.approval = Approval{};  // approval lives beside the text, never in it
  stored.text = encode_rule(stored.rule);
  stored.digest = rule_digest(stored.rule);
  stored.author = actor;
  stored.created_at = timefmt::format_utc_ms(now_ms);
  stored.state = RuleState::kProposed;
  stored.changed_at = stored.created_at;
  stored.changed_by = actor;

  AuditRecord rec;
  rec.actor = actor;
  rec.time = stored.created_at;
  rec.action = audit_action::kCreate;
  rec.object_type = "rule";
  rec.object_id = input.id;
  rec.after_version = stored.rule.version;
  rec.details = details_json({{"mode", to_string(stored.rule.mode)}, {"digest", stored.digest},
                              {"owner", stored.rule.owner}, {"expires", stored.rule.expires}});
  if (auto s = check_audit_record(rec); !s) return s.error();
  const std::string v = std::to_string(stored.rule.version);
  auto r = run_script(kLuaPut,
                      {prefix_ + "rules:ids", version_key(input.id, stored.rule.version),
                       version_key(input.id, stored.rule.version) + ":review", prefix_ + "audit"},
                      concat({input.id, v, stored.text, stored.digest, actor, stored.rule.owner, stored.created_at,
                              std::to_string(audit_.max_length)},
                             audit_stream_fields(rec)),
                      context);
  if (!r) return r.error();
  return stored;
}

Result<StoredRule> RuleStore::approve(const std::string& id, std::uint64_t version, const std::string& actor,
                                      const std::string& comment, std::int64_t now_ms) {
  const std::string context = "approve " + id + " version " + std::to_string(version);
  if (!valid_rule_id(id)) return refused(context, "invalid rule id", kRuleNotFound);
  if (auto s = check_actor(actor, context); !s) return s.error();
  if (comment.find_first_not_of(" \t\r\n") == std::string::npos) return refused(context, "a comment is required");
  if (comment.size() > kMaxComment) return refused(context, "the comment is longer than 2000 bytes");
  AuditRecord rec;
  rec.actor = actor;
  rec.time = timefmt::format_utc_ms(now_ms);
  rec.action = audit_action::kApprove;
  rec.object_type = "rule";
  rec.object_id = id;
  rec.after_version = version;
  rec.reason = comment;
  const std::string vk = version_key(id, version);
  auto r = run_script(kLuaApprove, {vk, vk + ":review", prefix_ + "audit"},
                      concat({actor, rec.time, comment, std::to_string(audit_.max_length)}, audit_stream_fields(rec)),
                      context);
  if (!r) return r.error();
  return get(id, version);
}

Result<ActivateOutcome> RuleStore::activate(const std::string& id, std::uint64_t version, const std::string& actor,
                                            std::int64_t now_ms) {
  const std::string context = "activate " + id + " version " + std::to_string(version);
  if (auto s = check_actor(actor, context); !s) return s.error();
  auto stored = get(id, version);  // also refuses unknown ids and versions
  if (!stored) return with_context(stored.error(), "activate");
  const Rule& rule = stored->rule;
  AuditRecord rec;
  rec.actor = actor;
  rec.time = timefmt::format_utc_ms(now_ms);
  rec.action = audit_action::kActivate;
  rec.object_type = "rule";
  rec.object_id = id;
  rec.after_version = version;
  rec.details = details_json({{"mode", to_string(rule.mode)}, {"digest", stored->digest}});
  const std::string vk = version_key(id, version);
  auto r = run_script(kLuaActivate, {prefix_ + "rules:active", prefix_ + "rules:active:expiry", vk, vk + ":review", prefix_ + "audit"},
                      concat({id, std::to_string(version), mode_name(rule.mode), std::to_string(now_ms), rec.time, actor,
                              prefix_, std::to_string(rule.expires_ms), std::to_string(audit_.max_length)},
                             audit_stream_fields(rec)),
                      context);
  if (!r) return r.error();
  const auto& e = r->elements;
  ActivateOutcome out;
  out.activated = ActiveEntry{id, version, rule.mode};
  out.already_active = e[0].str == "already";
  out.generation = e.size() > 1 ? parse_u64(e[1].str).value_or(0) : 0;
  if (!out.already_active && e.size() > 2 && !e[2].str.empty()) out.replaced = parse_u64(e[2].str);
  return out;
}

Result<SuspendOutcome> RuleStore::suspend(const std::string& id, std::uint64_t version, const std::string& actor,
                                          const std::string& reason, std::int64_t now_ms) {
  const std::string context = "suspend " + id + " version " + std::to_string(version);
  if (!valid_rule_id(id)) return refused(context, "invalid rule id", kRuleNotFound);
  if (auto s = check_actor(actor, context); !s) return s.error();
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) return refused(context, "a reason is required");
  if (reason.size() > kMaxComment) return refused(context, "the reason is longer than 2000 bytes");
  AuditRecord rec;
  rec.actor = actor;
  rec.time = timefmt::format_utc_ms(now_ms);
  rec.action = audit_action::kSuspend;
  rec.object_type = "rule";
  rec.object_id = id;
  rec.before_version = version;
  rec.reason = reason;
  const std::string vk = version_key(id, version);
  auto r = run_script(kLuaSuspend, {prefix_ + "rules:active", prefix_ + "rules:active:expiry", vk, vk + ":review", prefix_ + "audit"},
                      concat({id, std::to_string(version), rec.time, actor, reason, std::to_string(audit_.max_length)},
                             audit_stream_fields(rec)),
                      context);
  if (!r) return r.error();
  SuspendOutcome out;
  out.generation = parse_u64(r->elements.at(1).str).value_or(0);
  out.was_active = r->elements.at(2).str == "1";
  return out;
}

Result<StoredRule> RuleStore::decode(const std::string& id, std::uint64_t version, const RedisValue& meta,
                                     const RedisValue& review) const {
  const std::string context = "rule " + id + " version " + std::to_string(version);
  if (meta.elements.empty()) return refused(context, "no such rule version", kRuleNotFound);
  auto m = as_map(meta);
  auto rv = as_map(review);
  StoredRule s;
  s.text = m["text"];
  s.digest = m["digest"];
  s.author = m["author"];
  s.created_at = m["created_at"];
  std::vector<RuleViolation> violations;
  auto rule = parse_rule(s.text, violations);
  if (!rule) {
    std::string why = violations.empty() ? "unparseable" : violations.front().message;
    return refused(context, "the stored text does not parse back: " + why, kRuleInvalid);
  }
  s.rule = std::move(*rule);
  s.rule.version = version;
  s.rule.approval.approved_by = rv["approved_by"];
  s.rule.approval.approved_at = rv["approved_at"];
  s.rule.approval.comment = rv["approval_comment"];
  s.state = rule_state_from_string(rv["state"]).value_or(RuleState::kProposed);
  s.changed_at = rv["changed_at"];
  s.changed_by = rv["changed_by"];
  s.reason = rv["reason"];
  return s;
}

Result<StoredRule> RuleStore::get(const std::string& id, std::uint64_t version) {
  const std::string context = "rule " + id;
  if (!valid_rule_id(id)) return refused(context, "invalid rule id \"" + id + "\"", kRuleNotFound);
  if (version == 0) {
    auto latest = redis_.command({"HGET", prefix_ + "rules:ids", id});
    if (!latest) return with_context(latest.error(), context);
    if (latest->is_nil()) return refused(context, "no rule with this id", kRuleNotFound);
    auto v = parse_u64(latest->str);
    if (!v) return Error::fatal("rule_store", context + ": latest version is not a number");
    version = *v;
  }
  const std::string vk = version_key(id, version);
  auto r = redis_.pipeline({{"HGETALL", vk}, {"HGETALL", vk + ":review"}});
  if (!r) return with_context(r.error(), context);
  return decode(id, version, (*r)[0], (*r)[1]);
}

Result<std::vector<ActiveEntry>> RuleStore::active_entries() {
  auto r = redis_.command({"HGETALL", prefix_ + "rules:active"});
  if (!r) return with_context(r.error(), "read the active rule set");
  std::vector<ActiveEntry> out;
  for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    const std::string& field = r->elements[i].str;
    if (field == "generation") continue;
    const auto colon = field.find(':');
    auto v = parse_u64(r->elements[i + 1].str);
    const std::string mode = field.substr(0, colon);
    if (colon == std::string::npos || !v || (mode != "enforce" && mode != "shadow")) {
      return Error::fatal("rule_store", "active rule set holds a malformed field \"" + field + "\"");
    }
    out.push_back({field.substr(colon + 1), *v, mode == "shadow" ? RuleMode::kShadow : RuleMode::kEnforce});
  }
  std::sort(out.begin(), out.end(), [](const ActiveEntry& a, const ActiveEntry& b) {
    return a.id != b.id ? a.id < b.id : a.mode < b.mode;
  });
  return out;
}

Result<ActiveRuleSet> RuleStore::load_active() {
  // One HGETALL: generation and members come from the same instant.
  auto r = redis_.command({"HGETALL", prefix_ + "rules:active"});
  if (!r) return with_context(r.error(), "load the active rule set");
  ActiveRuleSet set;
  std::vector<ActiveEntry> entries;
  for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    const std::string& field = r->elements[i].str;
    auto v = parse_u64(r->elements[i + 1].str);
    if (field == "generation") {
      if (!v) return Error::fatal("rule_store", "active rule set generation is not a number");
      set.generation = *v;
      continue;
    }
    const auto colon = field.find(':');
    const std::string mode = colon == std::string::npos ? "" : field.substr(0, colon);
    if (!v || (mode != "enforce" && mode != "shadow")) {
      return Error::fatal("rule_store", "active rule set holds a malformed field \"" + field + "\"");
    }
    entries.push_back({field.substr(colon + 1), *v, mode == "shadow" ? RuleMode::kShadow : RuleMode::kEnforce});
  }
  std::sort(entries.begin(), entries.end(), [](const ActiveEntry& a, const ActiveEntry& b) {
    return a.id != b.id ? a.id < b.id : a.mode < b.mode;
  });
  if (entries.empty()) return set;
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(entries.size() * 2);
  for (const auto& e : entries) {
    const std::string vk = version_key(e.id, e.version);
    cmds.push_back({"HGETALL", vk});
    cmds.push_back({"HGETALL", vk + ":review"});
  }
  auto texts = redis_.pipeline(cmds);
  if (!texts) return with_context(texts.error(), "load the active rules");
  set.rules.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto s = decode(entries[i].id, entries[i].version, (*texts)[2 * i], (*texts)[2 * i + 1]);
    if (!s) return with_context(s.error(), "load the active rules");
    set.rules.push_back(std::move(s->rule));
  }
  return set;
}

Result<std::uint64_t> RuleStore::active_generation() {
  auto r = redis_.command({"HGET", prefix_ + "rules:active", "generation"});
  if (!r) return with_context(r.error(), "read the active rule set generation");
  if (r->is_nil()) return std::uint64_t{0};
  auto v = parse_u64(r->str);
  if (!v) return Error::fatal("rule_store", "active rule set generation is not a number");
  return *v;
}

Result<std::vector<ActiveEntry>> RuleStore::expire_due(std::int64_t now_ms, const std::string& actor) {
  const std::string context = "expire due rules";
  if (auto s = check_actor(actor, context); !s) return s.error();
  auto r = run_script(kLuaExpire, {prefix_ + "rules:active", prefix_ + "rules:active:expiry", prefix_ + "audit"},
                      {std::to_string(now_ms), timefmt::format_utc_ms(now_ms), actor, prefix_,
                       std::to_string(audit_.max_length)},
                      context);
  if (!r) return r.error();
  std::vector<ActiveEntry> out;
  const auto& e = r->elements;
  for (std::size_t i = 2; i + 2 < e.size(); i += 3) {
    out.push_back({e[i + 1].str, parse_u64(e[i + 2].str).value_or(0),
                   e[i].str == "shadow" ? RuleMode::kShadow : RuleMode::kEnforce});
  }
  return out;
}

Result<std::vector<RuleSummary>> RuleStore::list() {
  auto r = redis_.pipeline({{"HGETALL", prefix_ + "rules:ids"}, {"HGETALL", prefix_ + "rules:active"}});
  if (!r) return with_context(r.error(), "list rules");
  std::map<std::string, RuleSummary> rows;
  for (const auto& [id, latest] : as_map((*r)[0])) {
    auto& row = rows[id];
    row.id = id;
    row.latest_version = parse_u64(latest).value_or(0);
  }
  for (const auto& [field, version] : as_map((*r)[1])) {
    const auto colon = field.find(':');
    if (colon == std::string::npos) continue;  // "generation"
    auto it = rows.find(field.substr(colon + 1));
    if (it == rows.end()) continue;
    (field.compare(0, colon, "shadow") == 0 ? it->second.shadow_version : it->second.enforce_version) =
        parse_u64(version);
  }
  // Every version's state in one round trip.
  std::vector<std::vector<std::string>> cmds;
  std::vector<std::pair<RuleSummary*, std::uint64_t>> index;
  for (auto& [id, row] : rows) {
    for (std::uint64_t v = 1; v <= row.latest_version; ++v) {
      cmds.push_back({"HGET", version_key(id, v) + ":review", "state"});
      index.emplace_back(&row, v);
    }
  }
  if (!cmds.empty()) {
    auto states = redis_.pipeline(cmds);
    if (!states) return with_context(states.error(), "list rule states");
    for (std::size_t i = 0; i < index.size(); ++i) {
      if ((*states)[i].is_nil()) continue;  // a gap left by a failed put
      auto st = rule_state_from_string((*states)[i].str);
      if (st) index[i].first->versions.emplace_back(index[i].second, *st);
    }
  }
  std::vector<RuleSummary> out;
  out.reserve(rows.size());
  for (auto& [id, row] : rows) out.push_back(std::move(row));
  return out;
}

}  // namespace crosscheck::rules
