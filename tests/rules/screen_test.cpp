#include "crosscheck/rules/screen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>


namespace crosscheck::rules {
namespace {

constexpr auto bit(MatchKind k) { return static_cast<std::uint8_t>(k); }

WatchlistEntry person(std::string id, std::vector<std::string> names, std::string passport = {}) {
  WatchlistEntry e;
  e.id = std::move(id);
  e.type = EntityType::kPerson;
  e.names = std::move(names);
  if (!passport.empty()) e.documents.push_back({"passport", std::move(passport), ""});
  return e;
}

std::vector<Watchlist> demo_lists() {
  Watchlist a;
  a.list_id = "list-a";
  a.version = 3;
  a.entries.push_back(person("P1", {"Viktor DRAGAN", "Viktor Dragan-Ionescu"}, "RX4417208"));
  a.entries.push_back(person("P2", {"Amina KESSLER"}, "U88120456"));
  WatchlistEntry org;
  org.id = "O1";
  org.type = EntityType::kOrganization;
  org.names = {"Black Tide Logistics"};
  a.entries.push_back(org);
  WatchlistEntry vessel;
  vessel.id = "V1";
  vessel.type = EntityType::kVessel;
  vessel.names = {"MV GREY PETREL"};
  vessel.imo = "9321483";
  a.entries.push_back(vessel);
  WatchlistEntry account;
  account.id = "A1";
  account.type = EntityType::kAccount;
  account.names = {"Orchid Bay Trading Ltd"};
  account.ibans = {"GB33 BUKB 2020 1555 5555 55"};
  account.bics = {"BUKBGB22"};
  a.entries.push_back(account);

  Watchlist b;  // a second list that also knows Viktor, under another alias
  b.list_id = "list-b";
  b.entries.push_back(person("B1", {"DRAGAN, Viktor"}));
  return {a, b};
}

class ScreenTest : public ::testing::Test {
 protected:
  MatchIndex index_{demo_lists()};
  // Storage the event's views point into.
  std::deque<std::string> strings_;  // a deque never moves its elements
  std::string_view own(std::string s) {
    strings_.push_back(std::move(s));
    return strings_.back();
  }
  schemas::Passenger passenger(std::string given, std::string surname, std::string doc = {}) {
    schemas::Passenger p;
    p.sex = own("M");
    p.given_names = own(std::move(given));
    p.surname = own(std::move(surname));
    p.date_of_birth = own("1971-04-12");
    p.nationality = own("ROU");
    p.document.type = own("P");
    p.document.number = own(std::move(doc));
    return p;
  }
};


const Hit* find_hit(const std::vector<Hit>& hits, const MatchIndex& index, std::string_view list, std::string_view entry) {
  for (const auto& h : hits) {
    if (index.list(h.match.ref).list_id == list && index.entry(h.match.ref).id == entry) return &h;
  }
  return nullptr;
}

TEST_F(ScreenTest, PassengerByNameOnlyIsScoredAndExplained) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kItinerary;
  ev.itinerary.passengers.push_back(passenger("Amina", "Keßler", "Z0000000"));
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(index_.entry(hits[0].match.ref).id, "P2");
  EXPECT_EQ(hits[0].match.matched_on, bit(MatchKind::kName));
  EXPECT_GE(hits[0].match.score, index_.threshold(hits[0].match.ref.list));
  EXPECT_LE(hits[0].match.score, 1.0);
  EXPECT_EQ(hits[0].match.explanation.listed_name, "Amina KESSLER");
  EXPECT_EQ(hits[0].match.explanation.list_version, 3u);
  EXPECT_EQ(hits[0].subject.role, "passenger");
  EXPECT_EQ(hits[0].subject.name, "Amina Keßler");
  EXPECT_EQ(hits[0].subject.document_number, "Z0000000");
  EXPECT_EQ(hits[0].subject.gender, "male");
}

TEST_F(ScreenTest, PassengerByDocumentOnlyIsCertain) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kItinerary;
  ev.itinerary.passengers.push_back(passenger("John", "Smith"));
  ev.itinerary.passengers.push_back(passenger("Someone", "Else", "rx4417208"));
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].subject.index, 1);
  EXPECT_EQ(index_.entry(hits[0].match.ref).id, "P1");
  EXPECT_TRUE(hits[0].match.matched_on & bit(MatchKind::kDocument));
  EXPECT_DOUBLE_EQ(hits[0].match.score, 1.0);
}

