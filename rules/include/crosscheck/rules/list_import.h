// Importers for published sanctions lists, converting them into the Watchlist model.
//
//   OFAC SDN legacy CSV: sdn.csv (required) with alt.csv and add.csv beside it when present.
//     No header row; "-0- " marks an empty field. Remarks carry DOB, POB, nationality, passports,
//     IMO numbers, vessel data, digital currency addresses and "a.k.a." names.
//   UN Security Council consolidated list XML: INDIVIDUALS and ENTITIES with aliases (quality
//     Good/Low), several dates of birth (exact, approximate, year ranges), nationalities,
//     documents and addresses.
//   The project's own JSON format (watchlist.h).
//
// Importers are lenient where the source is (a field they cannot read goes to the entry's
// remarks and is counted in ImportStats), and strict where data would be lost silently: a file
// that is not in the format at all is an error.
// Thread-safety: plain functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crosscheck/error.h"
#include "crosscheck/rules/watchlist.h"

namespace crosscheck::rules {

enum class ListFormat { kAuto, kJson, kOfacSdnCsv, kUnXml };
std::string_view to_string(ListFormat format);                       // "auto", "json", "ofac", "un"
std::optional<ListFormat> list_format_from_string(std::string_view);  // the same names

// What an import read, for the operator and for checking an import against the source file.
struct ImportStats {
  std::size_t entries = 0;
  std::size_t persons = 0;
  std::size_t organizations = 0;
  std::size_t vessels = 0;
  std::size_t aircraft = 0;
  std::size_t aliases = 0;         // names beyond the primary one, weak aliases included
  std::size_t weak_aliases = 0;
  std::size_t dates_of_birth = 0;
  std::size_t documents = 0;
  std::size_t addresses = 0;       // address records read (OFAC add.csv rows, UN *_ADDRESS)
  std::size_t unrecognized = 0;    // remark or field items kept only as remarks
};

struct ImportOptions {
  ListFormat format = ListFormat::kAuto;
  std::string list_id;             // default: "ofac-sdn", "un-sc", or the JSON file's own
  std::string name;                // default: from the source
};

struct ImportedList {
  Watchlist list;
  ImportStats stats;
  ListFormat format = ListFormat::kJson;
};

// Detects the format of `path` (a file, or for OFAC a directory holding sdn.csv) and imports it.
// OFAC: `path` may be sdn.csv or its directory; alt.csv and add.csv are read from beside it.
Result<ImportedList> import_list(const std::string& path, const ImportOptions& options = {});

// The importers on in-memory text (for tests and fuzzing). Empty alt/add mean "not present".
Result<ImportedList> import_ofac_sdn_csv(std::string_view sdn, std::string_view alt, std::string_view add,
                                         const ImportOptions& options = {});
Result<ImportedList> import_un_xml(std::string_view xml, const ImportOptions& options = {});

}  // namespace crosscheck::rules
