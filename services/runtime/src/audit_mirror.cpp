#include "crosscheck/runtime/audit_mirror.h"

#include "crosscheck/log.h"
#include "crosscheck/rules/audit_log.h"
#include "crosscheck/streams/producer.h"

namespace crosscheck::runtime {

namespace {
// Take the lease when free, renew it when ours; 1 when held after the call.
constexpr const char* kLeaseScript = R"(
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
)";
}  // namespace

AuditMirror::AuditMirror(rules::RedisConfig redis, std::string key_prefix, streams::KafkaConfig kafka,
                         AuditMirrorOptions options, ScreenerMetrics* metrics)
    : redis_config_(std::move(redis)),
      prefix_(std::move(key_prefix)),
      kafka_(std::move(kafka)),
      options_(std::move(options)),
      metrics_(metrics),
      redis_(std::make_unique<rules::RedisClient>(redis_config_)) {}

AuditMirror::~AuditMirror() { stop(); }

void AuditMirror::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void AuditMirror::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditMirror::run() {
  bool warned = false;
  while (!stopping_) {
    auto r = mirror_once();
    if (!r.ok()) {
      if (metrics_ != nullptr) metrics_->audit_mirror_errors().Increment();
      // One warning per failure episode, not one per round.
      if (!warned) log::warn("audit-mirror", "cannot mirror the audit stream; retrying", {{"error", r.error().to_string()}});
      warned = true;
    } else {
      if (warned) log::info("audit-mirror", "mirroring the audit stream again");
      warned = false;
    }
    // A full batch means more may be waiting: go on at once.
    if (r.ok() && *r == options_.batch) continue;
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, options_.interval, [this] { return stopping_.load(); });
  }
}

Status AuditMirror::ensure_producer() {
  if (producer_) return ok_status();
  auto created = streams::Producer::create(
      kafka_, [this](std::uint64_t, const std::optional<Error>& error, std::int32_t, std::int64_t) {
        if (error) ++failed_deliveries_;
      });
  if (!created.ok()) return created.error();
  producer_ = std::move(*created);
  return ok_status();
}

Result<std::size_t> AuditMirror::mirror_once() {
  const std::string owner_key = prefix_ + "audit:mirror:owner";
  const std::string last_key = prefix_ + "audit:mirror:last";
  auto held = redis_->command({"EVAL", kLeaseScript, "1", owner_key, options_.instance_id,
                               std::to_string(options_.lease.count())});
  if (!held.ok()) return held.error();
  if (held->integer != 1) return std::size_t{0};

  auto last = redis_->command({"GET", last_key});
  if (!last.ok()) return last.error();
  rules::AuditLog audit(*redis_, prefix_);
  auto entries = audit.read_after(last->is_nil() ? "" : last->str, options_.batch);
  if (!entries.ok()) return entries.error();
  if (entries->empty()) return std::size_t{0};

  if (auto st = ensure_producer(); !st.ok()) return st.error();
  failed_deliveries_ = 0;
  for (const auto& e : *entries) {
    streams::OutRecord rec;
    rec.topic = options_.topic;
    rec.key = e.id;
    rec.value = rules::encode_audit_entry_json(e);
    if (auto st = producer_->produce_blocking(rec, 0, std::chrono::seconds(10)); !st.ok()) return st.error();
  }
  // Only ids Kafka acknowledged are remembered: a failed flush sends the batch again next round.
  if (auto st = producer_->flush(std::chrono::seconds(15)); !st.ok()) return st.error();
  if (failed_deliveries_ != 0) {
    return Error::retriable("audit-mirror", std::to_string(failed_deliveries_.load()) +
                                                " audit records were not acknowledged by Kafka; the batch is sent again");
  }
  auto stored = redis_->command({"SET", last_key, entries->back().id});
  if (!stored.ok()) return stored.error();
  if (metrics_ != nullptr) metrics_->audit_mirrored().Increment(static_cast<double>(entries->size()));
  return entries->size();
}

}  // namespace crosscheck::runtime
