// Imports the real OFAC and UN lists from ../shared/data and checks the counts against the files,
// counted here independently by plain string search. Prints a count table (for docs/watchlists.md):
//   build/bin/rules_list_import_dataset_test --gtest_filter='*CountTable*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

using testing::shared_data_path;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string_view::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// Occurrences of `needle` in remark items that are complete: followed by "; " or, as the last item,
// ending in '.'. OFAC's legacy CSV cuts long remarks off mid-item; a cut item cannot be read.
std::size_t complete_items(std::string_view csv, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = csv.find(needle); pos != std::string_view::npos; pos = csv.find(needle, pos + 1)) {
    const auto end = csv.find_first_of(";\"", pos);
    if (end == std::string_view::npos) continue;
    if (csv[end] == ';' || csv[end - 1] == '.') ++n;
  }
  return n;
}

std::size_t remark_akas(std::string_view csv) {
  return complete_items(csv, "a.k.a. '") + complete_items(csv, "f.k.a. '") + complete_items(csv, "n.k.a. '");
}

// Lines that start a CSV record: digits then a comma (continuation lines of quoted fields do not).
std::size_t record_lines(std::string_view csv) {
  std::size_t n = 0, pos = 0;
  while (pos < csv.size()) {
    auto end = csv.find('\n', pos);
    if (end == std::string_view::npos) end = csv.size();
    std::size_t i = pos;
    while (i < end && csv[i] >= '0' && csv[i] <= '9') ++i;
    if (i > pos && i < end && csv[i] == ',') ++n;
    pos = end + 1;
  }
  return n;
}

// Blocks <tag>...</tag> that contain `inner`.
std::size_t blocks_with(std::string_view xml, std::string_view tag, std::initializer_list<std::string_view> inner) {
  const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  std::size_t n = 0;
  for (auto pos = xml.find(open); pos != std::string_view::npos; pos = xml.find(open, pos + 1)) {
    const auto end = xml.find(close, pos);
    if (end == std::string_view::npos) break;
    const auto block = xml.substr(pos, end - pos);
    for (auto i : inner) {
      if (block.find(i) != std::string_view::npos) {
        ++n;
        break;
      }
    }
  }
  return n;
}

struct Measured {
  std::string file;
  ImportStats stats;
  double seconds = 0;
};

std::vector<Measured>& table() {
  static std::vector<Measured> rows;
  return rows;
}

ImportedList import_timed(const std::string& relative) {
  const auto start = std::chrono::steady_clock::now();
  auto r = import_list(shared_data_path(relative));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return {};
  table().push_back({relative, r->stats, seconds});
  // Every entry is stored in Redis as its JSON form: it must come back unchanged.
  std::size_t bad = 0;
  for (const auto& e : r->list.entries) {
    auto back = parse_entry_json(encode_entry_json(e));
    if (!back.ok() || !(*back == e)) {
      if (++bad <= 3) ADD_FAILURE() << e.id << " does not round-trip: " << (back.ok() ? "differs" : back.error().to_string());
    }
  }
  EXPECT_EQ(bad, 0u);
  return std::move(*r);
}

