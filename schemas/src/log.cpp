#include "crosscheck/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "crosscheck/json_writer.h"
#include "crosscheck/time_format.h"

namespace crosscheck::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::mutex g_mutex;
std::string* g_sink = nullptr;

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}
}  // namespace

Field::Field(std::string_view k, double v) : key(k), value(), quoted(false) {
  json::Writer(value).number(v);
}

bool parse_level(std::string_view name, Level& out) {
  if (name == "debug") out = Level::kDebug;
  else if (name == "info") out = Level::kInfo;
  else if (name == "warn") out = Level::kWarn;
  else if (name == "error") out = Level::kError;
  else return false;
  return true;
}

void set_level(Level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
bool enabled(Level l) { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

void write(Level l, std::string_view component, std::string_view msg, std::initializer_list<Field> fields) {
  if (!enabled(l)) return;
  std::string line;
  line.reserve(160);
  json::Writer w(line);
  w.begin_object()
      .field("ts", timefmt::format_utc_ms(timefmt::now_ms()))
      .field("level", level_name(l))
      .field("component", component)
      .field("msg", msg);
  for (const Field& f : fields) {
    w.key(f.key);
    if (f.quoted) w.string(f.value);
    else w.raw(f.value);
  }
  w.end_object();
  line.push_back('\n');
  std::lock_guard lock(g_mutex);
  if (g_sink != nullptr) {
    g_sink->append(line);
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void set_sink_for_testing(std::string* sink) {
  std::lock_guard lock(g_mutex);
  g_sink = sink;
}

}  // namespace crosscheck::log