TEST_F(ScreenTest, PassengerByNameAndDocumentIsOneHit) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kItinerary;
  ev.itinerary.passengers.push_back(passenger(" Viktor ", "Dragan-Ionescu", "RX4417208"));
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  const Hit* p1 = find_hit(hits, index_, "list-a", "P1");
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(std::count_if(hits.begin(), hits.end(), [&](const Hit& h) { return index_.entry(h.match.ref).id == "P1"; }), 1);
  EXPECT_EQ(p1->match.matched_on, bit(MatchKind::kName) | bit(MatchKind::kDocument));
  EXPECT_DOUBLE_EQ(p1->match.score, 1.0);
  EXPECT_EQ(p1->subject.name, "Viktor Dragan-Ionescu");
  EXPECT_EQ(p1->subject.date_of_birth, "1971-04-12");
  EXPECT_EQ(p1->subject.nationality, "ROU");
}

TEST_F(ScreenTest, HitsInSubjectOrderThenBestFirst) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kItinerary;
  ev.itinerary.passengers.push_back(passenger("Amina", "Kessler"));
  ev.itinerary.passengers.push_back(passenger("Viktor", "Dragan", "RX4417208"));
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  ASSERT_GE(hits.size(), 3u);
  EXPECT_EQ(hits[0].subject.index, 0);
  EXPECT_EQ(index_.entry(hits[0].match.ref).id, "P2");
  for (std::size_t i = 1; i < hits.size(); ++i) {
    EXPECT_EQ(hits[i].subject.index, 1);
    EXPECT_LE(hits[i].match.score, hits[i - 1].subject.index == 1 ? hits[i - 1].match.score : 1.0);
  }
  EXPECT_NE(find_hit(hits, index_, "list-a", "P1"), nullptr);
  const Hit* b1 = find_hit(hits, index_, "list-b", "B1");  // "DRAGAN, Viktor": same person, other list
  ASSERT_NE(b1, nullptr);
  EXPECT_EQ(b1->match.matched_on, bit(MatchKind::kName));
}

TEST_F(ScreenTest, NoHitOnDifferentNamesOrOnAGivenNameAlone) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kItinerary;
  ev.itinerary.passengers.push_back(passenger("Viktor", "Lindqvist", "RX4417209"));
  ev.itinerary.passengers.push_back(passenger("Amina", ""));
  ev.itinerary.passengers.push_back(passenger("Jonathan", "Brightwater"));
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  for (const auto& h : hits) ADD_FAILURE() << h.subject.name << " hit " << index_.entry(h.match.ref).id;
}

TEST_F(ScreenTest, ManifestConsigneeAndConveyance) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kManifest;
  ev.manifest.consignor.name = own("Grey Petrel");  // a vessel's name: a party is never a vessel
  ev.manifest.consignee.name = own("BLACK TIDE LOGISTICS");
  ev.manifest.conveyance.imo = own("IMO 9321483");
  ev.manifest.conveyance.name = own("Renamed Vessel");
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].subject.role, "consignee");
  EXPECT_EQ(index_.entry(hits[0].match.ref).id, "O1");
  EXPECT_EQ(hits[0].match.matched_on, bit(MatchKind::kName));
  EXPECT_EQ(hits[1].subject.role, "conveyance");
  EXPECT_EQ(hits[1].subject.imo, "IMO 9321483");
  EXPECT_EQ(index_.entry(hits[1].match.ref).id, "V1");
  EXPECT_EQ(hits[1].match.matched_on, bit(MatchKind::kImo));
  EXPECT_DOUBLE_EQ(hits[1].match.score, 1.0);
}

