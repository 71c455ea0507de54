// Private helpers for error messages about untrusted JSON (watchlist files, rule files): how a value
// is quoted and how its type is named. Not installed; not part of the library's interface.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "crosscheck/json_writer.h"

namespace crosscheck::rules::json_messages {

// `s` as a JSON string literal, cut to `max_bytes` so a hostile value cannot bloat a message.
inline std::string quote(std::string_view s, std::size_t max_bytes = 200) {
  std::string out;
  json::append_string(out, s.substr(0, max_bytes));
  return out;
}

// "an array", "a string", ...: for "expected a string, got an array".
inline std::string_view type_name(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY: return "an array";
    case T::OBJECT: return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE: return "a number";
    case T::STRING: return "a string";
    case T::BOOL: return "a boolean";
    case T::NULL_VALUE: return "null";
  }
  return "unknown";
}

}  // namespace crosscheck::rules::json_messages
