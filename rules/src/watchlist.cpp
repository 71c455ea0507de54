#include "crosscheck/rules/watchlist.h"

#include <simdjson.h>

#include <array>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "crosscheck/json_writer.h"
#include "crosscheck/schemas/identifiers.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/time_format.h"

#include "entry_field_shapes.h"
#include "json_messages.h"

namespace crosscheck::rules {
namespace {

using json_messages::quote;
using json_messages::type_name;

constexpr std::array<std::string_view, 6> kTypeNames = {
    "person", "organization", "vessel", "aircraft", "account", "crypto_address"};

constexpr std::array<std::string_view, 4> kListKeys = {"list_id", "name", "source", "entries"};
// The order of the encoded form (encode_entry_json) and of the "allowed" list in messages.
constexpr std::array<std::string_view, 17> kEntryKeys = {
    "id",   "type",  "names",            "weak_aliases", "dates_of_birth", "nationalities",
    "gender", "countries", "documents",  "ibans",        "bics",           "crypto_addresses",
    "imo",  "flag",  "call_sign",        "programs",     "remarks"};
enum EntryKey {
  kId, kType, kNames, kWeakAliases, kDatesOfBirth, kNationalities, kGender, kCountries, kDocuments, kIbans,
  kBics, kCryptoAddresses, kImo, kFlag, kCallSign, kPrograms, kRemarks
};
constexpr std::array<std::string_view, 3> kDocumentKeys = {"type", "number", "country"};
constexpr std::array<std::string_view, 2> kCryptoKeys = {"currency", "address"};
constexpr std::string_view kNotACountry =
    "is not a country (ISO 3166-1 alpha-2 or alpha-3 code, or English name)";

// A hand-maintained file has only a handful of problems that matter; beyond this the rest is noise.
constexpr std::size_t kMaxReportedProblems = 50;

template <std::size_t N>
std::string join_keys(const std::array<std::string_view, N>& keys) {
  std::string out;
  for (auto k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

template <std::size_t N>
int key_index(const std::array<std::string_view, N>& keys, std::string_view key) {
  for (std::size_t i = 0; i < N; ++i) {
    if (keys[i] == key) return static_cast<int>(i);
  }
  return -1;
}

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool all_digits(std::string_view d) {
  for (char c : d) {
    if (c < '0' || c > '9') return false;
  }
  return !d.empty();
}

// "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date).
bool valid_plain_date(std::string_view s) {
  if (s.size() == 4) return all_digits(s);
  if (s.size() == 7) {
    if (!all_digits(s.substr(0, 4)) || s[4] != '-' || !all_digits(s.substr(5, 2))) return false;
    const int month = (s[5] - '0') * 10 + (s[6] - '0');
    return month >= 1 && month <= 12;
  }
  return s.size() == 10 && timefmt::parse_date_days(s).has_value();
}

// A plain date, "~" and a plain date (approximate), or "YYYY/YYYY" (inclusive range of years).
bool valid_date_of_birth(std::string_view s) {
  if (!s.empty() && s[0] == '~') return valid_plain_date(s.substr(1));
  if (s.size() == 9 && s[4] == '/') {
    const auto from = s.substr(0, 4), to = s.substr(5);
    return all_digits(from) && all_digits(to) && from < to;
  }
  return valid_plain_date(s);
}



// Reads one entry; problems are appended without a location prefix (the caller adds it).
class EntryReader {
 public:
  explicit EntryReader(std::vector<std::string>& problems) : problems_(problems) {}

  void read(simdjson::dom::element element, WatchlistEntry& entry) {
    simdjson::dom::object object;
    if (element.get_object().get(object)) {
      problems_.push_back("must be an object, got " + std::string(type_name(element.type())));
      return;
    }
    std::array<bool, kEntryKeys.size()> seen{};
    const auto has_letter_or_digit = [](std::string_view s) { return !normalize_name(s).empty(); };
    const auto non_blank = [](std::string_view s) { return !is_blank(s); };
    for (auto field : object) {
      const int k = key_index(kEntryKeys, field.key);
      if (k < 0) {
        problems_.push_back("unknown key " + quote(field.key) + " (allowed: " + join_keys(kEntryKeys) + ")");
        continue;
      }
      if (seen[static_cast<std::size_t>(k)]) {
        problems_.push_back("duplicate key " + quote(field.key));
        continue;
      }
      seen[static_cast<std::size_t>(k)] = true;
      const std::string_view key = field.key;
      const auto value = field.value;
      switch (static_cast<EntryKey>(k)) {
        case kId:
          if (read_string(key, value, entry.id) && is_blank(entry.id)) problems_.push_back("\"id\" is empty");
          break;
        case kType: {
          std::string type;
          if (read_string(key, value, type)) {
            if (auto t = entity_type_from_string(type)) {
              entry.type = *t;
            } else {
              problems_.push_back("unknown type " + quote(type) + " (allowed: " + join_keys(kTypeNames) + ")");
            }
          }
          break;
        }
        case kNames:
          read_strings(key, value, entry.names, has_letter_or_digit, "has no letters or digits");
          break;
        case kWeakAliases:
          read_strings(key, value, entry.weak_aliases, has_letter_or_digit, "has no letters or digits");
          break;
        case kDatesOfBirth:
          read_strings(key, value, entry.dates_of_birth, valid_date_of_birth,
                       "is not a date (YYYY, YYYY-MM, YYYY-MM-DD, ~ before one of those, or YYYY/YYYY)");
          break;
        case kNationalities:
          read_countries(key, value, entry.nationalities);
          break;
        case kGender:
          if (read_string(key, value, entry.gender) && entry.gender != "male" && entry.gender != "female") {
            problems_.push_back("\"gender\" " + quote(entry.gender) + " must be \"male\" or \"female\" (omit it when unknown)");
          }
          break;
        case kCountries:
          read_countries(key, value, entry.countries);
          break;
        case kDocuments:
          read_documents(value, entry.documents);
          break;
        case kIbans:
          read_strings(key, value, entry.ibans, shapes::iban, "is not an IBAN");
          break;
        case kBics:
          read_strings(key, value, entry.bics, shapes::bic, "is not a BIC (8 or 11 upper-case letters or digits)");
          break;
        case kCryptoAddresses:
          read_crypto(value, entry.crypto_addresses);
          break;
        case kImo:
          if (read_string(key, value, entry.imo) && normalize_imo(entry.imo).empty()) {
            problems_.push_back("\"imo\" " + quote(entry.imo) + " is not a 7-digit IMO number");
          }
          break;
        case kFlag: {
          std::string flag;
          if (read_string(key, value, flag)) {
            if (auto code = schemas::ids::country_alpha3_of(flag)) {
              entry.flag.assign(*code);
            } else {
              problems_.push_back("\"flag\" " + quote(flag) + " " + std::string(kNotACountry));
            }
          }
          break;
        }
        case kCallSign:
          if (read_string(key, value, entry.call_sign) && is_blank(entry.call_sign)) {
            problems_.push_back("\"call_sign\" is empty (omit it when unknown)");
          }
          break;
        case kPrograms:
          read_strings(key, value, entry.programs, non_blank, "is empty");
          break;
        case kRemarks:
          read_string(key, value, entry.remarks);
          break;
      }
    }
    if (!seen[kId]) problems_.push_back("missing \"id\"");
    if (!seen[kType]) problems_.push_back("missing \"type\"");
    if (entry.names.empty() && entry.documents.empty() && entry.ibans.empty() && entry.bics.empty() &&
        entry.imo.empty() && entry.crypto_addresses.empty()) {
      problems_.push_back(
          "has no names and no identifiers (documents, ibans, bics, imo, crypto_addresses): nothing to match on");
    }
  }

 private:
  bool read_string(std::string_view key, simdjson::dom::element value, std::string& out) {
    std::string_view s;
    if (value.get_string().get(s)) {
      problems_.push_back(quote(key) + " must be a string, got " + std::string(type_name(value.type())));
      return false;
    }
    out.assign(s);
    return true;
  }

  // Calls `take(index, string)` for each string of an array; `take` stores it or reports it.
  template <class Take>
  void for_each_string(std::string_view key, simdjson::dom::element value, Take take) {
    simdjson::dom::array array;
    if (value.get_array().get(array)) {
      problems_.push_back(quote(key) + " must be an array of strings, got " + std::string(type_name(value.type())));
      return;
    }
    std::size_t i = 0;
    for (auto item : array) {
      const std::string where = std::string(key) + "[" + std::to_string(i++) + "]";
      std::string_view s;
      if (item.get_string().get(s)) {
        problems_.push_back(where + " must be a string, got " + std::string(type_name(item.type())));
        continue;
      }
      take(where, s);
    }
  }

  template <class Valid>
  void read_strings(std::string_view key, simdjson::dom::element value, std::vector<std::string>& out,
                    Valid valid, std::string_view invalid_message) {
    for_each_string(key, value, [&](const std::string& where, std::string_view s) {
      if (!valid(s)) {
        problems_.push_back(where + " " + quote(s) + " " + std::string(invalid_message));
        return;
      }
      out.emplace_back(s);
    });
  }

  // Countries are written as codes or English names and stored as ISO 3166-1 alpha-3.
  void read_countries(std::string_view key, simdjson::dom::element value, std::vector<std::string>& out) {
    for_each_string(key, value, [&](const std::string& where, std::string_view s) {
      auto code = schemas::ids::country_alpha3_of(s);
      if (!code) {
        problems_.push_back(where + " " + quote(s) + " " + std::string(kNotACountry));
        return;
      }
      out.emplace_back(*code);
    });
  }

  // An array of objects whose values are all strings; `keys` are the allowed keys. Calls
  // `take(where, values, present)` for each object that has only allowed string values.
  template <std::size_t N, class Take>
  void for_each_object(std::string_view key, simdjson::dom::element value, const std::array<std::string_view, N>& keys,
                       Take take) {
    simdjson::dom::array array;
    if (value.get_array().get(array)) {
      problems_.push_back(quote(key) + " must be an array of objects, got " + std::string(type_name(value.type())));
      return;
    }
    std::size_t i = 0;
    for (auto item : array) {
      const std::string where = std::string(key) + "[" + std::to_string(i++) + "]";
      simdjson::dom::object object;
      if (item.get_object().get(object)) {
        problems_.push_back(where + " must be an object, got " + std::string(type_name(item.type())));
        continue;
      }
      std::array<std::string, N> values;
      std::array<bool, N> present{};
      bool ok = true;
      for (auto field : object) {
        const int k = key_index(keys, field.key);
        if (k < 0) {
          problems_.push_back(where + ": unknown key " + quote(field.key) + " (allowed: " + join_keys(keys) + ")");
          ok = false;
          continue;
        }
        const auto idx = static_cast<std::size_t>(k);
        if (present[idx]) {
          problems_.push_back(where + ": duplicate key " + quote(field.key));
          ok = false;
          continue;
        }
        std::string_view s;
        if (field.value.get_string().get(s)) {
          problems_.push_back(where + "." + std::string(field.key) + " must be a string, got " +
                              std::string(type_name(field.value.type())));
          ok = false;
          continue;
        }
        values[idx].assign(s);
        present[idx] = true;
      }
      if (ok) take(where, values, present);
    }
  }

  void read_documents(simdjson::dom::element value, std::vector<IdentityDocument>& out) {
    for_each_object("documents", value, kDocumentKeys, [&](const std::string& where, auto& v, auto& present) {
      IdentityDocument doc{std::move(v[0]), std::move(v[1]), std::move(v[2])};
      if (!present[1]) {
        problems_.push_back(where + ": missing \"number\"");
        return;
      }
      if (normalize_document(doc.number).empty()) {
        problems_.push_back(where + ".number " + quote(doc.number) + " has no letters or digits");
        return;
      }
      if (present[2]) {
        auto code = schemas::ids::country_alpha3_of(doc.country);
        if (!code) {
          problems_.push_back(where + ".country " + quote(doc.country) + " " + std::string(kNotACountry));
          return;
        }
        doc.country.assign(*code);
      }
      out.push_back(std::move(doc));
    });
  }

  void read_crypto(simdjson::dom::element value, std::vector<CryptoAddress>& out) {
    for_each_object("crypto_addresses", value, kCryptoKeys, [&](const std::string& where, auto& v, auto& present) {
      if (!present[0] || !present[1]) {
        problems_.push_back(where + ": missing " + std::string(present[0] ? "\"address\"" : "\"currency\""));
        return;
      }
      if (!shapes::currency(v[0])) {
        problems_.push_back(where + ".currency " + quote(v[0]) + " is not a currency ticker (2-10 upper-case letters or digits)");
        return;
      }
      if (!shapes::crypto_address(v[1])) {
        problems_.push_back(where + ".address " + quote(v[1]) + " is not an address (10-256 printable characters, no spaces)");
        return;
      }
      out.push_back(CryptoAddress{std::move(v[0]), std::move(v[1])});
    });
  }

  std::vector<std::string>& problems_;
};

Error problems_error(const std::vector<std::string>& problems) {
  std::string msg = std::to_string(problems.size()) + (problems.size() == 1 ? " problem: " : " problems: ");
  for (std::size_t i = 0; i < problems.size() && i < kMaxReportedProblems; ++i) {
    if (i) msg += "; ";
    msg += problems[i];
  }
  if (problems.size() > kMaxReportedProblems) {
    msg += "; ... and " + std::to_string(problems.size() - kMaxReportedProblems) + " more";
  }
  return Error::fatal("watchlist", std::move(msg));
}

Result<simdjson::dom::element> parse_json(simdjson::dom::parser& parser, std::string_view json) {
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size(), true).get(root)) {
    return Error::fatal("watchlist", std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  return root;
}

}  // namespace

std::string_view to_string(EntityType type) { return kTypeNames[static_cast<std::size_t>(type)]; }

std::optional<EntityType> entity_type_from_string(std::string_view name) {
  const int k = key_index(kTypeNames, name);
  if (k < 0) return std::nullopt;
  return static_cast<EntityType>(k);
}

bool is_valid_list_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

Result<Watchlist> parse_watchlist_json(std::string_view json) {
  simdjson::dom::parser parser;
  auto root = parse_json(parser, json);
  if (!root) return root.error();
  simdjson::dom::object object;
  if (root->get_object().get(object)) {
    return Error::fatal("watchlist", "a watchlist must be a JSON object, got " + std::string(type_name(root->type())));
  }

  Watchlist list;
  std::vector<std::string> problems;
  std::array<bool, kListKeys.size()> seen{};
  simdjson::dom::array entries;
  bool have_entries = false;
  for (auto field : object) {
    const int k = key_index(kListKeys, field.key);
    if (k < 0) {
      problems.push_back("unknown top-level key " + quote(field.key) + " (allowed: " + join_keys(kListKeys) + ")");
      continue;
    }
    if (seen[static_cast<std::size_t>(k)]) {
      problems.push_back("duplicate top-level key " + quote(field.key));
      continue;
    }
    seen[static_cast<std::size_t>(k)] = true;
    if (k == 3) {
      if (field.value.get_array().get(entries)) {
        problems.push_back("\"entries\" must be an array, got " + std::string(type_name(field.value.type())));
      } else {
        have_entries = true;
      }
      continue;
    }
    std::string_view s;
    if (field.value.get_string().get(s)) {
      problems.push_back(quote(field.key) + " must be a string, got " + std::string(type_name(field.value.type())));
      continue;
    }
    (k == 0 ? list.list_id : k == 1 ? list.name : list.source).assign(s);
  }
  if (!seen[0]) {
    problems.push_back("missing \"list_id\"");
  } else if (!is_valid_list_id(list.list_id)) {
    problems.push_back("invalid \"list_id\" " + quote(list.list_id) + " (expected [a-z0-9][a-z0-9._-]{0,63})");
  }
  if (!seen[3]) problems.push_back("missing \"entries\"");

  if (have_entries) {
    std::unordered_map<std::string, std::size_t> first_index;
    std::size_t i = 0;
    std::vector<std::string> entry_problems;
    for (auto element : entries) {
      const std::size_t index = i++;
      WatchlistEntry entry;
      entry_problems.clear();
      EntryReader(entry_problems).read(element, entry);
      std::string where = "entries[" + std::to_string(index) + "]";
      if (!entry.id.empty()) where += " (id " + quote(entry.id) + ")";
      if (!entry.id.empty()) {
        auto [it, inserted] = first_index.emplace(entry.id, index);
        if (!inserted) {
          entry_problems.push_back("duplicate id (first used by entries[" + std::to_string(it->second) + "])");
        }
      }
      for (auto& p : entry_problems) problems.push_back(where + ": " + p);
      if (entry_problems.empty()) list.entries.push_back(std::move(entry));
    }
  }
  if (!problems.empty()) return problems_error(problems);
  return list;
}

Result<Watchlist> load_watchlist_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::fatal("watchlist", "cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error::fatal("watchlist", "cannot read " + path);
  auto list = parse_watchlist_json(buffer.str());
  if (!list) return Error::fatal("watchlist", path + ": " + list.error().message());
  return list;
}

std::string encode_entry_json(const WatchlistEntry& entry) {
  // Keys in kEntryKeys order; empty fields are left out, so that parse_entry_json gives back an
  // equal entry (countries are stored as alpha-3 codes, which parse to themselves).
  std::string out;
  out.reserve(256);
  json::Writer w(out);
  auto strings = [&w](std::string_view key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    w.key(key).begin_array();
    for (const auto& v : values) w.string(v);
    w.end_array();
  };
  w.begin_object().field("id", entry.id).field("type", to_string(entry.type));
  strings("names", entry.names);
  strings("weak_aliases", entry.weak_aliases);
  strings("dates_of_birth", entry.dates_of_birth);
  strings("nationalities", entry.nationalities);
  w.optional_field("gender", entry.gender);
  strings("countries", entry.countries);
  if (!entry.documents.empty()) {
    w.key("documents").begin_array();
    for (const auto& d : entry.documents) {
      w.begin_object().optional_field("type", d.type).field("number", d.number).optional_field("country", d.country);
      w.end_object();
    }
    w.end_array();
  }
  strings("ibans", entry.ibans);
  strings("bics", entry.bics);
  if (!entry.crypto_addresses.empty()) {
    w.key("crypto_addresses").begin_array();
    for (const auto& c : entry.crypto_addresses) {
      w.begin_object().field("currency", c.currency).field("address", c.address).end_object();
    }
    w.end_array();
  }
  w.optional_field("imo", entry.imo).optional_field("flag", entry.flag).optional_field("call_sign", entry.call_sign);
  strings("programs", entry.programs);
  w.optional_field("remarks", entry.remarks).end_object();
  return out;
}

std::string encode_watchlist_json(const Watchlist& list) {
  std::string out = "{";
  out += "\"list_id\":";
  json::append_string(out, list.list_id);
  if (!list.name.empty()) {
    out += ",\"name\":";
    json::append_string(out, list.name);
  }
  if (!list.source.empty()) {
    out += ",\"source\":";
    json::append_string(out, list.source);
  }
  out += ",\"entries\":[";
  for (std::size_t i = 0; i < list.entries.size(); ++i) {
    if (i) out += ',';
    out += encode_entry_json(list.entries[i]);
  }
  out += "]}";
  return out;
}

Result<WatchlistEntry> parse_entry_json(std::string_view json) {
  // Loading a list parses every entry separately: reuse one parser's buffers per thread.
  thread_local simdjson::dom::parser parser;
  auto root = parse_json(parser, json);
  if (!root) return root.error();
  WatchlistEntry entry;
  std::vector<std::string> problems;
  EntryReader(problems).read(*root, entry);
  if (!problems.empty()) {
    std::vector<std::string> prefixed;
    for (auto& p : problems) prefixed.push_back("entry " + quote(entry.id) + ": " + p);
    return problems_error(prefixed);
  }
  return entry;
}

}  // namespace crosscheck::rules
