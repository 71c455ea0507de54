#include "crosscheck/loadgen/event_generator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <unordered_set>

#include "crosscheck/json_writer.h"
#include "crosscheck/loadgen/make_ids.h"
#include "crosscheck/loadgen/reference_data.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/sha256.h"
#include "crosscheck/time_format.h"

namespace crosscheck::loadgen {

namespace ids = schemas::ids;
using schemas::EventKind;

// ---- small helpers -----------------------------------------------------------------------------

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

using timefmt::civil_from_days;
using Civil = timefmt::CivilDate;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string date_of_days(std::int64_t days) {
  const Civil c = civil_from_days(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.y), c.m, c.d);
  return buf;
}

std::string date_of_ms(std::int64_t ms) { return date_of_days(floor_div(ms, kDay)); }

std::string timestamp(std::int64_t ms) {
  const std::int64_t days = floor_div(ms, kDay);
  const std::int64_t rem = ms - days * kDay;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lldZ", date_of_days(days).c_str(),
                static_cast<long long>(rem / kHour), static_cast<long long>(rem % kHour / kMinute),
                static_cast<long long>(rem % kMinute / 1000));
  return buf;
}

// With milliseconds when there are some: "2026-11-30T00:53:35.125Z".
std::string timestamp_ms(std::int64_t ms) {
  std::string t = timestamp(ms);
  const std::int64_t frac = ms - floor_div(ms, 1000) * 1000;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(frac));
    t.insert(t.size() - 1, buf);
  }
  return t;
}

std::int64_t round_up(std::int64_t v, std::int64_t step) { return floor_div(v + step - 1, step) * step; }

// Exact decimal text: integer part with `int_digits` digits (drawn by the caller) and `frac` digits.
std::string decimal(Rng& rng, int int_digits, int frac) {
  std::string s;
  s += static_cast<char>('1' + rng.below(9));
  s += rng.digits(static_cast<std::size_t>(int_digits - 1));
  if (frac > 0) s += "." + rng.digits(static_cast<std::size_t>(frac));
  return s;
}

// A heavy-tailed magnitude, integer arithmetic only (so it is the same everywhere).
int magnitude(Rng& rng, std::span<const double> weights) { return static_cast<int>(rng.weighted(weights)) + 1; }

std::string pick_sv(Rng& rng, std::span<const std::string_view> items) {
  return std::string(items[static_cast<std::size_t>(rng.below(items.size()))]);
}

const Country& random_country(Rng& rng, bool business) {
  const auto all = countries();
  std::vector<double> w;
  w.reserve(all.size());
  for (const auto& c : all) w.push_back(business ? c.business : c.travellers);
  return all[rng.weighted(w)];
}

std::string postcode(const Country& c, Rng& rng) {
  std::string out;
  for (char p : c.postcode) {
    if (p == '9') out += rng.digit();
    else if (p == 'A') out += rng.letter();
    else out += p;
  }
  return out;
}

bool is_eu(std::string_view a2) {
  static constexpr std::string_view kEu[] = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
                                             "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
                                             "NL", "PL", "PT", "RO", "SE", "SI", "SK"};
  return std::find(std::begin(kEu), std::end(kEu), a2) != std::end(kEu);
}

const Country& country_or_random(std::string_view a2, Rng& rng, bool business) {
  if (const Country* c = country_by_alpha2(a2)) return *c;
  return random_country(rng, business);
}

// A date of birth from a listed one: "YYYY-MM-DD", "YYYY-MM", "YYYY", "~..." or "YYYY/YYYY".
std::optional<std::int64_t> listed_birth_days(std::string_view dob, Rng& rng) {
  if (!dob.empty() && dob[0] == '~') dob.remove_prefix(1);
  auto year_of = [](std::string_view s) -> std::optional<int> {
    int y = 0;
    if (s.size() != 4) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + 4, y);
    if (ec != std::errc() || p != s.data() + 4 || y < 1900 || y > 2020) return std::nullopt;
    return y;
  };
  if (dob.size() == 10) {
    if (auto d = timefmt::parse_date_days(dob)) return *d;
    return std::nullopt;
  }
  if (dob.size() == 7 && dob[4] == '-') {
    if (auto d = timefmt::parse_date_days(std::string(dob) + "-01")) return *d + rng.between(0, 27);
    return std::nullopt;
  }
  if (dob.size() == 9 && dob[4] == '/') {
    const auto a = year_of(dob.substr(0, 4));
    const auto b = year_of(dob.substr(5, 4));
    if (!a || !b || *b < *a) return std::nullopt;
    const auto y = rng.between(*a, *b);
    return timefmt::days_from_civil(y, 1, 1) + rng.between(0, 364);
  }
  if (const auto y = year_of(dob)) return timefmt::days_from_civil(*y, 1, 1) + rng.between(0, 364);
  return std::nullopt;
}

