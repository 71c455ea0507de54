// The vocabulary the load generator draws realistic events from: cultures and their name parts,
// countries (cities, postcodes, company forms, currency), airlines, sea and air ports, goods,
// container owners, vessel names, banks. Everything is compiled in, written for this project from
// public knowledge (airline designators, UN/LOCODEs, HS subheadings, BIC shapes); the people and
// companies the generator builds from it are fictional. Airports come from a CSV (airports.h).
// Thread-safety: immutable tables; every function is safe to call from any thread.
#pragma once

#include <span>
#include <string_view>

namespace crosscheck::loadgen {

struct Culture {
  std::string_view name;
  std::span<const std::string_view> male;
  std::span<const std::string_view> female;
  std::span<const std::string_view> surnames;
  bool two_surnames = false;       // Hispanic: paternal and maternal surname
  bool feminine_surnames = false;  // Slavic: IVANOV -> IVANOVA for women
};

struct Country {
  std::string_view alpha2;
  std::string_view alpha3;
  std::string_view culture;
  std::span<const std::string_view> cities;
  std::string_view postcode;  // pattern: 9 = digit, A = letter, anything else literal; empty: none
  std::span<const std::string_view> legal_forms;
  double travellers;  // relative weight as a traveller's nationality
  double business;    // relative weight as a company's or bank's country
  std::string_view currency;
};

struct Carrier {
  std::string_view code;     // IATA airline designator
  std::string_view country;  // alpha-2 home country
};

struct Port {
  std::string_view locode;  // UN/LOCODE
  bool eu;                  // an EU port of entry (unloading, first arrival)
  bool air;                 // an airport location (air cargo)
};

struct Goods {
  std::string_view hs_code;
  std::string_view description;
  std::string_view package_type;  // UN/ECE Recommendation 21
  double weight;                   // how common
};

std::span<const Culture> cultures();
const Culture& culture_named(std::string_view name);  // the first culture when unknown
std::span<const Country> countries();
const Country* country_by_alpha2(std::string_view alpha2);  // nullptr when not in the table
std::span<const Carrier> carriers();
std::span<const Port> ports();
std::span<const Goods> goods();
std::span<const std::string_view> container_owners();   // ISO 6346 owner code + category U
std::span<const std::string_view> shipping_lines();     // B/L prefixes
std::span<const std::string_view> vessel_words();       // first word of a vessel name
std::span<const std::string_view> vessel_nouns();
std::span<const std::string_view> flag_states();        // alpha-2, flags of ships
std::span<const std::string_view> company_words();      // industry words
std::span<const std::string_view> company_stems();      // invented brand stems
std::span<const std::string_view> travel_agencies();
std::span<const std::string_view> street_words();
std::span<const std::string_view> banks(std::string_view alpha2);  // 4-letter bank codes of a country
std::span<const std::string_view> remittance_texts();     // with {n} for a number

}  // namespace crosscheck::loadgen
