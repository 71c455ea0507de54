#include "crosscheck/rules/audit_log.h"

#include <simdjson.h>

#include <charconv>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::rules {
namespace {

constexpr std::size_t kPage = 500;
// Bounds on free text, so one careless call cannot bloat the stream that is never trimmed.
constexpr std::size_t kMaxField = 256;
constexpr std::size_t kMaxReason = 2000;
constexpr std::size_t kMaxDetails = 16 * 1024;

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_json_object(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS) return false;
  return root.type() == simdjson::dom::element_type::OBJECT;
}

std::string version_text(const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : std::string(); }

bool matches(const AuditFilter& f, const AuditRecord& r) {
  return (f.actor.empty() || f.actor == r.actor) && (f.action.empty() || f.action == r.action) &&
         (f.object_id.empty() || f.object_id == r.object_id) &&
         (f.object_type.empty() || f.object_type == r.object_type);
}

Result<std::vector<AuditEntry>> decode_range(const RedisValue& reply) {
  std::vector<AuditEntry> out;
  if (reply.type != RedisValue::Type::kArray) return Error::fatal("audit", "unexpected reply to a stream range");
  out.reserve(reply.elements.size());
  for (const auto& item : reply.elements) {
    if (item.elements.size() != 2) return Error::fatal("audit", "unexpected stream entry shape");
    std::vector<std::string> fields;
    fields.reserve(item.elements[1].elements.size());
    for (const auto& f : item.elements[1].elements) fields.push_back(f.str);
    auto e = decode_audit_entry(item.elements[0].str, fields);
    if (!e) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

Error with_context(const Error& e, const std::string& context) {
  return Error(e.component(), context + ": " + e.message(),
               e.is_retriable() ? Error::Kind::kRetriable : Error::Kind::kFatal, e.code());
}

}  // namespace

Status check_audit_record(const AuditRecord& r) {
  auto bad = [](const std::string& why) { return Error::fatal("audit", "invalid audit record: " + why); };
  if (r.actor.empty() || r.actor.size() > kMaxField) return bad("actor must be 1-256 characters");
  if (r.action.empty() || r.action.size() > kMaxField) return bad("action must be 1-256 characters");
  if (r.object_type.empty() || r.object_type.size() > kMaxField) return bad("object_type must be 1-256 characters");
  if (r.object_id.empty() || r.object_id.size() > kMaxField) return bad("object_id must be 1-256 characters");
  if (r.reason.size() > kMaxReason) return bad("reason is longer than 2000 bytes");
  if (r.details.size() > kMaxDetails || !is_json_object(r.details)) return bad("details must be a JSON object of at most 16 KiB");
  return ok_status();
}

// Field values sit at odd positions after the leading "*", so a value that happens to read
// "before_version" is never mistaken for the key.
const std::string_view kAuditLuaFunction = R"lua(
local function audit(stream, maxlen, first, before)
  local args = {'XADD', stream}
  if maxlen ~= '0' then
    args[#args + 1] = 'MAXLEN'; args[#args + 1] = '~'; args[#args + 1] = maxlen
  end
  local n = 0
  for i = first, #ARGV do
    n = n + 1
    local v = ARGV[i]
    if n >= 3 and n % 2 == 1 and ARGV[i - 1] == 'before_version' and before ~= nil then v = before end
    args[#args + 1] = v
  end
  return redis.call(unpack(args))
end
)lua";

std::vector<std::string> audit_stream_fields(const AuditRecord& r) {
  return {"*",
          "actor", r.actor,
          "time", r.time.empty() ? timefmt::format_utc_ms(timefmt::now_ms()) : r.time,
          "action", r.action,
          "object_type", r.object_type,
          "object_id", r.object_id,
          "before_version", version_text(r.before_version),
          "after_version", version_text(r.after_version),
          "reason", r.reason,
          "details", r.details.empty() ? std::string("{}") : r.details};
}

Result<AuditEntry> decode_audit_entry(const std::string& id, const std::vector<std::string>& fields) {
  AuditEntry e;
  e.id = id;
  e.record.details.clear();
  unsigned seen = 0;
  for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
    const auto& k = fields[i];
    const auto& v = fields[i + 1];
    auto version = [&](std::optional<std::uint64_t>& out) -> Status {
      if (v.empty()) return ok_status();
      auto n = parse_u64(v);
      if (!n) return Error::fatal("audit", "entry " + id + ": " + k + " is not a number: \"" + v + "\"");
      out = *n;
      return ok_status();
    };
    if (k == "actor") e.record.actor = v, seen |= 1;
    else if (k == "time") e.record.time = v, seen |= 2;
    else if (k == "action") e.record.action = v, seen |= 4;
    else if (k == "object_type") e.record.object_type = v, seen |= 8;
    else if (k == "object_id") e.record.object_id = v, seen |= 16;
    else if (k == "before_version") { if (auto s = version(e.record.before_version); !s) return s.error(); }
    else if (k == "after_version") { if (auto s = version(e.record.after_version); !s) return s.error(); }
    else if (k == "reason") e.record.reason = v;
    else if (k == "details") e.record.details = v;
    // Unknown fields are ignored: a newer writer may add some.
  }
  if (seen != 31) return Error::fatal("audit", "entry " + id + " lacks actor, time, action, object_type or object_id");
  if (e.record.details.empty()) e.record.details = "{}";
  return e;
}

std::string encode_audit_entry_json(const AuditEntry& entry) {
  const auto& r = entry.record;
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("id", entry.id).field("time", r.time).field("actor", r.actor).field("action", r.action);
  w.field("object_type", r.object_type).field("object_id", r.object_id);
  w.key("before_version");
  if (r.before_version) w.number(*r.before_version); else w.null();
  w.key("after_version");
  if (r.after_version) w.number(*r.after_version); else w.null();
  w.field("reason", r.reason);
  w.key("details");
  if (is_json_object(r.details)) w.raw(r.details); else w.string(r.details);
  w.end_object();
  return out;
}

std::string format_audit_entry_text(const AuditEntry& entry) {
  const auto& r = entry.record;
  std::string line = r.time + "  " + r.actor + "  " + r.action + "  " + r.object_type + " " + r.object_id;
  if (r.before_version || r.after_version) {
    line += " ";
    if (r.before_version) line += "v" + std::to_string(*r.before_version);
    if (r.before_version && r.after_version) line += " -> ";
    if (r.after_version) line += "v" + std::to_string(*r.after_version);
  }
  if (!r.reason.empty()) {
    line += "  ";
    json::append_string(line, r.reason);
  }
  if (r.details != "{}" && !r.details.empty()) line += "  " + r.details;
  return line;
}

AuditLog::AuditLog(RedisClient& redis, std::string key_prefix, AuditOptions options)
    : redis_(redis), key_(std::move(key_prefix) + "audit"), options_(options) {}

Result<std::string> AuditLog::append(const AuditRecord& record) {
  if (auto s = check_audit_record(record); !s) return s.error();
  std::vector<std::string> args{"XADD", key_};
  if (options_.max_length > 0) {
    args.insert(args.end(), {"MAXLEN", "~", std::to_string(options_.max_length)});
  }
  auto fields = audit_stream_fields(record);
  args.insert(args.end(), fields.begin(), fields.end());
  auto r = redis_.command(args);
  if (!r) return with_context(r.error(), "append to the audit stream");
  if (r->type != RedisValue::Type::kString) return Error::fatal("audit", "unexpected XADD reply");
  return r->str;
}

Result<std::vector<AuditEntry>> AuditLog::list(const AuditFilter& filter) {
  std::vector<AuditEntry> out;
  // Stream ids start with the server's epoch ms: time bounds become id bounds.
  std::string low = filter.since_ms > 0 ? std::to_string(filter.since_ms) + "-0" : "-";
  std::string high = filter.until_ms > 0 ? std::to_string(filter.until_ms) + "-18446744073709551615" : "+";
  while (true) {
    auto r = filter.newest_first
                 ? redis_.command({"XREVRANGE", key_, high, low, "COUNT", std::to_string(kPage)})
                 : redis_.command({"XRANGE", key_, low, high, "COUNT", std::to_string(kPage)});
    if (!r) return with_context(r.error(), "read the audit stream");
    auto page = decode_range(*r);
    if (!page) return page.error();
    for (auto& e : *page) {
      if (!matches(filter, e.record)) continue;
      out.push_back(std::move(e));
      if (filter.limit > 0 && out.size() >= filter.limit) return out;
    }
    if (page->size() < kPage) return out;
    // Continue after the last entry of this page (exclusive bound).
    const std::string& last = r->elements.back().elements[0].str;
    if (filter.newest_first) high = "(" + last; else low = "(" + last;
  }
}

Result<std::vector<AuditEntry>> AuditLog::read_after(const std::string& last_id, std::size_t count) {
  if (count == 0) return std::vector<AuditEntry>{};
  const std::string low = (last_id.empty() || last_id == "0") ? "-" : "(" + last_id;
  auto r = redis_.command({"XRANGE", key_, low, "+", "COUNT", std::to_string(count)});
  if (!r) return with_context(r.error(), "read the audit stream after " + (last_id.empty() ? "the start" : last_id));
  return decode_range(*r);
}

}  // namespace crosscheck::rules