std::string normalized_document(std::string_view number) {
  std::string out;
  for (char c : number) {
    if (c >= 'a' && c <= 'z') out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

// An IATA code the airport list does not hold.
std::string unknown_airport(const Airports& airports) {
  for (std::string_view c : {"QQQ", "QZQ", "ZQX", "XQZ", "QXQ", "ZZQ"}) {
    if (!airports.contains(c)) return std::string(c);
  }
  return "QQQ";
}

// Money: a magnitude of about the EUR value in the currency's own units.
double units_per_eur(std::string_view currency) {
  struct Fx {
    std::string_view code;
    double units;
  };
  static constexpr Fx kFx[] = {{"JPY", 160}, {"KRW", 1450}, {"HUF", 390}, {"INR", 90},    {"CNY", 7.8},
                               {"SEK", 11},  {"NOK", 11.5}, {"DKK", 7.5}, {"PLN", 4.3},   {"CZK", 25},
                               {"TRY", 35},  {"RUB", 100},  {"UAH", 45},  {"BRL", 6},     {"MXN", 20},
                               {"COP", 4500}, {"NGN", 1700}, {"KES", 140}, {"ZAR", 20},    {"EGP", 52},
                               {"MAD", 11},  {"AED", 4},    {"SAR", 4},   {"IRR", 45000}, {"PKR", 300},
                               {"VND", 27000}, {"GHS", 16}, {"SGD", 1.45}, {"HKD", 8.4},  {"AUD", 1.65},
                               {"CAD", 1.5}, {"CHF", 0.95}, {"GBP", 0.85}, {"USD", 1.08}, {"RON", 5}};
  for (const auto& f : kFx) {
    if (f.code == currency) return f.units;
  }
  return 1.0;
}

constexpr double kAmountDigits[] = {4, 10, 22, 28, 22, 10, 3, 1};  // integer digits 1..8 (EUR-ish)

std::string amount_text(Rng& rng, std::string_view currency, int minor) {
  const double scale = units_per_eur(currency);
  int digits = magnitude(rng, kAmountDigits) + static_cast<int>(std::lround(std::log10(scale)));
  digits = std::clamp(digits, 1, 15);
  return decimal(rng, digits, minor);
}

constexpr std::string_view kBicLocations[] = {"FF", "PP", "MM", "2X", "22", "2L", "HH", "KK", "SS", "ZZ", "2A", "BB"};

std::string make_bic(std::string_view country, Rng& rng) {
  const auto codes = banks(country);
  std::string bic = codes.empty() ? rng.letters(4) : pick_sv(rng, codes);
  bic += country;
  bic += pick_sv(rng, kBicLocations);
  if (rng.chance(0.25)) bic += rng.chance(0.7) ? "XXX" : rng.alnums(3);
  return bic;
}

constexpr std::string_view kEuDocCountries[] = {"DE", "FR", "NL", "BE", "ES", "IT", "PT", "AT", "PL", "CZ",
                                                 "HU", "RO", "SE", "DK", "FI", "GR", "IE", "CH", "NO"};

}  // namespace

// ---- public small functions -------------------------------------------------------------------

Result<Mix> parse_mix(std::string_view text) {
  Mix m{0, 0, 0};
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Error::fatal("mix", "expected kind=weight, got '" + std::string(item) + "'");
    const std::string_view name = item.substr(0, eq);
    const std::string value(item.substr(eq + 1));
    char* end = nullptr;
    const double w = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !(w >= 0) || !std::isfinite(w)) {
      return Error::fatal("mix", "weight of " + std::string(name) + " must be a number >= 0, got '" + value + "'");
    }
    if (name == "itinerary") m.itinerary = w;
    else if (name == "manifest") m.manifest = w;
    else if (name == "payment") m.payment = w;
    else return Error::fatal("mix", "unknown kind '" + std::string(name) + "' (allowed: itinerary, manifest, payment)");
    pos = comma + 1;
  }
  if (m.itinerary + m.manifest + m.payment <= 0) return Error::fatal("mix", "all weights are 0");
  return m;
}

std::string_view to_string(Intent intent) {
  switch (intent) {
    case Intent::kClean: return "clean";
    case Intent::kListed: return "listed";
    case Intent::kMalformed: return "malformed";
  }
  return "clean";
}

std::string_view to_string(Defect d) {
  switch (d) {
    case Defect::kNone: return "none";
    case Defect::kTruncated: return "truncated";
    case Defect::kEmpty: return "empty";
    case Defect::kNotAnObject: return "not_an_object";
    case Defect::kMissingEventId: return "missing_event_id";
    case Defect::kSchemaVersion2: return "schema_version_2";
    case Defect::kBadEventTime: return "bad_event_time";
    case Defect::kDuplicateKey: return "duplicate_key";
    case Defect::kInvalidUtf8: return "invalid_utf8";
    case Defect::kTooDeep: return "too_deep";
    case Defect::kMrzCheckDigit: return "mrz_check_digit";
    case Defect::kArrivalBeforeDeparture: return "arrival_before_departure";
    case Defect::kUnknownAirport: return "unknown_airport";
    case Defect::kImpossibleBirthDate: return "impossible_birth_date";
    case Defect::kUnknownNationality: return "unknown_nationality";
    case Defect::kContainerCheckDigit: return "container_check_digit";
    case Defect::kImoCheckDigit: return "imo_check_digit";
    case Defect::kMassAsNumber: return "mass_as_number";
    case Defect::kBadLocode: return "bad_locode";
    case Defect::kIbanCheckDigits: return "iban_check_digits";
    case Defect::kUnknownCurrency: return "unknown_currency";
    case Defect::kTooManyDecimals: return "too_many_decimals";
    case Defect::kBadBic: return "bad_bic";
    case Defect::kBadUetr: return "bad_uetr";
  }
  return "none";
}

// ---- the generator ----------------------------------------------------------------------------

struct EventGenerator::Impl {
  GeneratorOptions o;
  std::array<double, 3> mix{};

