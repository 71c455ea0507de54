#include "crosscheck/rules/watchlist_diff.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace cc = crosscheck;
using cc::rules::WatchlistEntry;

namespace {

WatchlistEntry person(std::string id, std::vector<std::string> names) {
  WatchlistEntry e;
  e.id = std::move(id);
  e.names = std::move(names);
  return e;
}

cc::rules::Watchlist list(std::uint64_t version, std::vector<WatchlistEntry> entries) {
  cc::rules::Watchlist l;
  l.list_id = "test-list";
  l.version = version;
  l.entries = std::move(entries);
  return l;
}

const cc::rules::FieldChange* field(const cc::rules::EntryChange& c, std::string_view name) {
  for (const auto& f : c.fields) {
    if (f.field == name) return &f;
  }
  return nullptr;
}

}  // namespace

TEST(WatchlistDiff, IdenticalListsHaveNoChanges) {
  auto a = list(1, {person("P1", {"Ivan PETROV"}), person("P2", {"Anna SOKOLOVA"})});
  auto b = a;
  b.version = 2;
  const auto d = cc::rules::diff_watchlists(a, b);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.unchanged, 2u);
}

TEST(WatchlistDiff, AddedRemovedAndChangedAreMatchedById) {
  auto p1 = person("P1", {"Ivan PETROV", "Ivan PETROFF"});
  p1.dates_of_birth = {"1970-01-01"};
  auto a = list(1, {p1, person("P2", {"Anna SOKOLOVA"}), person("P3", {"Kept SAME"})});

  auto p1b = p1;
  p1b.names = {"Ivan PETROV", "Ivan PETROW"};      // one alias replaced
  p1b.dates_of_birth = {"1970-01-01", "1971"};     // one date added
  p1b.documents = {{"passport", "RX1", "RUS"}};
  auto b = list(2, {person("P4", {"New PERSON"}), person("P3", {"Kept SAME"}), p1b});

  const auto d = cc::rules::diff_watchlists(a, b);
  ASSERT_EQ(d.added.size(), 1u);
  EXPECT_EQ(d.added[0]->id, "P4");
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.removed[0]->id, "P2");
  EXPECT_EQ(d.unchanged, 1u);
  ASSERT_EQ(d.changed.size(), 1u);
  const auto& c = d.changed[0];
  EXPECT_EQ(c.id, "P1");
  const auto* names = field(c, "names");
  ASSERT_NE(names, nullptr);
  EXPECT_EQ(names->added, std::vector<std::string>{"Ivan PETROW"});
  EXPECT_EQ(names->removed, std::vector<std::string>{"Ivan PETROFF"});
  const auto* dob = field(c, "dates_of_birth");
  ASSERT_NE(dob, nullptr);
  EXPECT_EQ(dob->added, std::vector<std::string>{"1971"});
  EXPECT_TRUE(dob->removed.empty());
  const auto* docs = field(c, "documents");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->added, std::vector<std::string>{"passport RX1 (RUS)"});
  EXPECT_EQ(field(c, "primary_name"), nullptr);  // the primary name did not change
}

TEST(WatchlistDiff, PrimaryNameSwapWithSameSetIsAChange) {
  auto a = list(1, {person("P1", {"A ONE", "B TWO"})});
  auto b = list(2, {person("P1", {"B TWO", "A ONE"})});
  const auto d = cc::rules::diff_watchlists(a, b);
  ASSERT_EQ(d.changed.size(), 1u);
  const auto* primary = field(d.changed[0], "primary_name");
  ASSERT_NE(primary, nullptr);
  EXPECT_EQ(primary->added, std::vector<std::string>{"B TWO"});
  EXPECT_EQ(primary->removed, std::vector<std::string>{"A ONE"});
  EXPECT_EQ(field(d.changed[0], "names"), nullptr);
}

