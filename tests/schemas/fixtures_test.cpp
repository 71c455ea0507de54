// Every sample event in tests/fixtures/events/ must parse cleanly: they are the quickstart data and
// the fuzz seed corpus, so a schema change that rejects them is caught here.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "crosscheck/schemas/event_parser.h"

namespace crosscheck::schemas {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

struct FixtureFile {
  const char* file;
  EventKind kind;
};

class Fixtures : public ::testing::TestWithParam<FixtureFile> {};

TEST_P(Fixtures, EveryLineParsesWithoutViolations) {
  const auto lines = read_lines(std::string(CROSSCHECK_FIXTURES_DIR) + "/events/" + GetParam().file);
  ASSERT_GE(lines.size(), 20u) << GetParam().file;
  EventParser parser;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::vector<Violation> v;
    const Event* ev = parser.parse(GetParam().kind, lines[i], v);
    EXPECT_NE(ev, nullptr) << GetParam().file << ":" << i + 1;
    for (const auto& x : v) {
      ADD_FAILURE() << GetParam().file << ":" << i + 1 << ": " << reason_code_name(x.code) << " " << x.message;
    }
  }
}

// The same with the project's airport reference list: every sample airport is in it.
TEST_P(Fixtures, EveryLineParsesWithTheAirportList) {
  const std::string list = std::string(CROSSCHECK_FIXTURES_DIR) + "/reference/airports.csv";
  if (!std::ifstream(list)) GTEST_SKIP() << "no " << list;
  auto airports = ids::load_airport_codes(list);
  ASSERT_TRUE(airports.ok()) << airports.error().to_string();
  ParseOptions options;
  options.airports = *airports;
  EventParser parser(options);
  const auto lines = read_lines(std::string(CROSSCHECK_FIXTURES_DIR) + "/events/" + GetParam().file);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::vector<Violation> v;
    EXPECT_NE(parser.parse(GetParam().kind, lines[i], v), nullptr) << GetParam().file << ":" << i + 1;
    for (const auto& x : v) {
      ADD_FAILURE() << GetParam().file << ":" << i + 1 << ": " << reason_code_name(x.code) << " " << x.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Events, Fixtures,
                         ::testing::Values(FixtureFile{"itineraries.jsonl", EventKind::kItinerary},
                                           FixtureFile{"manifests.jsonl", EventKind::kManifest},
                                           FixtureFile{"payments.jsonl", EventKind::kPayment}),
                         [](const auto& info) { return std::string(to_string(info.param.kind)); });

TEST(Fixtures, ContainTheDemoWatchlistSubjects) {
  const std::string dir = std::string(CROSSCHECK_FIXTURES_DIR) + "/events/";
  EventParser parser;
  std::vector<Violation> v;
  int dragan = 0, kessler = 0, black_tide = 0, imo = 0, orchid = 0, meridian = 0;
  for (const auto& line : read_lines(dir + "itineraries.jsonl")) {
    const Event* ev = parser.parse(EventKind::kItinerary, line, v);
    ASSERT_NE(ev, nullptr);
    for (const auto& p : ev->itinerary.passengers) {
      dragan += p.surname == "DRAGAN" && p.date_of_birth == "1971-04-12" && p.document.number == "RX4417208";
      kessler += p.surname == "KESSLER" && p.date_of_birth == "1985-09-30" && p.document.number == "U88120456";
    }
  }
  for (const auto& line : read_lines(dir + "manifests.jsonl")) {
    const Event* ev = parser.parse(EventKind::kManifest, line, v);
    ASSERT_NE(ev, nullptr);
    black_tide += ev->manifest.consignee.name == "Black Tide Logistics";
    imo += ev->manifest.conveyance.imo == "9321483";
  }
  for (const auto& line : read_lines(dir + "payments.jsonl")) {
    const Event* ev = parser.parse(EventKind::kPayment, line, v);
    ASSERT_NE(ev, nullptr);
    orchid += ev->payment.creditor.iban == "GB33BUKB20201555555555" && ev->payment.creditor.name == "Orchid Bay Trading Ltd";
    meridian += ev->payment.debtor.name == "Meridian Shell Holdings";
  }
  EXPECT_GE(dragan, 1);
  EXPECT_GE(kessler, 1);
  EXPECT_GE(black_tide, 1);
  EXPECT_GE(imo, 1);
  EXPECT_GE(orchid, 1);
  EXPECT_GE(meridian, 1);
  EXPECT_LE(dragan + kessler, 5);
  EXPECT_LE(black_tide + imo, 5);
  EXPECT_LE(orchid + meridian, 5);
}

}  // namespace
}  // namespace crosscheck::schemas