  struct ListedPerson {
    std::string ref;
    std::vector<PersonName> names;
    std::string dob;
    std::string nationality;  // alpha-3 or empty
    std::string sex;          // F, M or empty
    std::string passport;     // [A-Z0-9]{1,9} or empty
  };
  struct ListedParty {  // organisations (and persons for payments and manifests)
    std::string ref;
    std::vector<std::string> names;
    std::string iban;  // a valid IBAN of the entry, or empty
  };
  struct ListedVessel {
    std::string ref;
    std::vector<std::string> names;
    std::string imo;  // valid, or empty
  };
  std::vector<ListedPerson> persons;
  std::vector<ListedParty> parties;  // organisations
  std::vector<ListedVessel> vessels;
  // Every IMO number on the lists: an unlisted vessel must not get one by chance (IMO numbers
  // have only 100,000 values of the form 9xxxxxC, and the lists hold hundreds).
  std::unordered_set<std::string> listed_imos;

  explicit Impl(GeneratorOptions opts) : o(std::move(opts)) {
    if (!o.airports || o.airports->all().size() < 2) throw std::invalid_argument("the generator needs at least two airports");
    if (!(o.listed_share >= 0) || !(o.malformed_share >= 0) || o.listed_share + o.malformed_share > 1) {
      throw std::invalid_argument("listed_share and malformed_share must be >= 0 and add up to at most 1");
    }
    mix = {o.mix.itinerary, o.mix.manifest, o.mix.payment};
    if (!(mix[0] >= 0 && mix[1] >= 0 && mix[2] >= 0) || mix[0] + mix[1] + mix[2] <= 0) {
      throw std::invalid_argument("the mix needs a positive weight");
    }
    std::sort(o.lists.begin(), o.lists.end(), [](const auto& a, const auto& b) { return a.list_id < b.list_id; });
    for (const auto& list : o.lists) {
      std::vector<const rules::WatchlistEntry*> entries;
      for (const auto& e : list.entries) entries.push_back(&e);
      std::sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
      for (const auto* e : entries) add_entry(list.list_id, *e);
    }
  }

  void add_entry(const std::string& list_id, const rules::WatchlistEntry& e) {
    const std::string ref = list_id + "/" + e.id;
    if (!e.imo.empty()) listed_imos.insert(e.imo);
    if (e.type == rules::EntityType::kPerson) {
      ListedPerson p;
      p.ref = ref;
      for (const auto& n : e.names) {
        if (auto pn = passport_name(n)) p.names.push_back(std::move(*pn));
      }
      if (p.names.empty()) return;
      if (!e.dates_of_birth.empty()) p.dob = e.dates_of_birth.front();
      for (const auto& nat : e.nationalities) {
        if (ids::is_country_alpha3(nat)) {
          p.nationality = nat;
          break;
        }
      }
      p.sex = e.gender == "male" ? "M" : e.gender == "female" ? "F" : "";
      for (const auto& d : e.documents) {
        const std::string n = normalized_document(d.number);
        if (d.type == "passport" && !n.empty() && n.size() <= 9) {
          p.passport = n;
          break;
        }
      }
      persons.push_back(std::move(p));
    } else if (e.type == rules::EntityType::kOrganization) {
      ListedParty p;
      p.ref = ref;
      for (const auto& n : e.names) {
        if (auto a = ascii_name(n)) p.names.push_back(std::move(*a));
      }
      if (p.names.empty()) return;
      for (const auto& iban : e.ibans) {
        if (ids::validate_iban(iban) == ids::IbanStatus::kOk) {
          p.iban = iban;
          break;
        }
      }
      parties.push_back(std::move(p));
    } else if (e.type == rules::EntityType::kVessel) {
      ListedVessel v;
      v.ref = ref;
      for (const auto& n : e.names) {
        if (auto a = ascii_name(n)) v.names.push_back(std::move(*a));
      }
      if (v.names.empty()) return;
      if (ids::imo_ok(e.imo)) v.imo = e.imo;
      vessels.push_back(std::move(v));
    }
  }

  // ---- per-event state ----
  struct Ctx {
    Rng& rng;
    GeneratedEvent& out;
    std::int64_t event_ms;
    bool listed;
    Defect defect;
  };

  void envelope(json::Writer& w, Ctx& c, std::string_view prefix) const {
    w.field("schema_version", c.defect == Defect::kSchemaVersion2 ? "2.0" : "1.0");
    char id[96];
    std::snprintf(id, sizeof id, "%.*s-%llx-%09llu", static_cast<int>(prefix.size()), prefix.data(),
                  static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(c.out.index));
    if (c.defect != Defect::kMissingEventId) w.field("event_id", id);
    if (c.defect == Defect::kDuplicateKey) w.field("event_id", id);
    w.field("event_time", c.defect == Defect::kBadEventTime ? std::string("2026-13-45T25:61:00Z") : timestamp_ms(c.event_ms));
    if (c.defect == Defect::kTooDeep) {
      // An unknown field nested deeper than screening.max_depth (32 by default).
      std::string deep;
      for (int i = 0; i < 40; ++i) deep += '[';
      for (int i = 0; i < 40; ++i) deep += ']';
      w.key("x_trace").raw(deep);
    }
  }

  // A passenger's fields, written into the open passenger object.
  struct Pax {
    PersonName name;
    std::string sex;
    std::string dob;
    std::string nationality;
    std::string doc_type;
    std::string doc_number;
    std::string issuing;
    std::string expiry;
    std::vector<std::string> mrz;
    std::string embark, debark, seat;
    int bags = -1;
  };

