#include "crosscheck/loadgen/airports.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>

namespace crosscheck::loadgen {

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
bool parse_double(const std::string& s, double& out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && p == end && std::isfinite(out);
}
}  // namespace

Result<std::shared_ptr<const Airports>> Airports::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error::fatal("airports", "cannot read " + path);
  std::string line;
  if (!std::getline(in, line)) return Error::fatal("airports", path + " is empty");
  std::map<std::string, std::size_t> col;
  const auto header = split_csv_line(line);
  for (std::size_t i = 0; i < header.size(); ++i) col[lower(header[i])] = i;
  for (const char* need : {"iata", "latitude", "longitude"}) {
    if (col.count(need) == 0) return Error::fatal("airports", path + " has no '" + need + "' column");
  }
  const auto country_col = col.count("country_code") ? col["country_code"] : col.count("country") ? col["country"] : SIZE_MAX;
  const auto type_col = col.count("type") ? col["type"] : SIZE_MAX;
  auto a = std::make_shared<Airports>();
  std::map<std::string, bool> seen;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv_line(line);
    auto get = [&](std::size_t c) -> std::string { return c < f.size() ? f[c] : std::string(); };
    Airport ap;
    ap.iata = get(col["iata"]);
    for (char& c : ap.iata) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool code_ok = ap.iata.size() == 3 && std::all_of(ap.iata.begin(), ap.iata.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!code_ok || seen.count(ap.iata) || !parse_double(get(col["latitude"]), ap.latitude) ||
        !parse_double(get(col["longitude"]), ap.longitude)) {
      ++a->skipped_;
      continue;
    }
    seen[ap.iata] = true;
    if (country_col != SIZE_MAX) ap.country = get(country_col);
    const std::string type = type_col != SIZE_MAX ? get(type_col) : std::string();
    ap.weight = type == "large_airport" ? 6.0 : type == "medium_airport" ? 1.0 : type.empty() ? 1.0 : 0.2;
    a->airports_.push_back(std::move(ap));
  }
  if (a->airports_.size() < 2) return Error::fatal("airports", path + " holds fewer than two usable airports");
  return std::shared_ptr<const Airports>(from(std::move(a->airports_)));
}

std::shared_ptr<const Airports> Airports::from(std::vector<Airport> airports) {
  auto a = std::make_shared<Airports>();
  a->airports_ = std::move(airports);
  // Sorted by code, so that the draw depends on the set of airports and not the file's order.
  std::sort(a->airports_.begin(), a->airports_.end(), [](const Airport& x, const Airport& y) { return x.iata < y.iata; });
  double total = 0;
  for (const auto& ap : a->airports_) {
    total += ap.weight;
    a->cumulative_.push_back(total);
  }
  return a;
}

const Airport& Airports::pick(Rng& rng) const {
  const double x = rng.unit() * cumulative_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), x);
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), airports_.size() - 1);
  return airports_[i];
}

bool Airports::contains(std::string_view iata) const {
  return std::binary_search(airports_.begin(), airports_.end(), iata,
                            [](const auto& x, const auto& y) {
                              if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Airport>) return x.iata < y;
                              else return x < y.iata;
                            });
}

double distance_km(const Airport& a, const Airport& b) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.latitude - a.latitude) * kRad;
  const double dlon = (b.longitude - a.longitude) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.latitude * kRad) * std::cos(b.latitude * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace crosscheck::loadgen
