// A small append-only JSON writer for the records Crosscheck produces (flags, dead letters,
// watchlist entries, logs). It writes compact JSON and escapes strings per RFC 8259.
//
// Strings are expected to be valid UTF-8; invalid bytes are replaced with U+FFFD so the output is
// always valid JSON. The writer does not check nesting: callers pair begin_/end_ calls.
// Thread-safety: none; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace crosscheck::json {

// Appends `s` to `out` as a quoted, escaped JSON string.
void append_string(std::string& out, std::string_view s);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& string(std::string_view v);
  Writer& number(std::int64_t v);
  Writer& number(std::uint64_t v);
  Writer& number(int v) { return number(static_cast<std::int64_t>(v)); }
  Writer& number(double v);
  Writer& boolean(bool v);
  Writer& null();
  // Inserts already-serialised JSON as a value.
  Writer& raw(std::string_view json);

  // Shorthands for "key": value.
  Writer& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  Writer& field(std::string_view k, const char* v) { return key(k).string(v); }
  Writer& field(std::string_view k, std::int64_t v) { return key(k).number(v); }
  Writer& field(std::string_view k, std::uint64_t v) { return key(k).number(v); }
  Writer& field(std::string_view k, int v) { return key(k).number(v); }
  Writer& field(std::string_view k, double v) { return key(k).number(v); }
  Writer& field(std::string_view k, bool v) { return key(k).boolean(v); }
  // Writes the field only when v is non-empty (optional fields are omitted, not null).
  Writer& optional_field(std::string_view k, std::string_view v) {
    return v.empty() ? *this : field(k, v);
  }

 private:
  void separator();
  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace crosscheck::json