  void write_pax(json::Writer& w, const Pax& p) const {
    w.begin_object();
    w.field("surname", p.name.surname);
    w.optional_field("given_names", p.name.given_names);
    w.field("date_of_birth", p.dob);
    w.field("sex", p.sex);
    w.field("nationality", p.nationality);
    w.key("document").begin_object();
    w.field("type", p.doc_type);
    w.field("number", p.doc_number);
    w.field("issuing_state", p.issuing);
    w.field("expiry", p.expiry);
    if (!p.mrz.empty()) {
      w.key("mrz").begin_array();
      for (const auto& l : p.mrz) w.string(l);
      w.end_array();
    }
    w.end_object();
    w.optional_field("embarkation", p.embark);
    w.optional_field("debarkation", p.debark);
    w.optional_field("seat", p.seat);
    if (p.bags >= 0) w.field("bags", p.bags);
    w.end_object();
  }

  void itinerary(Ctx& c) const {
    Rng& rng = c.rng;
    const Airports& airports = *o.airports;
    const Airport& dep = airports.pick(rng);
    const Airport* arr = &airports.pick(rng);
    // Another airport, mostly abroad, within the range of scheduled non-stop flights (~14,000 km).
    for (int i = 0; i < 16 && (arr->iata == dep.iata || distance_km(dep, *arr) > 14000 ||
                               (arr->country == dep.country && !rng.chance(0.15)));
         ++i) {
      arr = &airports.pick(rng);
    }
    if (arr->iata == dep.iata) arr = &airports.all()[(&dep - airports.all().data() + 1) % airports.all().size()];
    const double km = distance_km(dep, *arr);
    const std::int64_t block = round_up(static_cast<std::int64_t>(km / 800.0 * 60.0 + 35.0), 5) * kMinute;
    const std::int64_t departure = round_up(c.event_ms + rng.between(2 * kHour, 96 * kHour), 5 * kMinute);
    std::int64_t arrival = departure + std::max<std::int64_t>(block, 45 * kMinute);
    if (c.defect == Defect::kArrivalBeforeDeparture) arrival = departure - rng.between(1, 5) * kHour;
    const std::int64_t dep_day = floor_div(departure, kDay);
    const std::int64_t birth_limit = floor_div(c.event_ms, kDay) - 7;

    // The airline: one of the departure or arrival country's own, else any.
    std::vector<const Carrier*> home;
    const double carrier_pick = rng.unit();
    for (const auto& cr : carriers()) {
      if ((carrier_pick < 0.6 && cr.country == dep.country) || (carrier_pick >= 0.6 && carrier_pick < 0.85 && cr.country == arr->country)) {
        home.push_back(&cr);
      }
    }
    if (home.empty()) {
      // Any airline, but not one of a country under an aviation ban flying elsewhere.
      for (const auto& cr : carriers()) {
        if (cr.country != "IR") home.push_back(&cr);
      }
    }
    const Carrier& carrier = *home[rng.below(home.size())];
    std::string number = std::to_string(rng.between(1, rng.chance(0.3) ? 999 : 9999));
    if (rng.chance(0.03)) number += rng.letter();

    const std::string arrival_code = c.defect == Defect::kUnknownAirport ? unknown_airport(airports) : arr->iata;

    // Passengers first: the key and the PNR do not depend on them, but listing them needs the route.
    static constexpr double kPaxCount[] = {45, 25, 12, 10, 5, 3};
    const int count = static_cast<int>(rng.weighted(kPaxCount)) + 1;
    const bool family = count > 1 && rng.chance(0.5);
    const Country* family_country = nullptr;
    PersonName family_name;
    std::vector<Pax> pax(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k) {
      Pax& p = pax[static_cast<std::size_t>(k)];
      const Country* country = family ? family_country : nullptr;
      if (country == nullptr) {
        const double u = rng.unit();
        if (u < 0.55) country = &country_or_random(dep.country, rng, false);
        else if (u < 0.80) country = &country_or_random(arr->country, rng, false);
        else country = &random_country(rng, false);
        if (family) family_country = country;
      }
      const Culture& culture = rng.chance(0.85) ? culture_named(country->culture) : cultures()[rng.below(cultures().size())];
      const double s = rng.unit();
      p.sex = s < 0.49 ? "F" : s < 0.98 ? "M" : "X";
      const bool female = p.sex == "F" || (p.sex == "X" && rng.chance(0.5));
      p.name = person_name(culture, female, rng);
      if (family) {
        if (k == 0) family_name = p.name;
        else p.name.surname = family_name.surname;
      }
      const std::int64_t age = rng.chance(0.12) ? rng.between(0, 17) : rng.between(18, 85);
      // At least a week before the event: a birth date in the future is rejected.
      p.dob = date_of_days(birth_limit - age * 365 - age / 4 - rng.between(0, 357));
      p.nationality = std::string(country->alpha3);
      const bool id_card = std::find(std::begin(kEuDocCountries), std::end(kEuDocCountries), country->alpha2) !=
                               std::end(kEuDocCountries) && rng.chance(0.15);
      p.doc_type = id_card ? "I" : "P";
      p.doc_number = std::string(1, rng.letter()) + rng.alnums(8);
      p.issuing = p.nationality;
      // A few documents expire before the flight: a warning the officer sees, not a reject.
      p.expiry = rng.chance(0.003) ? date_of_days(dep_day - rng.between(1, 400)) : date_of_days(dep_day + rng.between(20, 3650));
      if (rng.chance(0.6)) {
        p.embark = dep.iata;
        p.debark = arrival_code;
      }
      if (rng.chance(0.7)) p.seat = std::to_string(rng.between(1, 60)) + "ABCDEFGHJK"[rng.below(10)];
      if (rng.chance(0.65)) p.bags = static_cast<int>(rng.between(0, 3));
      if (rng.chance(0.5)) p.mrz = {"x"};  // decided now, written below once the fields are final
    }
    if (c.listed && !persons.empty()) {
      Pax& p = pax[static_cast<std::size_t>(rng.below(pax.size()))];
      const ListedPerson& lp = persons[rng.below(persons.size())];
      p.name = lp.names[rng.below(lp.names.size())];
      c.out.variation = vary(p.name, rng);
      c.out.listed_entry = lp.ref;
      if (const auto d = listed_birth_days(lp.dob, rng); d && *d <= birth_limit && rng.chance(0.9)) p.dob = date_of_days(*d);
      if (!lp.nationality.empty() && rng.chance(0.85)) p.nationality = p.issuing = lp.nationality;
      if (!lp.sex.empty()) p.sex = lp.sex;
      if (!lp.passport.empty() && rng.chance(0.4)) p.doc_number = lp.passport;
      p.doc_type = "P";
    }
    // Defects on the first passenger.
    if (c.defect == Defect::kMrzCheckDigit) pax[0].mrz = {"x"};
    if (c.defect == Defect::kImpossibleBirthDate) pax[0].dob = pax[0].dob.substr(0, 4) + "-02-30";
    if (c.defect == Defect::kUnknownNationality) {
      pax[0].nationality = "XXA";
      pax[0].mrz.clear();
    }
    for (std::size_t k = 0; k < pax.size(); ++k) {
      Pax& p = pax[k];
      if (p.mrz.empty()) continue;
      p.mrz.clear();
      if (p.doc_number.size() > 9) continue;  // TD1/TD3 numbers of more than 9 characters need an overflow field
      MrzHolder h{p.doc_type, p.issuing, p.name.surname, p.name.given_names, p.doc_number, p.nationality, p.dob,
                  p.sex, p.expiry};
      p.mrz = p.doc_type == "I" ? make_td1(h) : make_td3(h);
      if (k == 0 && c.defect == Defect::kMrzCheckDigit) {
        // The document number's check digit: TD3 line 2 position 10, TD1 line 1 position 15.
        if (p.doc_type == "I") p.mrz[0] = break_digit(p.mrz[0], 14);
        else p.mrz[1] = break_digit(p.mrz[1], 9);
      }
    }

    json::Writer w(c.out.value);
    w.begin_object();
    envelope(w, c, "itn");
    w.key("flight").begin_object();
    w.field("carrier", carrier.code);
    w.field("number", number);
    w.field("departure_airport", dep.iata);
    w.field("arrival_airport", arrival_code);
    w.field("scheduled_departure", timestamp(departure));
    w.field("scheduled_arrival", timestamp(arrival));
    w.end_object();
    std::string locator;
    if (rng.chance(0.8)) {
      locator = rng.alnums(6);
      w.key("pnr").begin_object();
      w.field("locator", locator);
      const std::int64_t before = rng.chance(0.04) ? 0 : rng.between(1, 120);
      w.field("booking_date", date_of_days(dep_day - before));
      static constexpr std::string_view kFop[] = {"card", "invoice", "cash", "voucher", "miles", "other"};
      static constexpr double kFopW[] = {70, 8, 4, 5, 8, 5};
      w.field("form_of_payment", kFop[rng.weighted(kFopW)]);
      if (rng.chance(0.2)) {
        w.key("travel_agent").begin_object();
        w.field("name", pick_sv(rng, travel_agencies()));
        w.field("iata_number", with_mod7(std::to_string(rng.between(1, 9)) + rng.digits(6)));
        w.end_object();
      }
      w.end_object();
    }
    w.key("passengers").begin_array();
    for (const auto& p : pax) write_pax(w, p);
    w.end_array();
    w.end_object();
    c.out.key = !locator.empty() ? locator : std::string(carrier.code) + number + date_of_days(dep_day);
  }