TEST(WatchlistDiff, ScalarFieldsReportOldAndNewValues) {
  auto v = person("V1", {"GREY PETREL"});
  v.type = cc::rules::EntityType::kVessel;
  v.imo = "9321483";
  auto v2 = v;
  v2.imo = "9321495";
  v2.flag = "PAN";
  const auto d = cc::rules::diff_watchlists(list(1, {v}), list(2, {v2}));
  ASSERT_EQ(d.changed.size(), 1u);
  const auto* imo = field(d.changed[0], "imo");
  ASSERT_NE(imo, nullptr);
  EXPECT_EQ(imo->added, std::vector<std::string>{"9321495"});
  EXPECT_EQ(imo->removed, std::vector<std::string>{"9321483"});
  const auto* flag = field(d.changed[0], "flag");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(flag->added, std::vector<std::string>{"PAN"});
  EXPECT_TRUE(flag->removed.empty());
}

TEST(WatchlistDiff, TextReportSummarisesAndCutsLongLists) {
  std::vector<WatchlistEntry> many;
  for (int i = 0; i < 30; ++i) many.push_back(person("N" + std::to_string(100 + i), {"Name " + std::to_string(i)}));
  auto a = list(3, {person("P1", {"Ivan PETROV"})});
  auto b = list(4, many);
  const auto d = cc::rules::diff_watchlists(a, b);
  const std::string text = cc::rules::format_diff_text(a, b, d, 10);
  EXPECT_NE(text.find("test-list v3 (1 entries) -> test-list v4 (30 entries): 30 added, 1 removed, 0 changed, 0 unchanged"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("+ N100 person 'Name 0'"), std::string::npos) << text;
  EXPECT_NE(text.find("... 21 more"), std::string::npos) << text;
  const std::string all = cc::rules::format_diff_text(a, b, d);
  EXPECT_NE(all.find("- P1 person 'Ivan PETROV'"), std::string::npos);
  EXPECT_EQ(all.find("more"), std::string::npos);
}

TEST(WatchlistDiff, JsonReportIsValidAndCountsAgree) {
  auto a = list(1, {person("P1", {"Ivan PETROV"}), person("P2", {"Anna \"Quoted\" SOKOLOVA"})});
  auto b = list(2, {person("P1", {"Ivan PETROV", "Iwan PETROW"}), person("P3", {"Zoë ÖZTÜRK"})});
  const auto d = cc::rules::diff_watchlists(a, b);
  const std::string json = cc::rules::format_diff_json(a, b, d);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  EXPECT_EQ(root["counts"]["added"].get_uint64().value(), 1u);
  EXPECT_EQ(root["counts"]["removed"].get_uint64().value(), 1u);
  EXPECT_EQ(root["counts"]["changed"].get_uint64().value(), 1u);
  EXPECT_EQ(std::string_view(root["removed"].at(0)["name"].get_string().value()), "Anna \"Quoted\" SOKOLOVA");
  EXPECT_EQ(std::string_view(root["added"].at(0)["name"].get_string().value()), "Zoë ÖZTÜRK");
  EXPECT_EQ(std::string_view(root["changed"].at(0)["fields"].at(0)["added"].at(0).get_string().value()), "Iwan PETROW");
  EXPECT_EQ(root["from"]["version"].get_uint64().value(), 1u);
  EXPECT_EQ(root["to"]["version"].get_uint64().value(), 2u);
}

TEST(WatchlistDiff, LongRemarksShowWhereTheyDiffer) {
  auto a = person("P1", {"Ivan PETROV"});
  a.remarks = std::string(200, 'x') + " Head of the Public Associations Department " + std::string(100, 'y');
  auto b = a;
  b.remarks = std::string(200, 'x') + " Justice Minister " + std::string(100, 'y');
  const auto older = list(1, {a});
  const auto newer = list(2, {b});
  const std::string text = cc::rules::format_diff_text(older, newer, cc::rules::diff_watchlists(older, newer));
  EXPECT_NE(text.find("+'...xxxxxxxxxxxxxxxxxxx Justice Minister"), std::string::npos) << text;
  EXPECT_NE(text.find("-'...xxxxxxxxxxxxxxxxxxx Head of the Public"), std::string::npos) << text;
  EXPECT_LT(text.size(), 400u);  // excerpts, not the whole remarks
}
