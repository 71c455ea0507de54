#include "crosscheck/schemas/output_records.h"

#include <array>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::schemas {
namespace {

// Two independent 64-bit hashes (FNV-1a with different offset bases, then a strong finaliser) over
// length-prefixed fields, so ("ab","c") and ("a","bc") never collide by construction.
class Hash128 {
 public:
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) {
      a_ = (a_ ^ p[i]) * kPrime;
      b_ = (b_ ^ p[i]) * kPrime;
      b_ ^= b_ >> 29;  // decorrelates the second lane from the first
    }
  }
  void u64(std::uint64_t v) {
    std::array<unsigned char, 8> le{};
    for (int i = 0; i < 8; ++i) le[static_cast<std::size_t>(i)] = static_cast<unsigned char>(v >> (8 * i));
    bytes(le.data(), le.size());
  }
  void field(std::string_view s) {
    u64(s.size());
    bytes(s.data(), s.size());
  }
  std::string hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(32, '0');
    const std::uint64_t lanes[2] = {mix(a_), mix(b_ ^ 0x9e3779b97f4a7c15ULL)};
    for (int l = 0; l < 2; ++l) {
      for (int i = 0; i < 16; ++i) {
        out[static_cast<std::size_t>(l * 16 + i)] = kHex[(lanes[l] >> (60 - 4 * i)) & 0xF];
      }
    }
    return out;
  }

 private:
  static std::uint64_t mix(std::uint64_t z) {  // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t a_ = 0xcbf29ce484222325ULL;
  std::uint64_t b_ = 0x84222325cbf29ce4ULL;
};

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string compute_flag_id(std::string_view topic, std::int32_t partition, std::int64_t offset,
                            std::string_view reason) {
  Hash128 h;
  h.field("crosscheck.flag.v1");  // domain separation, in case the inputs ever change
  h.field(topic);
  h.u64(static_cast<std::uint64_t>(static_cast<std::uint32_t>(partition)));
  h.u64(static_cast<std::uint64_t>(offset));
  h.field(reason);
  return h.hex();
}

namespace {
// [{"code","path","message"}, ...]: the same shape for dead-letter reasons and flag warnings.
void write_violations(json::Writer& w, std::string_view key, std::span<const Violation> violations) {
  w.key(key).begin_array();
  for (const Violation& v : violations) {
    w.begin_object().field("code", reason_code_name(v.code)).field("path", v.path).field("message", v.message).end_object();
  }
  w.end_array();
}
}  // namespace

std::string encode_flag(const FlagRecord& flag) {
  std::string out;
  out.reserve(768);
  json::Writer w(out);
  w.begin_object()
      .field("flag_id", flag.flag_id)
      .field("schema_version", "1.1")
      .field("queue", flag.queue)
      .field("severity", flag.severity);
  w.key("reason").begin_object().field("code", flag.reason_code);
  w.key("matched_on").begin_array();
  for (std::string_view m : flag.matched_on) w.string(m);
  w.end_array();
  w.field("score", flag.score);
  if (!flag.explanation_json.empty()) w.key("explanation").raw(flag.explanation_json);
  w.end_object();

  w.key("source")
      .begin_object()
      .field("topic", flag.source.topic)
      .field("partition", static_cast<std::int64_t>(flag.source.partition))
      .field("offset", flag.source.offset)
      .field("kind", to_string(flag.kind))
      .field("event_id", flag.event_id)
      .end_object();

  const SubjectIdentity& s = flag.subject;
  w.key("subject")
      .begin_object()
      .field("role", s.role)
      .field("index", s.index)
      .optional_field("name", s.name)
      .optional_field("date_of_birth", s.date_of_birth)
      .optional_field("nationality", s.nationality)
      .optional_field("document_number", s.document_number)
      .optional_field("iban", s.iban)
      .optional_field("imo", s.imo)
      .optional_field("bic", s.bic)
      .optional_field("gender", s.gender)
      .end_object();

  if (!flag.watchlist.list_id.empty()) {
    w.key("watchlist")
        .begin_object()
        .field("list_id", flag.watchlist.list_id)
        .field("list_version", flag.watchlist.list_version)
        .field("entry_id", flag.watchlist.entry_id)
        .field("entry_name", flag.watchlist.entry_name)
        .end_object();
  }

  w.key("rule")
      .begin_object()
      .field("id", flag.rule.id)
      .field("version", flag.rule.version)
      .field("digest", flag.rule.digest)
      .field("legal_basis", flag.rule.legal_basis)
      .end_object();
  w.key("lists").begin_array();
  for (const auto& l : flag.lists_used) {
    w.begin_object().field("list_id", l.list_id).field("version", l.version).end_object();
  }
  w.end_array();
  if (!flag.event_fields.empty()) {
    w.key("event_fields").begin_array();
    for (const auto& f : flag.event_fields) w.begin_object().field("field", f.field).field("value", f.value).end_object();
    w.end_array();
  }

  if (!flag.warnings.empty()) write_violations(w, "warnings", flag.warnings);

  w.key("times")
      .begin_object()
      .field("event_time", flag.event_time)
      .field("ingest_time", timefmt::format_utc_ms(flag.source.timestamp_ms))
      .field("published_at", timefmt::format_utc_ms(flag.published_at_ms))
      .end_object();

  w.field("screener", flag.screener_instance);
  w.key("review")
      .begin_object()
      .field("required", true)
      .field("note", "A flag is a lead for human review, not a decision.")
      .end_object();
  w.end_object();
  return out;
}

std::string encode_governance_alert(const GovernanceAlert& a) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("schema_version", "1.0").field("type", "rule_over_cap");
  w.key("rule")
      .begin_object()
      .field("id", a.rule_id)
      .field("version", a.rule_version)
      .field("owner", a.owner)
      .end_object();
  w.key("caps")
      .begin_object()
      .field("max_flags_per_hour", a.max_flags_per_hour)
      .field("max_flag_share", a.max_flag_share)
      .end_object();
  w.field("at", timefmt::format_utc_ms(a.at_ms)).field("screener", a.screener_instance);
  w.field("note", "The rule reached a cap: its further matches in the sliding hour are counted, not flagged.");
  w.end_object();
  return out;
}

std::string encode_dead_letter(const DeadLetterRecord& record) {
  std::string out;
  out.reserve(256 + record.original.size() * 4 / 3 + record.violations.size() * 96);
  json::Writer w(out);
  w.begin_object().field("schema_version", "1.0");
  w.key("source")
      .begin_object()
      .field("topic", record.source.topic)
      .field("partition", static_cast<std::int64_t>(record.source.partition))
      .field("offset", record.source.offset);
  if (record.source.timestamp_ms != 0) w.field("timestamp", timefmt::format_utc_ms(record.source.timestamp_ms));
  w.end_object();
  w.optional_field("kind", record.kind);
  write_violations(w, "reasons", record.violations);
  w.field("original_base64", base64_encode(record.original));
  w.field("original_size", static_cast<std::uint64_t>(record.original.size()));
  w.field("dead_lettered_at", timefmt::format_utc_ms(record.dead_lettered_at_ms));
  w.field("screener", record.screener_instance);
  w.end_object();
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(kB64[(n >> 6) & 63]);
    out.push_back(kB64[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = at(i) << 16;
    if (rest == 2) n |= at(i + 1) << 8;
    out.push_back(kB64[(n >> 18) & 63]);
    out.push_back(kB64[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kB64[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0) return false;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = b64_value(c);
      if (v[k] < 0) return false;
    }
    const std::uint32_t n = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<char>((n >> 16) & 0xFF));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xFF));
  }
  return true;
}

}  // namespace crosscheck::schemas