  void party(json::Writer& w, const std::string& name, const Country& country, bool eu_party, Rng& rng) const {
    w.begin_object();
    w.field("name", name);
    w.key("address").begin_object();
    w.field("street", pick_sv(rng, street_words()) + " " + (rng.chance(0.5) ? "Road" : "Street") + " " +
                          std::to_string(rng.between(1, 250)));
    w.field("city", pick_sv(rng, country.cities));
    if (!country.postcode.empty()) w.field("postcode", postcode(country, rng));
    w.field("country", country.alpha2);
    w.end_object();
    if (eu_party) w.field("eori", std::string(country.alpha2) + rng.digits(static_cast<std::size_t>(rng.between(9, 12))));
    else w.field("tin", std::string(country.alpha2) + rng.digits(10));
    w.end_object();
  }

  void manifest(Ctx& c) const {
    Rng& rng = c.rng;
    static constexpr std::string_view kModes[] = {"sea", "air", "road", "rail"};
    static constexpr double kModeW[] = {70, 18, 8, 4};
    std::string mode(kModes[rng.weighted(kModeW)]);
    enum Role { kNoRole, kConsignor, kConsignee, kConveyance } listed_role = kNoRole;
    if (c.listed) {
      const double u = rng.unit();
      listed_role = u < 0.4 ? kConsignor : u < 0.75 ? kConsignee : kConveyance;
      if (listed_role == kConveyance && vessels.empty()) listed_role = kConsignee;
      if (listed_role != kConveyance && parties.empty()) listed_role = vessels.empty() ? kNoRole : kConveyance;
    }
    if (listed_role == kConveyance || c.defect == Defect::kImoCheckDigit || c.defect == Defect::kContainerCheckDigit) mode = "sea";
    const bool sea = mode == "sea";
    const bool air = mode == "air";

    std::vector<const Port*> from, to;
    for (const auto& p : ports()) {
      if (p.air != air) continue;
      (p.eu ? to : from).push_back(&p);
    }
    static constexpr std::string_view kInlandFrom[] = {"TRIST", "CHBSL", "GBDVR", "RSBEG", "UAODS", "CNXIY", "NOOSL"};
    static constexpr std::string_view kInlandTo[] = {"DEDUI", "ATVIE", "HUBUD", "DEMUC", "NLVEN", "PLWAW", "CZPRG"};
    std::string loading, unloading;
    if (sea || air) {
      loading = std::string(from[rng.below(from.size())]->locode);
      unloading = std::string(to[rng.below(to.size())]->locode);
    } else {
      loading = pick_sv(rng, kInlandFrom);
      unloading = pick_sv(rng, kInlandTo);
    }
    const std::string first_arrival = rng.chance(0.85) || !(sea || air) ? unloading : std::string(to[rng.below(to.size())]->locode);
    if (c.defect == Defect::kBadLocode) loading = "QQ" + loading.substr(2);

    const Country& consignor_country = country_or_random(loading.substr(0, 2), rng, true);
    const Country& consignee_country = country_or_random(unloading.substr(0, 2), rng, true);
    std::string consignor = company_name(consignor_country, rng);
    std::string consignee = company_name(consignee_country, rng);
    std::string vessel_name = pick_sv(rng, vessel_words()) + " " + pick_sv(rng, vessel_nouns());
    std::string imo = make_imo(rng);
    for (int attempt = 0; attempt < 16 && listed_imos.count(imo) != 0; ++attempt) imo = make_imo(rng);
    if (listed_role == kConsignor || listed_role == kConsignee) {
      const ListedParty& lp = parties[rng.below(parties.size())];
      std::string name = lp.names[rng.below(lp.names.size())];
      c.out.variation = vary(name, rng);
      c.out.listed_entry = lp.ref;
      (listed_role == kConsignor ? consignor : consignee) = name;
    } else if (listed_role == kConveyance) {
      const ListedVessel& lv = vessels[rng.below(vessels.size())];
      vessel_name = lv.names[rng.below(lv.names.size())];
      c.out.variation = vary(vessel_name, rng);
      c.out.listed_entry = lv.ref;
      if (!lv.imo.empty() && rng.chance(0.7)) imo = lv.imo;
    }
    if (c.defect == Defect::kImoCheckDigit) imo = break_digit(imo, 6);

    json::Writer w(c.out.value);
    w.begin_object();
    envelope(w, c, "man");
    const std::string lrn = "26" + std::string(consignee_country.alpha2) + rng.alnums(12);
    w.field("lrn", lrn);
    w.field("transport_mode", mode);
    w.key("conveyance").begin_object();
    if (sea) {
      w.field("imo", imo);
      w.field("name", vessel_name);
      w.field("nationality", pick_sv(rng, flag_states()));
    } else if (air) {
      const Carrier& cr = carriers()[rng.below(carriers().size())];
      w.field("flight", std::string(cr.code) + std::to_string(rng.between(100, 9999)));
      w.field("nationality", cr.country);
    } else {
      w.field("name", mode == "road" ? "truck " + rng.letters(2) + " " + rng.digits(5) : "container train " + rng.digits(5));
      w.field("nationality", consignor_country.alpha2);
    }
    w.end_object();
    if (sea && rng.chance(0.5)) {
      static constexpr std::string_view kTransit[] = {"EG", "MA", "SG", "LK", "AE", "ES", "PA", "MT"};
      w.key("routing_countries").begin_array();
      w.string(loading.substr(0, 2) == "QQ" ? std::string(consignor_country.alpha2) : loading.substr(0, 2));
      w.string(pick_sv(rng, kTransit));
      // Rarely a route through a sanctioned country: what routing rules look for.
      if (rng.chance(0.004)) w.string(rng.chance(0.5) ? "IR" : "SY");
      w.string(unloading.substr(0, 2));
      w.end_array();
    }
    w.field("place_of_loading", loading);
    w.field("place_of_unloading", unloading);
    w.field("first_place_of_arrival", first_arrival);
    const std::int64_t eta = sea ? c.event_ms + rng.between(5 * kDay, 40 * kDay)
                             : air ? c.event_ms + rng.between(6 * kHour, 48 * kHour)
                                   : c.event_ms + rng.between(kDay, 7 * kDay);
    w.field("estimated_arrival", timestamp(round_up(eta, kMinute)));
    std::string tdn;
    if (sea) tdn = pick_sv(rng, shipping_lines()) + rng.digits(9);
    else if (air) tdn = rng.digits(3) + "-" + with_mod7(rng.digits(7));
    else tdn = (mode == "road" ? "CMR" : "CIM") + rng.digits(8);
    w.field("transport_document_number", tdn);
    w.key("consignor");
    party(w, consignor, consignor_country, is_eu(consignor_country.alpha2), rng);
    w.key("consignee");
    party(w, consignee, consignee_country, is_eu(consignee_country.alpha2), rng);

    static constexpr double kItems[] = {35, 25, 15, 10, 8, 7};
    const int items = static_cast<int>(rng.weighted(kItems)) + 1;
    std::vector<double> gw;
    for (const auto& g : goods()) gw.push_back(g.weight);
    std::string container;
    w.key("goods").begin_array();
    for (int i = 0; i < items; ++i) {
      const Goods& g = goods()[rng.weighted(gw)];
      w.begin_object();
      w.field("hs_code", g.hs_code);
      w.field("description", g.description);
      const std::int64_t packages = rng.between(1, rng.chance(0.2) ? 20 : 2000);
      w.key("packages").begin_object();
      w.field("count", packages);
      w.field("type", g.package_type);
      w.end_object();
      static constexpr double kMassDigits[] = {5, 20, 35, 30, 10};  // integer digits 1..5
      const std::string mass = decimal(rng, magnitude(rng, kMassDigits), static_cast<int>(rng.below(4)));
      if (i == 0 && c.defect == Defect::kMassAsNumber) w.key("gross_mass_kg").raw(mass);
      else w.field("gross_mass_kg", mass);
      if ((sea || mode == "rail") && (rng.chance(0.9) || (i == 0 && c.defect == Defect::kContainerCheckDigit))) {
        if (container.empty() || rng.chance(0.7)) container = make_container(pick_sv(rng, container_owners()), rng);
        w.field("container", i == 0 && c.defect == Defect::kContainerCheckDigit ? break_digit(container, 10) : container);
        const auto seals = rng.below(3);
        if (seals > 0) {
          w.key("seals").begin_array();
          for (std::uint64_t s = 0; s < seals; ++s) w.string((rng.chance(0.5) ? "SL" : "CS") + rng.digits(7));
          w.end_array();
        }
      }
      w.end_object();
    }
    w.end_array();
    w.end_object();
    c.out.key = lrn;
  }

