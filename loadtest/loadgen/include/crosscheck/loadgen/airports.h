// Airports the itineraries fly between: read from a CSV with a header naming at least `iata`,
// `latitude` and `longitude` (and optionally `country` or `country_code`, and `type`), such as
// ../shared/data/reference/airports.csv (3,632 airports with scheduled service) or the small list
// the project ships, loadtest/loadgen/data/airports.csv. Large airports are drawn more often than
// medium ones (`type`), as traffic is.
// Thread-safety: immutable after load(); share it freely.
// Failure behaviour: load() returns a fatal Error for an unreadable file, a missing column or a
// file without one usable airport; rows with a bad code or coordinate are skipped and counted.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"
#include "crosscheck/loadgen/rng.h"

namespace crosscheck::loadgen {

struct Airport {
  std::string iata;
  std::string country;  // ISO 3166-1 alpha-2, empty when the file has none
  double latitude = 0;
  double longitude = 0;
  double weight = 1;
};

class Airports {
 public:
  static Result<std::shared_ptr<const Airports>> load(const std::string& path);
  static std::shared_ptr<const Airports> from(std::vector<Airport> airports);

  const std::vector<Airport>& all() const { return airports_; }
  std::size_t skipped_rows() const { return skipped_; }
  const Airport& pick(Rng& rng) const;
  bool contains(std::string_view iata) const;

 private:
  std::vector<Airport> airports_;
  std::vector<double> cumulative_;
  std::size_t skipped_ = 0;
};

// Great-circle distance in kilometres.
double distance_km(const Airport& a, const Airport& b);

// Splits one CSV line (RFC 4180 quoting, no embedded line breaks).
std::vector<std::string> split_csv_line(std::string_view line);

}  // namespace crosscheck::loadgen
