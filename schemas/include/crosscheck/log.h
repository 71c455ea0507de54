// Structured logging: one JSON object per line on stderr.
//
// Every line has "ts", "level", "component" and "msg", plus the fields given. Personal data
// (names, dates of birth, document numbers, accounts) must never be passed at info level or
// above; log event ids, flag ids and entry ids instead.
//
// Thread-safety: all functions may be called from any thread; each line is written atomically.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace crosscheck::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Returns false for an unknown name; accepted: debug, info, warn, error.
bool parse_level(std::string_view name, Level& out);
void set_level(Level level);
Level level();
bool enabled(Level level);

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, std::uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}

  std::string_view key;
  std::string value;
  bool quoted;
};

void write(Level level, std::string_view component, std::string_view msg,
           std::initializer_list<Field> fields = {});

// Redirects output (tests). Pass nullptr to restore stderr. Not thread-safe against concurrent writes.
void set_sink_for_testing(std::string* sink);

inline void debug(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, c, m, f);
}
inline void info(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kInfo, c, m, f);
}
inline void warn(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kWarn, c, m, f);
}
inline void error(std::string_view c, std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::kError, c, m, f);
}

}  // namespace crosscheck::log