TEST_F(ScreenTest, PaymentCreditorByIbanAndAgentByBic) {
  schemas::Event ev;
  ev.kind = schemas::EventKind::kPayment;
  ev.payment.debtor.name = own("Jane Doe");
  ev.payment.debtor.iban = own("DE89370400440532013000");
  ev.payment.debtor.agent_bic = own("DEUTDEFF");
  ev.payment.creditor.name = own("OBT Ltd");
  ev.payment.creditor.iban = own("GB33BUKB20201555555555");
  ev.payment.creditor.agent_bic = own("BUKBGB22");
  std::vector<Hit> hits;
  screen(ev, index_, hits);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].subject.role, "creditor");
  EXPECT_EQ(hits[0].subject.iban, "GB33BUKB20201555555555");
  EXPECT_EQ(index_.entry(hits[0].match.ref).id, "A1");
  EXPECT_EQ(hits[0].match.matched_on, bit(MatchKind::kIban));
  EXPECT_EQ(hits[1].subject.role, "creditor_agent");
  EXPECT_EQ(hits[1].subject.bic, "BUKBGB22");
  EXPECT_EQ(index_.entry(hits[1].match.ref).id, "A1");
  EXPECT_EQ(hits[1].match.matched_on, bit(MatchKind::kBic));
}

TEST_F(ScreenTest, SubjectsOfEachKind) {
  schemas::Event itin;
  itin.kind = schemas::EventKind::kItinerary;
  itin.itinerary.passengers.push_back(passenger("Ivan", "Petrov", "P1"));
  itin.itinerary.passengers.push_back(passenger("", "MONONYM"));
  std::vector<Subject> subjects;
  subjects_of(itin, subjects);
  ASSERT_EQ(subjects.size(), 2u);
  EXPECT_EQ(subjects[0].name, "Ivan Petrov");
  EXPECT_EQ(subjects[0].document_number, "P1");
  EXPECT_EQ(subjects[1].name, "MONONYM");
  EXPECT_EQ(subjects[1].index, 1);

  schemas::Event manifest;
  manifest.kind = schemas::EventKind::kManifest;
  manifest.manifest.consignor.name = own("A");
  manifest.manifest.consignee.name = own("B");
  subjects.clear();
  subjects_of(manifest, subjects);
  ASSERT_EQ(subjects.size(), 2u);  // no conveyance without imo or name
  EXPECT_EQ(subjects[0].role, "consignor");
  EXPECT_EQ(subjects[1].role, "consignee");

  schemas::Event payment;
  payment.kind = schemas::EventKind::kPayment;
  payment.payment.debtor.name = own("D");
  payment.payment.creditor.iban = own("GB33BUKB20201555555555");
  payment.payment.intermediary_agents[1] = own("BUKBGB22");
  subjects.clear();
  subjects_of(payment, subjects);
  ASSERT_EQ(subjects.size(), 3u);
  EXPECT_EQ(subjects[0].role, "debtor");
  EXPECT_EQ(subjects[1].role, "creditor");
  EXPECT_EQ(subjects[1].iban, "GB33BUKB20201555555555");
  EXPECT_EQ(subjects[2].role, "intermediary_agent");
  EXPECT_EQ(subjects[2].index, 1);
  EXPECT_EQ(subjects[2].bic, "BUKBGB22");
}

TEST(ScreenEmptyIndex, NoHits) {
  MatchIndex empty{std::vector<Watchlist>{}};
  schemas::Event ev;
  ev.kind = schemas::EventKind::kPayment;
  std::vector<Hit> hits;
  screen(ev, empty, hits);
  EXPECT_TRUE(hits.empty());
}

}  // namespace
}  // namespace crosscheck::rules
