// Watchlists and their entries, and the project's own JSON list format.
//
// A watchlist is published to Redis as an immutable, numbered version (see WatchlistStore). The
// entry model covers the subjects Crosscheck screens: persons, organisations, vessels, aircraft,
// accounts and crypto addresses. Only identity attributes are held; nothing that reveals a
// protected characteristic.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crosscheck/error.h"

namespace crosscheck::rules {

enum class EntityType { kPerson, kOrganization, kVessel, kAircraft, kAccount, kCryptoAddress };
std::string_view to_string(EntityType type);  // "person", "organization", ...
std::optional<EntityType> entity_type_from_string(std::string_view name);

struct IdentityDocument {
  std::string type;     // "passport", "national_id", "registration_number", "tail_number", ... free text
  std::string number;   // as listed
  std::string country;  // ISO 3166-1 alpha-3 where known

  bool operator==(const IdentityDocument&) const = default;
};

struct CryptoAddress {
  std::string currency;  // as listed: "XBT", "ETH", "USDT", ...
  std::string address;   // as listed; matched case-sensitively except for hex (0x...) addresses

  bool operator==(const CryptoAddress&) const = default;
};

// One listed subject. Which fields are meaningful depends on `type`:
//   person:         names, weak_aliases, dates_of_birth, nationalities, gender, documents
//   organization:   names, weak_aliases, countries, documents (registration numbers, tax ids)
//   vessel:         names, imo, flag, call_sign
//   aircraft:       names, documents (tail number, manufacturer serial number), flag
//   account:        names, ibans, bics
//   crypto_address: names, crypto_addresses
// Any entry may also carry ibans, bics and crypto_addresses (OFAC lists them on persons and
// organisations).
struct WatchlistEntry {
  std::string id;                           // unique within the list, stable across versions
  EntityType type = EntityType::kPerson;
  std::vector<std::string> names;           // primary name first, then aliases of good quality
  std::vector<std::string> weak_aliases;    // low-quality aliases (UN "Low", OFAC "weak a.k.a."):
                                            // matched, but never on their own as strong evidence
  // "YYYY", "YYYY-MM", "YYYY-MM-DD"; "~" + one of those for an approximate date; "YYYY/YYYY" for
  // an inclusive range of years.
  std::vector<std::string> dates_of_birth;
  std::vector<std::string> nationalities;   // ISO 3166-1 alpha-3
  std::string gender;                       // "male", "female" or empty (unknown)
  std::vector<std::string> countries;       // ISO 3166-1 alpha-3: where an organisation is based
  std::vector<IdentityDocument> documents;
  std::vector<std::string> ibans;
  std::vector<std::string> bics;
  std::vector<CryptoAddress> crypto_addresses;
  std::string imo;                          // vessels
  std::string flag;                         // vessels, aircraft: ISO 3166-1 alpha-3 flag state
  std::string call_sign;                    // vessels
  std::vector<std::string> programs;        // sanctions programmes / regimes, e.g. "SDGT", "DRC"
  std::string remarks;                      // free text for the reviewing officer

  bool operator==(const WatchlistEntry&) const = default;
};

struct Watchlist {
  std::string list_id;       // [a-z0-9][a-z0-9._-]{0,63}, e.g. "demo-national"
  std::string name;          // human-readable title
  std::string source;        // where it came from
  std::uint64_t version = 0; // assigned by WatchlistStore::publish; 0 before publication
  std::string published_at;  // RFC 3339, assigned on publication
  std::vector<WatchlistEntry> entries;
};

// List ids are [a-z0-9][a-z0-9._-]{0,63}: they appear in Redis keys, metric labels and flags.
bool is_valid_list_id(std::string_view id);

// Parses the project's own JSON list format (docs/watchlists.md). Every problem is reported,
// with the entry index, in one fatal Error; on success entries have ids that are unique.
Result<Watchlist> parse_watchlist_json(std::string_view json);
Result<Watchlist> load_watchlist_file(const std::string& path);

// A whole list in the JSON format parse_watchlist_json reads (one line, entries in order).
std::string encode_watchlist_json(const Watchlist& list);

// One entry as a compact JSON object, and back: the form stored in Redis.
std::string encode_entry_json(const WatchlistEntry& entry);
Result<WatchlistEntry> parse_entry_json(std::string_view json);

}  // namespace crosscheck::rules