  struct PayParty {
    std::string name;
    const Country* country;
    std::string iban;
    std::string other_id;
    std::string bic;
  };

  PayParty pay_party(Rng& rng) const {
    PayParty p;
    p.country = &random_country(rng, true);
    if (rng.chance(0.75)) {
      p.name = company_name(*p.country, rng);
    } else {
      const Culture& cu = culture_named(p.country->culture);
      p.name = title_case(person_name(cu, rng.chance(0.5), rng).display());
    }
    p.iban = make_iban(p.country->alpha2, rng);
    if (p.iban.empty()) p.other_id = rng.digits(static_cast<std::size_t>(rng.between(10, 14)));
    p.bic = make_bic(p.country->alpha2, rng);
    return p;
  }

  void write_pay_party(json::Writer& w, const PayParty& p, Rng& rng) const {
    w.begin_object();
    w.field("name", p.name);
    if (rng.chance(0.9)) w.field("postal_country", p.country->alpha2);
    w.key("account").begin_object();
    if (!p.iban.empty()) {
      w.field("iban", p.iban);
    } else {
      w.key("other").begin_object();
      w.field("id", p.other_id);
      w.field("scheme", "BBAN");
      w.end_object();
    }
    w.end_object();
    w.field("agent_bic", p.bic);
    w.end_object();
  }

