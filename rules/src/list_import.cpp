// Format detection, file reading and the helpers the OFAC and UN importers share.
#include "crosscheck/rules/list_import.h"

#include <array>
#include <filesystem>
#include <fstream>

#include "crosscheck/rules/normalize.h"
#include "crosscheck/time_format.h"
#include "import_common.h"

namespace crosscheck::rules {
namespace import_detail {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  unsigned cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F ? ' ' : static_cast<char>(c));
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string clean_line(std::string_view s) {
  const std::string text = clean_text(s);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t cut = max > 3 ? max - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return std::string(trim(s.substr(0, cut))) + "...";
}

void add_remark(std::string& remarks, std::string_view item) {
  item = trim(item);
  if (item.empty() || remarks.size() >= kMaxRemarksBytes) return;
  if (!remarks.empty()) remarks += "; ";
  const std::size_t room = kMaxRemarksBytes - std::min(remarks.size(), kMaxRemarksBytes);
  remarks += clip(item, std::max<std::size_t>(room, 4));
}

std::optional<std::string> parse_source_date(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                              "jul", "aug", "sep", "oct", "nov", "dec"};
  s = trim(s);
  auto digits = [](std::string_view d, std::size_t n) {
    if (d.size() != n) return false;
    for (char c : d) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  auto month_of = [&](std::string_view w) -> int {
    while (!w.empty() && (w.back() == '.' || w.back() == ',')) w.remove_suffix(1);
    if (w.size() < 3) return 0;
    for (std::size_t m = 0; m < kMonths.size(); ++m) {
      if (!istarts_with(w, kMonths[m])) continue;
      // "Jan", "January", "Sept"; not "Janitor".
      static constexpr std::array<std::string_view, 12> kFull = {"january", "february", "march",     "april",
                                                                 "may",     "june",     "july",      "august",
                                                                 "september", "october", "november", "december"};
      if (w.size() == 3 || iequals(w, kFull[m]) || iequals(w, "sept")) return static_cast<int>(m) + 1;
    }
    return 0;
  };
  auto two = [](int v) {
    std::string out = std::to_string(v);
    return out.size() == 1 ? "0" + out : out;
  };
  auto checked = [](std::string date) -> std::optional<std::string> {
    if (date.size() == 10 && !timefmt::parse_date_days(date)) return std::nullopt;
    return date;
  };
  if (digits(s, 4)) return std::string(s);
  if (s.size() == 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4] && digits(s.substr(0, 4), 4) &&
      digits(s.substr(5, 2), 2) && digits(s.substr(8, 2), 2)) {
    return checked(std::string(s.substr(0, 4)) + "-" + std::string(s.substr(5, 2)) + "-" + std::string(s.substr(8, 2)));
  }
  if (s.size() == 7 && s[4] == '-' && digits(s.substr(0, 4), 4) && digits(s.substr(5, 2), 2)) {
    const int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m >= 1 && m <= 12) return std::string(s);
    return std::nullopt;
  }
  // Words: [DD] Mon YYYY.
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < s.size() && words.size() < 4) {
    const auto b = s.find_first_not_of(' ', pos);
    if (b == std::string_view::npos) break;
    auto e = s.find(' ', b);
    if (e == std::string_view::npos) e = s.size();
    words.push_back(s.substr(b, e - b));
    pos = e;
  }
  if (words.size() == 2 && month_of(words[0]) && digits(words[1], 4)) {
    return std::string(words[1]) + "-" + two(month_of(words[0]));
  }
  if (words.size() == 3 && (digits(words[0], 1) || digits(words[0], 2)) && month_of(words[1]) && digits(words[2], 4)) {
    int day = 0;
    for (char c : words[0]) day = day * 10 + (c - '0');
    return checked(std::string(words[2]) + "-" + two(month_of(words[1])) + "-" + two(day));
  }
  return std::nullopt;
}

bool is_usable_name(std::string_view s) { return !trim(s).empty() && !normalize_name(s).empty(); }

void add_unique(std::vector<std::string>& out, std::string_view code) {
  for (const auto& c : out) {
    if (c == code) return;
  }
  out.emplace_back(code);
}

void count_entries(const std::vector<WatchlistEntry>& entries, ImportStats& stats) {
  stats.entries = entries.size();
  stats.persons = stats.organizations = stats.vessels = stats.aircraft = 0;
  stats.aliases = stats.weak_aliases = stats.dates_of_birth = stats.documents = 0;
  for (const auto& e : entries) {
    switch (e.type) {
      case EntityType::kPerson: ++stats.persons; break;
      case EntityType::kOrganization: ++stats.organizations; break;
      case EntityType::kVessel: ++stats.vessels; break;
      case EntityType::kAircraft: ++stats.aircraft; break;
      case EntityType::kAccount:
      case EntityType::kCryptoAddress: break;
    }
    stats.aliases += (e.names.empty() ? 0 : e.names.size() - 1) + e.weak_aliases.size();
    stats.weak_aliases += e.weak_aliases.size();
    stats.dates_of_birth += e.dates_of_birth.size();
    stats.documents += e.documents.size();
  }
}

