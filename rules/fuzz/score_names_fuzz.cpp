// libFuzzer target: the CSV reader and writer of `crosscheck score-names` (seeded from
// rules/fuzz/score-names-sample.csv). Any input gives an error or one output row per data row.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "crosscheck/rules/analyst_tools.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  const auto stats = crosscheck::rules::score_names_csv(in, out);
  if (stats.ok() && stats->matches > stats->rows) std::abort();
  if (!stats.ok() && stats.error().message().empty()) std::abort();
  return 0;
}
