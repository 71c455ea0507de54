#include "crosscheck/console/prom_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

namespace crosscheck::console {
namespace {

constexpr std::string_view kComponent = "prom_text";

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool metric_name_start(char c) { return is_alpha(c) || c == '_' || c == ':'; }
bool metric_name_char(char c) { return metric_name_start(c) || is_digit(c); }
bool label_name_start(char c) { return is_alpha(c) || c == '_'; }
bool label_name_char(char c) { return label_name_start(c) || is_digit(c); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), as Prometheus requires
// of label values.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

// One line being read.
class Line {
 public:
  explicit Line(std::string_view text) : s_(text) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  void advance() { ++pos_; }
  void skip_blanks() {
    while (!done() && is_blank(s_[pos_])) ++pos_;
  }
  // Characters up to the next blank (or the end).
  std::string_view token() {
    const std::size_t start = pos_;
    while (!done() && !is_blank(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  template <class Pred>
  std::string_view take_while(Pred pred) {
    const std::size_t start = pos_;
    while (!done() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::size_t column() const { return pos_ + 1; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  Parser(const PromParseLimits& limits) : limits_(limits) {}

  Result<PromExposition> run(std::string_view text) {
    if (text.size() > limits_.max_bytes) {
      return Error::fatal(std::string(kComponent), "the exposition is " + std::to_string(text.size()) +
                                                       " bytes; at most " + std::to_string(limits_.max_bytes) +
                                                       " are accepted");
    }
    std::size_t line_no = 0;
    while (!text.empty()) {
      ++line_no;
      const auto nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (auto problem = parse_line(line); !problem.empty()) {
        return Error::fatal(std::string(kComponent), "line " + std::to_string(line_no) + ": " + problem);
      }
    }
    return std::move(out_);
  }

 private:
  // An empty string when the line is good, else what is wrong with it.
  std::string parse_line(std::string_view text) {
    Line line(text);
    line.skip_blanks();
    if (line.done()) return {};
    if (line.peek() == '#') return parse_comment(line);
    return parse_sample(line);
  }

  std::string parse_comment(Line& line) {
    line.advance();  // '#'
    line.skip_blanks();
    const std::string_view keyword = line.token();
    if (keyword != "HELP" && keyword != "TYPE") return {};  // any other comment
    line.skip_blanks();
    const std::string_view name = line.take_while(metric_name_char);
    if (name.empty() || !metric_name_start(name.front())) return "# " + std::string(keyword) + " needs a metric name";
    if (name.size() > limits_.max_name_bytes) return "metric name longer than " + std::to_string(limits_.max_name_bytes) + " bytes";
    if (!line.done() && !is_blank(line.peek())) return "invalid character in the metric name of # " + std::string(keyword);
    if (keyword == "HELP") return {};  // the docstring is free text; it is not kept
    line.skip_blanks();
    const std::string_view type_name = line.token();
    line.skip_blanks();
    if (!line.done()) return "unexpected text after the type in # TYPE";
    PromType type;
    if (type_name == "counter") {
      type = PromType::kCounter;
    } else if (type_name == "gauge") {
      type = PromType::kGauge;
    } else if (type_name == "histogram") {
      type = PromType::kHistogram;
    } else if (type_name == "summary") {
      type = PromType::kSummary;
    } else if (type_name == "untyped") {
      type = PromType::kUntyped;
    } else {
      return "unknown metric type in # TYPE (allowed: counter, gauge, histogram, summary, untyped)";
    }
    if (!out_.types.emplace(std::string(name), type).second) return "a second # TYPE line for one metric";
    return {};
  }

  std::string parse_sample(Line& line) {
    if (out_.samples.size() >= limits_.max_samples) {
      return "more than " + std::to_string(limits_.max_samples) + " samples";
    }
    PromSample sample;
    const std::string_view name = line.take_while(metric_name_char);
    if (name.empty() || !metric_name_start(name.front())) return "a sample must start with a metric name";
    if (name.size() > limits_.max_name_bytes) return "metric name longer than " + std::to_string(limits_.max_name_bytes) + " bytes";
    sample.name = std::string(name);
    line.skip_blanks();
    if (line.peek() == '{') {
      line.advance();
      if (auto problem = parse_labels(line, sample); !problem.empty()) return problem;
      line.skip_blanks();
    }
    if (line.done()) return "a sample needs a value";
    const std::string_view value_token = line.token();
    auto value = parse_prom_value(value_token);
    if (!value) return "the value is not a number (column " + std::to_string(line.column() - value_token.size()) + ")";
    sample.value = *value;
    line.skip_blanks();
    if (!line.done()) {
      const std::string_view ts = line.token();
      std::int64_t t = 0;
      auto [end, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), t);
      if (ec != std::errc() || end != ts.data() + ts.size()) return "the timestamp is not an integer";
      sample.timestamp_ms = t;
      line.skip_blanks();
      if (!line.done()) return "unexpected text after the timestamp";
    }
    out_.samples.push_back(std::move(sample));
    return {};
  }

  // After '{' up to and including '}'.
  std::string parse_labels(Line& line, PromSample& sample) {
    seen_.clear();
    for (;;) {
      line.skip_blanks();
      if (line.peek() == '}') {
        line.advance();
        return {};
      }
      if (line.done()) return "unterminated label set";
      const std::string_view name = line.take_while(label_name_char);
      if (name.empty() || !label_name_start(name.front())) {
        return "invalid label name (column " + std::to_string(line.column()) + ")";
      }
      if (name.size() > limits_.max_name_bytes) return "label name longer than " + std::to_string(limits_.max_name_bytes) + " bytes";
      if (sample.labels.size() >= limits_.max_labels_per_sample) {
        return "more than " + std::to_string(limits_.max_labels_per_sample) + " labels on one sample";
      }
      if (!seen_.insert(name).second) return "duplicate label name";
      line.skip_blanks();
      if (line.peek() != '=') return "expected '=' after a label name (column " + std::to_string(line.column()) + ")";
      line.advance();
      line.skip_blanks();
      if (line.peek() != '"') return "a label value must be quoted (column " + std::to_string(line.column()) + ")";
      line.advance();
      std::string value;
      for (;;) {
        if (line.done()) return "unterminated label value";
        const char c = line.peek();
        line.advance();
        if (c == '"') break;
        if (c == '\\') {
          if (line.done()) return "unterminated label value";
          const char e = line.peek();
          line.advance();
          if (e == '\\') {
            value.push_back('\\');
          } else if (e == '"') {
            value.push_back('"');
          } else if (e == 'n') {
            value.push_back('\n');
          } else {
            return "invalid escape in a label value (allowed: \\\\, \\\", \\n)";
          }
        } else {
          value.push_back(c);
        }
        if (value.size() > limits_.max_label_value_bytes) {
          return "label value longer than " + std::to_string(limits_.max_label_value_bytes) + " bytes";
        }
      }
      if (!valid_utf8(value)) return "a label value is not valid UTF-8";
      sample.labels.push_back(PromLabel{std::string(name), std::move(value)});
      line.skip_blanks();
      if (line.peek() == ',') {
        line.advance();
        continue;
      }
      if (line.peek() == '}') {
        line.advance();
        return {};
      }
      return "expected ',' or '}' after a label value (column " + std::to_string(line.column()) + ")";
    }
  }

  const PromParseLimits& limits_;
  PromExposition out_;
  std::set<std::string_view> seen_;  // label names of the current sample (views into the line)
};

}  // namespace

const std::string* PromSample::label(std::string_view label_name) const {
  for (const auto& l : labels) {
    if (l.name == label_name) return &l.value;
  }
  return nullptr;
}

std::optional<double> parse_prom_value(std::string_view token) {
  if (token.empty() || token.size() > 64) return std::nullopt;
  bool negative = false;
  std::string_view body = token;
  if (body.front() == '+' || body.front() == '-') {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (iequals(body, "nan")) {
    if (body.size() != token.size()) return std::nullopt;  // a signed NaN is not a value
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Only plain decimal and exponent forms: from_chars would also take "nan(...)" and "infinity".
  if (body.empty() || !(is_digit(body.front()) || body.front() == '.')) return std::nullopt;
  for (char c : body) {
    if (!(is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (end != body.data() + body.size()) return std::nullopt;
  // Out of range: from_chars leaves v untouched; the format's writers never produce such text.
  if (ec != std::errc()) return std::nullopt;
  return negative ? -v : v;
}

Result<PromExposition> parse_prom_text(std::string_view text, const PromParseLimits& limits) {
  return Parser(limits).run(text);
}

}  // namespace crosscheck::console
