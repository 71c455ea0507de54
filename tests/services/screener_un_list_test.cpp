// The screener with the real UN Security Council consolidated list (../shared/data), end to end:
// passengers who are UN-listed people under names written in another script, or misspelled, are
// flagged with explanations; travellers with common names that are not listed are not.
//
// The names the list gives in their original script (Arabic, Cyrillic) are removed from the
// published list, so that finding those people by their original-script names can only work by
// transliteration, not by string equality.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "crosscheck/rules/list_import.h"
#include "stream_plan.h"

namespace crosscheck::testing {
namespace {

constexpr const char* kUnList = "watchlists/un/consolidated-2026-02-27.xml";

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// UTF-8 lead bytes of the Cyrillic (U+0400-04FF) and Arabic (U+0600-06FF) blocks.
bool has_cyrillic(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\xD0' || c == '\xD1'; });
}
bool has_arabic(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '\xD8' && c <= '\xDB'; });
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// A plausible date of birth for a listed person: the listed date when it is exact, else mid-year
// of the listed (or first) year; 1970-06-15 when the list gives none.
std::string travel_dob(const rules::WatchlistEntry& e) {
  for (const auto& d : e.dates_of_birth) {
    if (d.size() == 10 && d[4] == '-') return d;
  }
  for (const auto& d : e.dates_of_birth) {
    const auto digits = d.find_first_of("0123456789");
    if (digits != std::string::npos && d.size() >= digits + 4) return d.substr(digits, 4) + "-06-15";
  }
  return "1970-06-15";
}

struct Traveller {
  std::string event_id;
  PersonSpec person;
  std::string expected_entry;  // empty: must not be flagged
  std::string how;             // what makes the name differ from the listed one
};

// One deterministic typo per name, of a kind people make: two neighbouring letters swapped, a
// letter doubled, or a vowel replaced. Applied to the longest word.
std::string misspell(const std::string& name, int kind) {
  auto parts = words(name);
  auto longest = std::max_element(parts.begin(), parts.end(),
                                  [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  std::string& w = *longest;
  const std::size_t mid = w.size() / 2;
  switch (kind % 3) {
    case 0: std::swap(w[mid], w[mid + 1]); break;
    case 1: w.insert(mid, 1, w[mid]); break;
    default: {
      const auto v = w.find_first_of("AEIOU", 1);
      if (v != std::string::npos) w[v] = w[v] == 'A' ? 'E' : 'A';
      else std::swap(w[mid], w[mid + 1]);
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// Splits a display name into the event's surname (last word) and given names (the rest).
PersonSpec person_named(const std::string& name, const rules::WatchlistEntry& e, int serial) {
  auto parts = words(name);
  PersonSpec p;
  p.surname = parts.back();
  parts.pop_back();
  for (const auto& g : parts) p.given_names += (p.given_names.empty() ? "" : " ") + g;
  p.date_of_birth = travel_dob(e);
  p.nationality = e.nationalities.empty() ? "FRA" : e.nationalities.front();
  p.document = "UNT" + std::to_string(100000 + serial);
  return p;
}

class ScreenerUnListTest : public ScreenerTest {};

TEST_F(ScreenerUnListTest, ListedPeopleUnderOtherScriptsOrMisspelledAreFlaggedCommonNamesAreNot) {
  CROSSCHECK_REQUIRE_SHARED_DATA(kUnList);
  auto imported = rules::import_list(shared_data_path(kUnList));
  ASSERT_TRUE(imported.ok()) << imported.error().to_string();
  rules::Watchlist list = std::move(imported->list);
  std::sort(list.entries.begin(), list.entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });

  std::vector<Traveller> travellers;
  int serial = 0;
  int cyrillic = 0, arabic = 0, typos = 0;
  for (auto& e : list.entries) {
    if (e.type != rules::EntityType::kPerson) continue;
    // Original-script names leave the list (unless they are all it has); the first ones become
    // travellers' names.
    const bool has_latin_name = std::any_of(e.names.begin(), e.names.end(), [](const std::string& n) { return is_ascii(n); });
    if (!has_latin_name) continue;
    for (auto* names : {&e.names, &e.weak_aliases}) {
      for (auto it = names->begin(); it != names->end();) {
        if (is_ascii(*it)) {
          ++it;
          continue;
        }
        if (has_cyrillic(*it) && cyrillic < 9) {
          travellers.push_back({"un-cyr-" + std::to_string(cyrillic++), person_named(*it, e, serial++), e.id, "Cyrillic"});
        } else if (has_arabic(*it) && arabic < 10 && words(*it).size() <= 4) {
          travellers.push_back({"un-ara-" + std::to_string(arabic++), person_named(*it, e, serial++), e.id, "Arabic"});
        }
        it = names->erase(it);
      }
    }
    // Misspelled primary names: people with two or three words of at least four letters.
    if (typos < 12 && !e.names.empty() && is_ascii(e.names.front())) {
      const auto parts = words(e.names.front());
      const bool plain = parts.size() >= 2 && parts.size() <= 3 &&
                         std::all_of(parts.begin(), parts.end(), [](const std::string& w) {
                           return w.size() >= 4 && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
                         });
      if (plain && e.id.rfind("un-QDi.", 0) == 0) {  // one regime, so the sample is stable across list updates
        travellers.push_back({"un-typo-" + std::to_string(typos), person_named(misspell(e.names.front(), typos), e, serial++),
                              e.id, "misspelled"});
        ++typos;
      }
    }
  }
  ASSERT_GE(cyrillic, 5) << "the UN list should carry Cyrillic original-script names";
  ASSERT_GE(arabic, 5) << "the UN list should carry Arabic original-script names";
  ASSERT_GE(typos, 10);

  // Common names, of several cultures, that are not on the list.
  const std::vector<std::pair<std::string, std::string>> common = {
      {"SMITH", "JOHN"},       {"GARCIA", "MARIA"},      {"ZHANG", "WEI"},        {"KOWALSKA", "ANNA"},
      {"MULLER", "THOMAS"},    {"ROSSI", "GIULIA"},      {"DUBOIS", "CAMILLE"},   {"JANSEN", "PIETER"},
      {"NOWAK", "PIOTR"},      {"SILVA", "JOAO"},        {"TANAKA", "HIROSHI"},   {"KIM", "MINJUN"},
      {"NGUYEN", "LINH"},      {"OKAFOR", "CHIDI"},      {"HANSEN", "INGRID"},    {"PETROVA", "ELENA"},
      {"HASSAN", "LAYLA"},     {"KHAN", "IMRAN"},        {"COHEN", "DAVID"},      {"OCONNOR", "SIOBHAN"},
  };
  for (std::size_t i = 0; i < common.size(); ++i) {
    travellers.push_back({"un-clean-" + std::to_string(i),
                          PersonSpec{common[i].first, common[i].second, "1985-03-1" + std::to_string(i % 10), "FRA",
                                     "CLN" + std::to_string(200000 + i)},
                          "", "not listed"});
  }

  ScreenerHarness h(*kafka_, *redis_, "unlist");
  h.publish(list);
  const std::size_t s = h.start();
  for (const auto& t : travellers) kafka_->send(h.setup().itineraries, itinerary_json(t.event_id, {t.person}));

  // Wait until every event was fully handled (its flags acknowledged by Kafka), then read them.
  ASSERT_TRUE(eventually(
      [&] {
        const auto [status, metrics] = http_get(h.http_port(s), "/metrics");
        return status == 200 && metric_sum(metrics, "crosscheck_events_screened_total") >= travellers.size();
      },
      std::chrono::seconds(90)))
      << h.logs();
  std::vector<ReceivedRecord> flags = kafka_->receive_all(h.setup().flags_topic("border"), std::chrono::seconds(5));

  std::map<std::string, std::vector<std::string>> entries_by_event;  // event id -> flagged entry ids
  for (const auto& r : flags) {
    simdjson::dom::parser parser;
    simdjson::dom::element flag = parser.parse(r.value);
    const std::string event_id(flag["source"]["event_id"].get_string().value());
    entries_by_event[event_id].emplace_back(flag["watchlist"]["entry_id"].get_string().value());
    // Every flag explains itself: which name met which listed name, token by token, in which version.
    simdjson::dom::element why = flag["reason"]["explanation"];
    EXPECT_FALSE(why["summary"].get_string().value().empty()) << r.value;
    EXPECT_FALSE(why["listed_name"].get_string().value().empty()) << r.value;
    EXPECT_GT(why["tokens"].get_array().size(), 0u) << r.value;
    EXPECT_EQ(why["list_version"].get_uint64().value(), flag["watchlist"]["list_version"].get_uint64().value());
    const double score = flag["reason"]["score"].get_double().value();
    EXPECT_GT(score, 0.0);
    EXPECT_LT(score, 1.0) << "no identifier is shared, so no flag may be certain: " << r.value;
  }

  for (const auto& t : travellers) {
    const auto& got = entries_by_event[t.event_id];
    const std::string name = t.person.given_names + " " + t.person.surname;
    if (t.expected_entry.empty()) {
      EXPECT_TRUE(got.empty()) << t.how << " traveller " << name << " was flagged against " << got.front();
    } else {
      EXPECT_NE(std::find(got.begin(), got.end(), t.expected_entry), got.end())
          << t.how << " name " << name << " should have been flagged as " << t.expected_entry;
    }
  }
}

}  // namespace
}  // namespace crosscheck::testing