Error problems_error(std::string_view what, const std::vector<std::string>& problems) {
  std::string msg = std::string(what) + ": " + std::to_string(problems.size()) +
                    (problems.size() == 1 ? " problem: " : " problems: ");
  for (std::size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i) {
    if (i) msg += "; ";
    msg += problems[i];
  }
  if (problems.size() > kMaxReportedProblems) {
    msg += "; ... and " + std::to_string(problems.size() - kMaxReportedProblems) + " more";
  }
  return Error::fatal("import", std::move(msg));
}

}  // namespace import_detail

namespace {

using namespace import_detail;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 4> kFormatNames = {"auto", "json", "ofac", "un"};

// Reads a whole file, refusing anything larger than kMaxListBytes. `what` names the file in errors.
Result<std::string> read_file(const fs::path& path, bool required) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    if (!required && !fs::exists(path, ec)) return std::string();
    return Error::fatal("import", "cannot read " + path.string() + ": " + ec.message());
  }
  if (size > kMaxListBytes) {
    return Error::fatal("import", path.string() + " is " + std::to_string(size) + " bytes; the limit is " +
                                      std::to_string(kMaxListBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::fatal("import", "cannot open " + path.string());
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) return Error::fatal("import", "cannot read " + path.string());
  return data;
}

// The first meaningful bytes: after a UTF-8 byte order mark and white space.
std::string_view content_start(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  const auto b = data.find_first_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string_view() : data.substr(b);
}

bool looks_like_xml(std::string_view data) {
  const auto s = content_start(data);
  return s.starts_with("<?xml") || s.starts_with("<CONSOLIDATED_LIST");
}
bool looks_like_json(std::string_view data) { return content_start(data).starts_with("{"); }

Result<ImportedList> import_json(std::string_view data, const std::string& path, const ImportOptions& options) {
  auto list = parse_watchlist_json(data);
  if (!list) return Error::fatal("import", path + ": " + list.error().message());
  ImportedList out;
  out.format = ListFormat::kJson;
  out.list = std::move(*list);
  if (!options.list_id.empty()) out.list.list_id = options.list_id;
  if (!options.name.empty()) out.list.name = options.name;
  count_entries(out.list.entries, out.stats);
  return out;
}

Result<ImportedList> import_ofac_path(const fs::path& sdn_path, const ImportOptions& options) {
  auto sdn = read_file(sdn_path, true);
  if (!sdn) return sdn.error();
  const fs::path dir = sdn_path.parent_path();
  auto alt = read_file(dir / "alt.csv", false);
  if (!alt) return alt.error();
  auto add = read_file(dir / "add.csv", false);
  if (!add) return add.error();
  auto out = import_ofac_sdn_csv(*sdn, *alt, *add, options);
  if (!out) return Error::fatal("import", sdn_path.string() + ": " + out.error().message());
  return out;
}

}  // namespace

std::string_view to_string(ListFormat format) { return kFormatNames[static_cast<std::size_t>(format)]; }

std::optional<ListFormat> list_format_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kFormatNames.size(); ++i) {
    if (kFormatNames[i] == name) return static_cast<ListFormat>(i);
  }
  return std::nullopt;
}

Result<ImportedList> import_list(const std::string& path_text, const ImportOptions& options) {
  const fs::path path(path_text);
  std::error_code ec;
  const bool is_dir = fs::is_directory(path, ec);
  if (!is_dir && !fs::exists(path, ec)) return Error::fatal("import", path_text + ": no such file or directory");
  const bool named_sdn = iequals(path.filename().string(), "sdn.csv");

  ListFormat format = options.format;
  if (is_dir) {
    if (format != ListFormat::kAuto && format != ListFormat::kOfacSdnCsv) {
      return Error::fatal("import", path_text + " is a directory; only an OFAC list (a directory holding sdn.csv) can be");
    }
    const fs::path sdn = path / "sdn.csv";
    if (!fs::is_regular_file(sdn, ec)) {
      return Error::fatal("import", path_text + " is a directory without sdn.csv: expected an OFAC SDN directory");
    }
    return import_ofac_path(sdn, options);
  }
  if (format == ListFormat::kOfacSdnCsv || (format == ListFormat::kAuto && named_sdn)) return import_ofac_path(path, options);

  auto data = read_file(path, true);
  if (!data) return data.error();
  if (format == ListFormat::kAuto) {
    if (looks_like_xml(*data)) {
      format = ListFormat::kUnXml;
    } else if (looks_like_json(*data)) {
      format = ListFormat::kJson;
    } else {
      return Error::fatal("import", path_text +
                                        ": unknown list format: expected an OFAC sdn.csv (or its directory), a UN "
                                        "consolidated list XML file, or a JSON watchlist");
    }
  }
  if (format == ListFormat::kJson) {
    if (!looks_like_json(*data)) return Error::fatal("import", path_text + ": not a JSON watchlist (expected '{')");
    return import_json(*data, path_text, options);
  }
  if (!looks_like_xml(*data)) {
    return Error::fatal("import", path_text + ": not a UN consolidated list (expected XML starting with <?xml or <CONSOLIDATED_LIST)");
  }
  auto out = import_un_xml(*data, options);
  if (!out) return Error::fatal("import", path_text + ": " + out.error().message());
  return out;
}

}  // namespace crosscheck::rules