const WatchlistEntry* find(const Watchlist& list, std::string_view id) {
  for (const auto& e : list.entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

TEST(ListImportDataset, Ofac2019WithAliasesAndAddresses) {
  CROSSCHECK_REQUIRE_SHARED_DATA("watchlists/ofac-sdn-2019/sdn.csv");
  const std::string sdn = slurp(shared_data_path("watchlists/ofac-sdn-2019/sdn.csv"));
  const std::string alt = slurp(shared_data_path("watchlists/ofac-sdn-2019/alt.csv"));
  const std::string add = slurp(shared_data_path("watchlists/ofac-sdn-2019/add.csv"));
  const auto r = import_timed("watchlists/ofac-sdn-2019");
  const auto& s = r.stats;
  EXPECT_EQ(r.format, ListFormat::kOfacSdnCsv);
  EXPECT_EQ(r.list.list_id, "ofac-sdn");
  // The README's figures, and the same counted here from the files.
  // The README counts line ends (7,378, 9,681, 11,695); the last line of each file has none, so
  // each file holds one record more.
  EXPECT_EQ(count_of(sdn, "\n"), 7378u);
  EXPECT_EQ(count_of(alt, "\n"), 9681u);
  EXPECT_EQ(count_of(add, "\n"), 11695u);
  EXPECT_EQ(s.entries, 7378u + 1);
  EXPECT_EQ(s.entries, record_lines(sdn));
  EXPECT_EQ(record_lines(alt), 9681u + 1);
  EXPECT_EQ(s.addresses, 11695u + 1);
  EXPECT_EQ(s.addresses, record_lines(add));
  EXPECT_EQ(s.persons, count_of(sdn, ",\"individual\","));
  EXPECT_EQ(s.vessels, count_of(sdn, ",\"vessel\","));
  EXPECT_EQ(s.aircraft, count_of(sdn, ",\"aircraft\","));
  EXPECT_EQ(s.organizations, s.entries - s.persons - s.vessels - s.aircraft);
  // Aliases: every alt.csv row, and every a.k.a./f.k.a./n.k.a. in the remarks.
  EXPECT_EQ(s.aliases, record_lines(alt) + remark_akas(sdn));
  // Dates of birth: each "DOB " item in the remarks.
  EXPECT_EQ(s.dates_of_birth, count_of(sdn, "DOB "));
  EXPECT_EQ(s.weak_aliases, 0u);  // the 2019 file marks none

  const WatchlistEntry* bnc = find(r.list, "ofac-306");
  ASSERT_NE(bnc, nullptr);
  EXPECT_EQ(bnc->names.front(), "BANCO NACIONAL DE CUBA");
  EXPECT_EQ(bnc->type, EntityType::kOrganization);
  EXPECT_EQ(bnc->programs, std::vector<std::string>{"CUBA"});
  // add.csv: Switzerland, Spain, Japan, ... (where the bank is based).
  EXPECT_NE(std::find(bnc->countries.begin(), bnc->countries.end(), "CHE"), bnc->countries.end());
  EXPECT_NE(std::find(bnc->names.begin(), bnc->names.end(), "NATIONAL BANK OF CUBA"), bnc->names.end());
  EXPECT_NE(std::find(bnc->names.begin(), bnc->names.end(), "BNC"), bnc->names.end());
}

TEST(ListImportDataset, Ofac2024PrimaryFileOnly) {
  CROSSCHECK_REQUIRE_SHARED_DATA("watchlists/ofac-sdn-2024-05-03/sdn.csv");
  const std::string sdn = slurp(shared_data_path("watchlists/ofac-sdn-2024-05-03/sdn.csv"));
  const auto r = import_timed("watchlists/ofac-sdn-2024-05-03/sdn.csv");
  const auto& s = r.stats;
  EXPECT_EQ(count_of(sdn, "\n"), 14965u);
  EXPECT_EQ(s.entries, 14965u);
  EXPECT_EQ(s.entries, record_lines(sdn));
  EXPECT_EQ(s.addresses, 0u);
  EXPECT_EQ(s.persons, count_of(sdn, ",\"individual\","));
  EXPECT_EQ(s.vessels, count_of(sdn, ",\"vessel\","));
  EXPECT_EQ(s.aircraft, count_of(sdn, ",\"aircraft\","));
  EXPECT_EQ(s.aliases, remark_akas(sdn));
  EXPECT_EQ(s.dates_of_birth, count_of(sdn, "DOB "));
  // Digital currency addresses and IMO numbers become identifiers.
  std::size_t crypto = 0, imo = 0;
  for (const auto& e : r.list.entries) {
    crypto += e.crypto_addresses.size();
    imo += e.imo.empty() ? 0 : 1;
  }
  EXPECT_EQ(crypto, complete_items(sdn, "Digital Currency Address - "));
  EXPECT_GT(imo, 800u);
  EXPECT_GT(s.documents, 10000u);
}

TEST(ListImportDataset, UnConsolidatedList) {
  CROSSCHECK_REQUIRE_SHARED_DATA("watchlists/un/consolidated-2026-02-27.xml");
  const std::string xml = slurp(shared_data_path("watchlists/un/consolidated-2026-02-27.xml"));
  const auto r = import_timed("watchlists/un/consolidated-2026-02-27.xml");
  const auto& s = r.stats;
  EXPECT_EQ(r.format, ListFormat::kUnXml);
  EXPECT_EQ(r.list.list_id, "un-sc");
  EXPECT_EQ(s.persons, 730u);
  EXPECT_EQ(s.persons, count_of(xml, "<INDIVIDUAL>"));
  EXPECT_EQ(s.organizations, 273u);
  EXPECT_EQ(s.organizations, count_of(xml, "<ENTITY>"));
  // Aliases: the non-empty ALIAS_NAME elements (2,752) and the names in original script, both
  // NAME_ORIGINAL_SCRIPT and the "(original script: ...)" or "(金铁三)" forms inside aliases,
  // which become names of their own.
  EXPECT_EQ(count_of(xml, "<ALIAS_NAME>"), 2752u);
  std::size_t split = 0, weak_split = 0;
  const std::regex alias_re("<QUALITY>([^<]*)</QUALITY>\\s*<ALIAS_NAME>[^<]* \\(([^<]*)\\)</ALIAS_NAME>");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), alias_re); it != std::sregex_iterator(); ++it) {
    const std::string inner = (*it)[2];
    const bool script = inner.rfind("original script:", 0) == 0 ||
                        std::none_of(inner.begin(), inner.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
    if (!script) continue;
    ++split;
    if ((*it)[1] == "Low") ++weak_split;
  }
  EXPECT_GE(split, 10u);  // 14 in the 2026-02-27 list
  EXPECT_EQ(s.aliases, count_of(xml, "<ALIAS_NAME>") + count_of(xml, "<NAME_ORIGINAL_SCRIPT>") + split);
  EXPECT_EQ(s.weak_aliases, count_of(xml, "<QUALITY>Low</QUALITY>") + weak_split);
  // Dates of birth: DOB elements with a date, a year or a range, and aliases' own dates; a note
  // alone counts when it holds a month and year.
  const std::size_t dobs = blocks_with(xml, "INDIVIDUAL_DATE_OF_BIRTH", {"<DATE>", "<YEAR>", "<FROM_YEAR>"}) +
                           count_of(xml, "<DATE_OF_BIRTH>");
  EXPECT_GE(s.dates_of_birth, dobs);
  EXPECT_LE(s.dates_of_birth, dobs + blocks_with(xml, "INDIVIDUAL_DATE_OF_BIRTH", {"<NOTE>"}));
  EXPECT_EQ(s.documents, blocks_with(xml, "INDIVIDUAL_DOCUMENT", {"<NUMBER>"}));
  EXPECT_EQ(s.addresses, blocks_with(xml, "INDIVIDUAL_ADDRESS", {"<CITY>", "<COUNTRY>", "<STREET>", "<STATE_PROVINCE>", "<NOTE>", "<ZIP_CODE>"}) +
                             blocks_with(xml, "ENTITY_ADDRESS", {"<CITY>", "<COUNTRY>", "<STREET>", "<STATE_PROVINCE>", "<NOTE>", "<ZIP_CODE>"}));
  std::size_t approximate = 0, ranges = 0, nationalities = 0;
  for (const auto& e : r.list.entries) {
    for (const auto& d : e.dates_of_birth) {
      approximate += d.starts_with("~");
      ranges += d.find('/') != std::string::npos;
    }
    nationalities += e.nationalities.size();
  }
  EXPECT_EQ(ranges, blocks_with(xml, "INDIVIDUAL_DATE_OF_BIRTH", {"<FROM_YEAR>"}));
  EXPECT_GT(approximate, 100u);
  EXPECT_GT(nationalities, 600u);
}

// The table of what each import read, and how long it took (ctest runs each test in its own
// process, so this test imports the files itself).
TEST(ListImportDataset, CountTable) {
  table().clear();
  for (const char* relative : {"watchlists/ofac-sdn-2019", "watchlists/ofac-sdn-2024-05-03/sdn.csv",
                               "watchlists/un/consolidated-2026-02-27.xml"}) {
    if (testing::path_exists(shared_data_path(relative))) import_timed(relative);
  }
  if (table().empty()) GTEST_SKIP() << "shared data not available under " << shared_data_path("watchlists");
  std::printf("| file | entries | persons | orgs | vessels | aircraft | aliases | weak aliases | DOBs | documents | addresses | unrecognized | seconds |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& m : table()) {
    const auto& s = m.stats;
    std::printf("| %s | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %zu | %.2f |\n", m.file.c_str(), s.entries,
                s.persons, s.organizations, s.vessels, s.aircraft, s.aliases, s.weak_aliases, s.dates_of_birth, s.documents,
                s.addresses, s.unrecognized, m.seconds);
    RecordProperty(m.file + ".entries", std::to_string(s.entries));
    RecordProperty(m.file + ".unrecognized", std::to_string(s.unrecognized));
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace crosscheck::rules
