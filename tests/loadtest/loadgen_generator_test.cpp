// The load generator's events: every clean or listed event passes the screener's validators with
// no violation, every malformed one is rejected for the reason its defect names, identifiers carry
// valid check digits, itineraries make sense, and the same seed gives the same stream.
#include "crosscheck/loadgen/event_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "crosscheck/loadgen/make_ids.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/schemas/event_parser.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/testing/test_env.h"
#include "crosscheck/time_format.h"

namespace crosscheck::loadgen {
namespace {

namespace ids = schemas::ids;
using schemas::EventKind;
using schemas::ReasonCode;

constexpr std::int64_t kBase = 1'796'000'000'000;  // 2026-11-30

std::string airports_path() { return testing::source_dir() + "/loadtest/loadgen/data/airports.csv"; }

std::vector<rules::Watchlist> fixture_lists() {
  std::vector<rules::Watchlist> lists;
  const std::string dir = testing::source_dir() + "/tests/fixtures/watchlists/";
  for (const std::string& path : {dir + "demo.json", dir + "ofac/sdn.csv", dir + "un/consolidated-sample.xml"}) {
    auto imported = rules::import_list(path);
    EXPECT_TRUE(imported.ok()) << path << ": " << imported.error().message();
    if (imported.ok()) lists.push_back(std::move(imported->list));
  }
  return lists;
}

GeneratorOptions options(std::uint64_t seed, double listed, double malformed) {
  auto airports = Airports::load(airports_path());
  EXPECT_TRUE(airports.ok()) << airports.error().message();
  GeneratorOptions o;
  o.seed = seed;
  o.base_time_ms = kBase;
  o.spacing_us = 100000;  // 10 events a second of event time
  o.listed_share = listed;
  o.malformed_share = malformed;
  o.airports = *airports;
  o.lists = fixture_lists();
  return o;
}

std::shared_ptr<const ids::AirportCodes> reference_airports() {
  auto codes = ids::load_airport_codes(airports_path());
  EXPECT_TRUE(codes.ok());
  return *codes;
}

// The reason code each defect must produce (kNone: any reason will do).
ReasonCode expected_reason(Defect d) {
  switch (d) {
    case Defect::kEmpty: return ReasonCode::kEmptyPayload;
    case Defect::kNotAnObject: return ReasonCode::kNotAnObject;
    case Defect::kMissingEventId: return ReasonCode::kMissingField;
    case Defect::kSchemaVersion2: return ReasonCode::kUnsupportedSchemaVersion;
    case Defect::kBadEventTime: return ReasonCode::kInvalidValue;
    case Defect::kDuplicateKey: return ReasonCode::kDuplicateKey;
    case Defect::kInvalidUtf8: return ReasonCode::kInvalidUtf8;
    case Defect::kTooDeep: return ReasonCode::kTooDeep;
    case Defect::kMrzCheckDigit: return ReasonCode::kMrzCheckDigit;
    case Defect::kArrivalBeforeDeparture: return ReasonCode::kArrivalBeforeDeparture;
    case Defect::kUnknownAirport: return ReasonCode::kUnknownAirport;
    case Defect::kImpossibleBirthDate: return ReasonCode::kInvalidValue;
    case Defect::kUnknownNationality: return ReasonCode::kUnknownCountry;
    case Defect::kContainerCheckDigit: return ReasonCode::kContainerCheckDigit;
    case Defect::kImoCheckDigit: return ReasonCode::kImoCheckDigit;
    case Defect::kMassAsNumber: return ReasonCode::kWrongType;
    case Defect::kBadLocode: return ReasonCode::kUnknownCountry;
    case Defect::kIbanCheckDigits: return ReasonCode::kIbanCheckDigits;
    case Defect::kUnknownCurrency: return ReasonCode::kUnknownCurrency;
    case Defect::kTooManyDecimals: return ReasonCode::kInvalidAmount;
    case Defect::kBadBic: return ReasonCode::kInvalidBic;
    case Defect::kBadUetr: return ReasonCode::kInvalidValue;
    case Defect::kTruncated:
    case Defect::kNone: return ReasonCode::kJsonSyntax;
  }
  return ReasonCode::kJsonSyntax;
}

TEST(LoadgenGenerator, EveryEventPassesOrFailsTheValidatorsAsIntended) {
  const EventGenerator gen(options(7, 0.2, 0.08));
  schemas::ParseOptions po;
  po.airports = reference_airports();
  schemas::EventParser parser(po);
  std::map<Defect, int> defects_seen;
  std::map<Intent, int> intents;
  std::set<Variation> variations;
  GeneratedEvent e;
  for (std::uint64_t i = 0; i < 8000; ++i) {
    gen.generate(i, e);
    ++intents[e.intent];
    std::vector<schemas::Violation> violations;
    const schemas::Event* ev = parser.parse(e.kind, e.value, violations);
    if (e.intent == Intent::kMalformed) {
      ++defects_seen[e.defect];
      ASSERT_EQ(ev, nullptr) << "defect " << to_string(e.defect) << " passed: " << e.value;
      ASSERT_FALSE(violations.empty());
      if (e.defect == Defect::kTruncated) {
        const bool syntax_or_utf8 = violations[0].code == ReasonCode::kJsonSyntax ||
                                    violations[0].code == ReasonCode::kInvalidUtf8;
        EXPECT_TRUE(syntax_or_utf8) << schemas::reason_code_name(violations[0].code);
        continue;
      }
      const ReasonCode want = expected_reason(e.defect);
      const bool found = std::any_of(violations.begin(), violations.end(), [&](const auto& v) { return v.code == want; });
      EXPECT_TRUE(found) << to_string(e.defect) << " gave " << schemas::reason_code_name(violations[0].code) << ": "
                         << violations[0].message << "\n" << e.value;
      continue;
    }
    ASSERT_NE(ev, nullptr) << "event " << i << " (" << to_string(e.intent) << ") rejected: "
                           << schemas::reason_code_name(violations.at(0).code) << " at " << violations[0].path << ": "
                           << violations[0].message << "\n" << e.value;
    EXPECT_TRUE(violations.empty());
    for (const auto& w : ev->warnings) EXPECT_EQ(w.code, ReasonCode::kDocumentExpired);
    if (e.intent == Intent::kListed) {
      EXPECT_FALSE(e.listed_entry.empty());
      variations.insert(e.variation);
    }
    EXPECT_FALSE(e.key.empty());
  }
  // Every defect the generator knows was exercised (8000 events, 8 % malformed: ~640).
  for (int d = 1; d <= static_cast<int>(Defect::kBadUetr); ++d) {
    EXPECT_GT(defects_seen[static_cast<Defect>(d)], 0) << "never generated: " << to_string(static_cast<Defect>(d));
  }
  for (auto v : {Variation::kNone, Variation::kTypo, Variation::kTransliteration, Variation::kSwapped,
                 Variation::kMiddleDropped}) {
    EXPECT_TRUE(variations.count(v)) << "no listed name varied by " << to_string(v);
  }
}

TEST(LoadgenGenerator, IdentifiersCarryValidCheckDigits) {
  const EventGenerator gen(options(11, 0.05, 0));
  schemas::EventParser parser;
  int mrz_td3 = 0, mrz_td1 = 0, containers = 0, imos = 0, ibans = 0;
  GeneratedEvent e;
  for (std::uint64_t i = 0; i < 4000; ++i) {
    gen.generate(i, e);
    std::vector<schemas::Violation> violations;
    const schemas::Event* ev = parser.parse(e.kind, e.value, violations);
    ASSERT_NE(ev, nullptr) << e.value;
    // Re-checked here with the identifier functions directly, independent of the parser's paths.
    for (const auto& p : ev->itinerary.passengers) {
      if (p.document.mrz_lines == 0) continue;
      std::vector<std::string_view> lines(p.document.mrz.begin(), p.document.mrz.begin() + p.document.mrz_lines);
      ids::MrzError err{};
      const auto mrz = ids::parse_mrz(lines, &err);
      ASSERT_TRUE(mrz.has_value()) << static_cast<int>(err);
      EXPECT_TRUE(mrz->all_ok()) << lines[0] << " / " << lines[1];
      EXPECT_EQ(mrz->document_number, p.document.number);
      (mrz->format == ids::MrzFormat::kTD3 ? mrz_td3 : mrz_td1)++;
    }
    for (const auto& g : ev->manifest.goods) {
      if (g.container.empty()) continue;
      EXPECT_TRUE(ids::container_ok(g.container)) << g.container;
      ++containers;
    }
    if (!ev->manifest.conveyance.imo.empty()) {
      EXPECT_TRUE(ids::imo_ok(ev->manifest.conveyance.imo)) << ev->manifest.conveyance.imo;
      ++imos;
    }
    for (const auto* party : {&ev->payment.debtor, &ev->payment.creditor}) {
      if (party->iban.empty()) continue;
      EXPECT_EQ(ids::validate_iban(party->iban), ids::IbanStatus::kOk) << party->iban;
      EXPECT_TRUE(ids::bic_ok(party->agent_bic)) << party->agent_bic;
      ++ibans;
    }
    if (e.kind == EventKind::kPayment) {
      EXPECT_TRUE(ids::uuid_v4_lowercase_ok(ev->payment.uetr));
    }
  }
  EXPECT_GT(mrz_td3, 100);
  EXPECT_GT(mrz_td1, 5);
  EXPECT_GT(containers, 500);
  EXPECT_GT(imos, 300);
  EXPECT_GT(ibans, 500);
}

TEST(LoadgenGenerator, MrzMatchesTheIcaoSpecimen) {
  // ICAO 9303 part 4, appendix: Anna Maria Eriksson, Utopia.
  MrzHolder h{"P", "UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "1974-08-12", "F", "2012-04-15"};
  const auto td3 = make_td3(h);
  ASSERT_EQ(td3.size(), 2u);
  EXPECT_EQ(td3[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
  // The specimen's personal number differs; the fields and their check digits are the specimen's.
  EXPECT_EQ(td3[1].substr(0, 28), "L898902C36UTO7408122F1204159");
  std::vector<std::string_view> td3_lines(td3.begin(), td3.end());
  auto td3_parsed = ids::parse_mrz(td3_lines);
  ASSERT_TRUE(td3_parsed);
  EXPECT_TRUE(td3_parsed->all_ok());
  // ICAO 9303 part 5 specimen (TD1), same holder data, document D23145890.
  MrzHolder id{"I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO", "1974-08-12", "F", "2012-04-15"};
  const auto td1 = make_td1(id);
  ASSERT_EQ(td1.size(), 3u);
  EXPECT_EQ(td1[0], "I<UTOD231458907<<<<<<<<<<<<<<<");
  EXPECT_EQ(td1[1].substr(0, 15), "7408122F1204159");
  std::vector<std::string_view> lines(td1.begin(), td1.end());
  auto parsed = ids::parse_mrz(lines);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->all_ok());
}

TEST(LoadgenGenerator, ItinerariesMakeSense) {
  auto o = options(3, 0.02, 0);
  o.mix = Mix{1, 0, 0};
  const EventGenerator gen(std::move(o));
  schemas::EventParser parser;
  std::map<std::size_t, int> passenger_counts;
  GeneratedEvent e;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    gen.generate(i, e);
    ASSERT_EQ(e.kind, EventKind::kItinerary);
    std::vector<schemas::Violation> violations;
    const schemas::Event* ev = parser.parse(e.kind, e.value, violations);
    ASSERT_NE(ev, nullptr);
    const auto& f = ev->itinerary.flight;
    const auto dep = timefmt::parse_timestamp_ms(f.scheduled_departure);
    const auto arr = timefmt::parse_timestamp_ms(f.scheduled_arrival);
    ASSERT_TRUE(dep && arr);
    EXPECT_NE(f.departure_airport, f.arrival_airport);
    EXPECT_GE(*arr - *dep, 45 * 60'000) << e.value;
    EXPECT_LE(*arr - *dep, 22 * 3'600'000) << e.value;  // the longest scheduled flights
    EXPECT_GE(*dep - e.event_time_ms, 2 * 3'600'000);
    EXPECT_EQ(ev->event_time_ms, e.event_time_ms);
    const auto& pax = ev->itinerary.passengers;
    ASSERT_GE(pax.size(), 1u);
    ASSERT_LE(pax.size(), 6u);
    ++passenger_counts[pax.size()];
    if (ev->itinerary.pnr.present && !ev->itinerary.pnr.booking_date.empty()) {
      EXPECT_LE(*timefmt::parse_date_days(ev->itinerary.pnr.booking_date), *dep / 86'400'000);
    }
    for (const auto& p : pax) {
      EXPECT_LT(*timefmt::parse_date_days(p.date_of_birth), e.event_time_ms / 86'400'000);
    }
  }
  for (std::size_t n = 1; n <= 6; ++n) EXPECT_GT(passenger_counts[n], 0) << n << " passengers never drawn";
  EXPECT_GT(passenger_counts[1], passenger_counts[6]);
}

TEST(LoadgenGenerator, SameSeedSameStreamInAnyOrder) {
  const EventGenerator a(options(42, 0.05, 0.02));
  const EventGenerator b(options(42, 0.05, 0.02));
  const EventGenerator other(options(43, 0.05, 0.02));
  std::vector<std::string> forward;
  for (std::uint64_t i = 0; i < 600; ++i) forward.push_back(a.generate(i).value);
  int differing = 0;
  for (std::uint64_t i = 600; i-- > 0;) {
    const GeneratedEvent e = b.generate(i);
    ASSERT_EQ(e.value, forward[i]) << "event " << i;
    ASSERT_EQ(e.key, a.generate(i).key);
    if (other.generate(i).value != forward[i]) ++differing;
  }
  EXPECT_EQ(differing, 600);
}

TEST(LoadgenGenerator, MixAndSharesAreRespected) {
  auto o = options(5, 0.1, 0.05);
  o.mix = Mix{50, 25, 25};
  const EventGenerator gen(std::move(o));
  constexpr int kN = 20000;
  std::map<EventKind, int> kinds;
  std::map<Intent, int> intents;
  for (std::uint64_t i = 0; i < kN; ++i) {
    const GeneratedEvent e = gen.generate(i);
    ++kinds[e.kind];
    ++intents[e.intent];
  }
  // Within 5 standard deviations of the binomial expectation.
  auto near = [](int got, double p) {
    const double mean = kN * p;
    return std::abs(got - mean) <= 5 * std::sqrt(kN * p * (1 - p));
  };
  EXPECT_TRUE(near(kinds[EventKind::kItinerary], 0.5)) << kinds[EventKind::kItinerary];
  EXPECT_TRUE(near(kinds[EventKind::kManifest], 0.25)) << kinds[EventKind::kManifest];
  EXPECT_TRUE(near(intents[Intent::kMalformed], 0.05)) << intents[Intent::kMalformed];
  EXPECT_TRUE(near(intents[Intent::kListed], 0.1)) << intents[Intent::kListed];
}

TEST(LoadgenGenerator, ParseMix) {
  auto m = parse_mix("itinerary=60,payment=40");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->itinerary, 60);
  EXPECT_EQ(m->manifest, 0);
  EXPECT_EQ(m->payment, 40);
  EXPECT_FALSE(parse_mix("itinerary=-1").ok());
  EXPECT_FALSE(parse_mix("cargo=10").ok());
  EXPECT_FALSE(parse_mix("itinerary").ok());
  EXPECT_FALSE(parse_mix("itinerary=0,manifest=0").ok());
  EXPECT_FALSE(parse_mix("itinerary=1x").ok());
}

TEST(LoadgenGenerator, RefusesUnusableOptions) {
  GeneratorOptions o;
  EXPECT_THROW(EventGenerator{o}, std::invalid_argument);  // no airports
  auto ok = options(1, 0.5, 0.6);
  EXPECT_THROW(EventGenerator{ok}, std::invalid_argument);  // shares above 1
}

TEST(LoadgenIds, IbansOfEveryCountryValidate) {
  Rng rng(9);
  int made = 0;
  for (const auto& c : countries()) {
    const std::string iban = make_iban(c.alpha2, rng);
    if (ids::iban_length_for(c.alpha2) == 0) {
      EXPECT_TRUE(iban.empty()) << c.alpha2;
      continue;
    }
    EXPECT_EQ(ids::validate_iban(iban), ids::IbanStatus::kOk) << iban;
    EXPECT_NE(ids::validate_iban(break_digit(iban, 2)), ids::IbanStatus::kOk) << iban;
    ++made;
  }
  EXPECT_GT(made, 25);
  for (int i = 0; i < 200; ++i) {
    const std::string imo = make_imo(rng);
    EXPECT_TRUE(ids::imo_ok(imo)) << imo;
    EXPECT_FALSE(ids::imo_ok(break_digit(imo, 6))) << imo;
    const std::string box = make_container("MSCU", rng);
    EXPECT_TRUE(ids::container_ok(box)) << box;
    EXPECT_FALSE(ids::container_ok(break_digit(box, 10))) << box;
    EXPECT_TRUE(ids::uuid_v4_lowercase_ok(make_uuid_v4(rng)));
  }
}

TEST(LoadgenNames, ListedNamesInPassportForm) {
  auto n = passport_name("AL-ZAWAHIRI, Ayman");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->surname, "AL-ZAWAHIRI");
  EXPECT_EQ(n->given_names, "AYMAN");
  n = passport_name("Søren Ødegård");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->surname, "ODEGARD");
  EXPECT_EQ(n->given_names, "SOREN");
  n = passport_name("Tomasz ŁUKASIEWICZ-BRANDT");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->surname, "LUKASIEWICZ-BRANDT");
  EXPECT_FALSE(passport_name("Усама бен Ладен"));  // another script: not usable in a passport field
  EXPECT_FALSE(passport_name("  ,  "));
}

}  // namespace
}  // namespace crosscheck::loadgen
