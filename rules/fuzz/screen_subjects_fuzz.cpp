// libFuzzer target: the JSON-lines subject reader of `crosscheck screen`, against a small list
// (seeded from rules/fuzz/screen-subjects-sample.jsonl). Exactly one output line per input line.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "crosscheck/rules/analyst_tools.h"

namespace {
const crosscheck::rules::MatchIndex& index() {
  static const crosscheck::rules::MatchIndex idx = [] {
    crosscheck::rules::Watchlist list;
    list.list_id = "fuzz";
    list.version = 1;
    crosscheck::rules::WatchlistEntry p;
    p.id = "P1";
    p.names = {"Viktor DRAGAN", "Виктор Драган"};
    p.dates_of_birth = {"1971-04-12"};
    p.nationalities = {"ROU"};
    p.documents = {{"passport", "RX4417208", "ROU"}};
    list.entries.push_back(p);
    crosscheck::rules::WatchlistEntry o;
    o.id = "O1";
    o.type = crosscheck::rules::EntityType::kOrganization;
    o.names = {"Orchid Bay Trading Ltd"};
    o.ibans = {"GB33BUKB20201555555555"};
    o.bics = {"BUKBGB22"};
    list.entries.push_back(o);
    return crosscheck::rules::MatchIndex(std::vector<crosscheck::rules::Watchlist>{list});
  }();
  return idx;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  std::ostringstream out;
  const auto stats = crosscheck::rules::screen_subjects_jsonl(index(), in, out);
  if (!stats.ok()) {
    if (stats.error().message().empty()) std::abort();
    return 0;
  }
  // One line out per line in: count input lines as std::getline sees them.
  std::istringstream again(text);
  std::size_t lines = 0;
  for (std::string line; std::getline(again, line);) ++lines;
  const std::string o = out.str();
  if (static_cast<std::size_t>(std::count(o.begin(), o.end(), '\n')) != lines) std::abort();
  return 0;
}