  void payment(Ctx& c) const {
    Rng& rng = c.rng;
    PayParty debtor = pay_party(rng);
    PayParty creditor = pay_party(rng);
    if (c.defect == Defect::kIbanCheckDigits && debtor.iban.empty()) {
      debtor.country = country_by_alpha2("DE");
      debtor.iban = make_iban("DE", rng);
      debtor.bic = make_bic("DE", rng);
    }
    if (c.listed && (!parties.empty() || !persons.empty())) {
      PayParty& target = rng.chance(0.5) ? debtor : creditor;
      if (!parties.empty() && (persons.empty() || rng.chance(0.75))) {
        const ListedParty& lp = parties[rng.below(parties.size())];
        target.name = lp.names[rng.below(lp.names.size())];
        c.out.variation = vary(target.name, rng);
        c.out.listed_entry = lp.ref;
        if (!lp.iban.empty() && rng.chance(0.6)) {
          target.iban = lp.iban;
          target.other_id.clear();
        }
      } else {
        const ListedPerson& lp = persons[rng.below(persons.size())];
        PersonName n = lp.names[rng.below(lp.names.size())];
        c.out.variation = vary(n, rng);
        c.out.listed_entry = lp.ref;
        target.name = title_case(n.display());
      }
      if (target.name.size() > 140) target.name.resize(140);
    }
    if (c.defect == Defect::kIbanCheckDigits) debtor.iban = break_digit(debtor.iban, 2);
    if (c.defect == Defect::kBadBic) debtor.bic = debtor.bic.substr(0, 4) + "QQ" + debtor.bic.substr(6);

    std::string currency(debtor.country->currency);
    const double u = rng.unit();
    if (u < 0.3) currency = "EUR";
    else if (u < 0.45) currency = "USD";
    else if (u < 0.5) currency = std::string(creditor.country->currency);
    const int minor = ids::currency_minor_units(currency).value_or(2);
    std::string amount = amount_text(rng, currency, minor);
    if (c.defect == Defect::kTooManyDecimals) {
      currency = "EUR";
      amount = decimal(rng, 4, 3);
    }
    if (c.defect == Defect::kUnknownCurrency) currency = "QQQ";

    json::Writer w(c.out.value);
    w.begin_object();
    envelope(w, c, "pay");
    const std::string day = date_of_ms(c.event_ms);
    w.field("message_id", "MSG-" + day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2) + "-" + rng.digits(6));
    w.field("creation_time", timestamp(c.event_ms - rng.between(1, 600) * 1000));
    w.field("end_to_end_id", "E2E-" + rng.alnums(12));
    std::string uetr = make_uuid_v4(rng);
    if (c.defect == Defect::kBadUetr) {
      for (char& ch : uetr) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (uetr.find_first_of("ABCDEF") == std::string::npos) uetr[0] = 'G';
    }
    w.field("uetr", uetr);
    w.key("amount").begin_object();
    w.field("value", amount);
    w.field("currency", currency);
    w.end_object();
    w.field("settlement_date", rng.chance(0.3) ? date_of_ms(c.event_ms + kDay) : day);
    w.key("debtor");
    write_pay_party(w, debtor, rng);
    w.key("creditor");
    write_pay_party(w, creditor, rng);
    if (rng.chance(0.25)) {
      static constexpr std::string_view kMajor[] = {"DEUTDEFF", "CHASUS33", "BNPAFRPP", "CITIUS33", "HSBCHKHH",
                                                    "BARCGB22", "UBSWCHZH", "SCBLSGSG"};
      w.key("intermediary_agents").begin_array();
      const auto n = 1 + rng.below(2);
      for (std::uint64_t i = 0; i < n; ++i) w.string(pick_sv(rng, kMajor));
      w.end_array();
    }
    if (rng.chance(0.7)) {
      static constexpr double kRemW[] = {20, 15, 10, 8, 8, 6, 8, 6, 6, 4, 3, 3, 0.15, 0.15};
      std::string text(remittance_texts()[rng.weighted(kRemW)]);
      const auto at = text.find("{n}");
      if (at != std::string::npos) text.replace(at, 3, rng.digits(6));
      w.field("remittance_information", text);
    }
    w.end_object();
    // One debtor account keeps to one partition, in order: what per-debtor aggregates need.
    c.out.key = sha256_hex(!debtor.iban.empty() ? debtor.iban : debtor.other_id, 16);
  }

  Defect pick_defect(EventKind kind, Rng& rng) const {
    static constexpr Defect kCommon[] = {Defect::kTruncated,     Defect::kEmpty,         Defect::kNotAnObject,
                                         Defect::kMissingEventId, Defect::kSchemaVersion2, Defect::kBadEventTime,
                                         Defect::kDuplicateKey,  Defect::kInvalidUtf8,   Defect::kTooDeep};
    static constexpr Defect kItinerary[] = {Defect::kMrzCheckDigit, Defect::kArrivalBeforeDeparture,
                                            Defect::kUnknownAirport, Defect::kImpossibleBirthDate,
                                            Defect::kUnknownNationality};
    static constexpr Defect kManifest[] = {Defect::kContainerCheckDigit, Defect::kImoCheckDigit, Defect::kMassAsNumber,
                                           Defect::kBadLocode};
    static constexpr Defect kPayment[] = {Defect::kIbanCheckDigits, Defect::kUnknownCurrency, Defect::kTooManyDecimals,
                                          Defect::kBadBic, Defect::kBadUetr};
    if (rng.chance(0.5)) return rng.pick(kCommon);
    switch (kind) {
      case EventKind::kItinerary: return rng.pick(kItinerary);
      case EventKind::kManifest: return rng.pick(kManifest);
      case EventKind::kPayment: return rng.pick(kPayment);
    }
    return Defect::kTruncated;
  }

  void generate(std::uint64_t index, GeneratedEvent& out) const {
    Rng rng(event_seed(o.seed, index));
    out.index = index;
    out.value.clear();
    out.key.clear();
    out.listed_entry.clear();
    out.variation = Variation::kNone;
    out.defect = Defect::kNone;
    out.event_time_ms = o.base_time_ms + static_cast<std::int64_t>(index) * o.spacing_us / 1000;
    out.kind = static_cast<EventKind>(rng.weighted(mix));
    const double u = rng.unit();
    out.intent = u < o.malformed_share ? Intent::kMalformed
                 : u < o.malformed_share + o.listed_share ? Intent::kListed
                                                           : Intent::kClean;
    if (out.intent == Intent::kMalformed) out.defect = pick_defect(out.kind, rng);
    Ctx c{rng, out, out.event_time_ms, out.intent == Intent::kListed, out.defect};
    switch (out.kind) {
      case EventKind::kItinerary: itinerary(c); break;
      case EventKind::kManifest: manifest(c); break;
      case EventKind::kPayment: payment(c); break;
    }
    // A listed draw without a pool for its role ends up unlisted: say so.
    if (out.intent == Intent::kListed && out.listed_entry.empty()) out.intent = Intent::kClean;
    switch (out.defect) {
      case Defect::kTruncated:
        out.value.resize(1 + static_cast<std::size_t>(rng.below(out.value.size() - 2)));
        break;
      case Defect::kEmpty: out.value.clear(); break;
      case Defect::kNotAnObject: out.value = "[" + out.value + "]"; break;
      case Defect::kInvalidUtf8: {
        const auto at = out.value.find("\"event_id\":\"");
        if (at != std::string::npos) out.value[at + 13] = '\xff';
        break;
      }
      default: break;
    }
  }
};

EventGenerator::EventGenerator(GeneratorOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
EventGenerator::~EventGenerator() = default;

void EventGenerator::generate(std::uint64_t index, GeneratedEvent& out) const { impl_->generate(index, out); }

std::array<std::size_t, 3> EventGenerator::listed_pool_sizes() const {
  return {impl_->persons.size(), impl_->parties.size(), impl_->vessels.size()};
}

const GeneratorOptions& EventGenerator::options() const { return impl_->o; }

}  // namespace crosscheck::loadgen
