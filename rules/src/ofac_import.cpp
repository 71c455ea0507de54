// OFAC SDN legacy CSV importer: sdn.csv with alt.csv and add.csv (docs/watchlists.md, "Importers").
#include <array>
#include <unordered_map>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/schemas/identifiers.h"
#include "entry_field_shapes.h"
#include "import_common.h"

namespace crosscheck::rules {
namespace {

using namespace import_detail;

// The legacy CSV's remarks column holds at most this many characters.
constexpr std::size_t kOfacRemarksLimit = 1000;

struct CsvRecord {
  std::size_t line = 0;  // where the record starts, 1-based
  std::vector<std::string> fields;
};

// RFC 4180: fields separated by commas, records by LF or CRLF; a field in double quotes may hold
// commas, line breaks and doubled quotes. OFAC adds a space after unquoted fields ("-0- ") and
// ends the 2024 file with a DOS end-of-file byte (0x1A), which is dropped. Returns false with a
// message naming the line on malformed input.
bool read_csv(std::string_view data, std::vector<CsvRecord>& out, std::string& error) {
  while (!data.empty() && (data.back() == '\x1A' || data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) {
    data.remove_suffix(1);
  }
  std::size_t i = 0, line = 1;
  const std::size_t n = data.size();
  while (i < n) {
    // Blank lines between records carry nothing.
    if (data[i] == '\n' || (data[i] == '\r' && i + 1 < n && data[i + 1] == '\n')) {
      i += data[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    CsvRecord record;
    record.line = line;
    while (true) {
      std::string field;
      if (i < n && data[i] == '"') {
        const std::size_t start_line = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = data[i];
          if (c == '"') {
            if (i + 1 < n && data[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          field.push_back(c);
          ++i;
        }
        if (!closed) {
          error = "line " + std::to_string(start_line) + ": quoted field is not closed before the end of the file";
          return false;
        }
        while (i < n && (data[i] == ' ' || data[i] == '\t')) ++i;
        if (i < n && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
          error = "line " + std::to_string(line) + ": unexpected character after a closing quote";
          return false;
        }
      } else {
        while (i < n && data[i] != ',' && data[i] != '\n' && !(data[i] == '\r' && i + 1 < n && data[i + 1] == '\n')) {
          if (data[i] == '"') {
            error = "line " + std::to_string(line) + ": quote inside an unquoted field";
            return false;
          }
          field.push_back(data[i]);
          ++i;
        }
      }
      record.fields.push_back(std::move(field));
      if (i < n && data[i] == ',') {
        ++i;
        continue;
      }
      if (i < n && data[i] == '\r') ++i;
      if (i < n && data[i] == '\n') {
        ++i;
        ++line;
      }
      break;
    }
    out.push_back(std::move(record));
  }
  return true;
}

// A field's value: trimmed, valid UTF-8; OFAC's "-0-" marker (cut to "-0" at the very end of the
// 2019 add.csv) means empty.
std::string value(const std::string& raw) {
  const std::string_view t = trim(raw);
  if (t == "-0-" || t == "-0") return {};
  return clean_text(t);
}

bool is_ent_num(std::string_view s) {
  if (s.empty() || s.size() > 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}


// Remark items that name an identity document, and the document type they become.
struct DocumentKind {
  std::string_view prefix;
  std::string_view type;
};
constexpr DocumentKind kDocumentKinds[] = {
    {"Passport", "passport"},
    {"Diplomatic Passport", "diplomatic_passport"},
    {"Passport Booklet", "passport"},
    {"Travel Document Number", "travel_document"},
    {"National ID No.", "national_id"},
    {"D.N.I.", "national_id"},
    {"Personal ID Card", "national_id"},
    {"Identification Number", "national_id"},
    {"Citizen's Card Number", "national_id"},
    {"Numero de Identidad", "national_id"},
    {"Tazkira National ID Card", "national_id"},
    {"Kenyan ID No.", "national_id"},
    {"Bosnian Personal ID No.", "national_id"},
    {"Turkish Identification Number", "national_id"},
    {"Turkish Identificiation Number", "national_id"},
    {"National Foreign ID Number", "national_id"},
    {"C.U.R.P.", "national_id"},
    {"C.U.R.P. #", "national_id"},
    {"C.U.I.", "national_id"},
    {"C.U.I.P.", "national_id"},
    {"Cedula No.", "cedula"},
    {"Credencial electoral", "voter_id"},
    {"I.F.E.", "voter_id"},
    {"Electoral Registry No.", "voter_id"},
    {"Residency Number", "residence_permit"},
    {"Refugee ID Card", "refugee_id"},
    {"Birth Certificate Number", "birth_certificate"},
    {"Cartilla de Servicio Militar Nacional", "military_id"},
    {"Driver's License No.", "drivers_license"},
    {"SSN", "ssn"},
    {"VisaNumberID", "visa"},
    {"Immigration No.", "immigration_number"},
    {"Tax ID No.", "tax_id"},
    {"NIT #", "tax_id"},
    {"RUC #", "tax_id"},
    {"R.F.C.", "tax_id"},
    {"R.F.C. #", "tax_id"},
    {"RFC", "tax_id"},
    {"RIF #", "tax_id"},
    {"RTN", "tax_id"},
    {"V.A.T. Number", "tax_id"},
    {"C.U.I.T.", "tax_id"},
    {"C.I.F.", "tax_id"},
    {"US FEIN", "tax_id"},
    {"Italian Fiscal Code", "tax_id"},
    {"Numero Unico de Identificacao Tributaria (NUIT)", "tax_id"},
    {"Registration Number", "registration_number"},
    {"Registration ID", "registration_number"},
    {"Business Registration Number", "registration_number"},
    {"Business Registration Document #", "registration_number"},
    {"Company Number", "registration_number"},
    {"UK Company Number", "registration_number"},
    {"Commercial Registry Number", "registration_number"},
    {"Folio Mercantil No.", "registration_number"},
    {"Matricula Mercantil No", "registration_number"},
    {"C.R. No.", "registration_number"},
    {"Romanian C.R.", "registration_number"},
    {"Unified Social Credit Code (USCC)", "registration_number"},
    {"United Social Credit Code Certificate (USCCC)", "registration_number"},
    {"Legal Entity Number", "registration_number"},
    {"LE Number", "registration_number"},
    {"Government Gazette Number", "registration_number"},
    {"Economic Register Number (CBLS)", "registration_number"},
    {"Trade License No.", "registration_number"},
    {"Chamber of Commerce Number", "registration_number"},
    {"Istanbul Chamber of Comm. No.", "registration_number"},
    {"Dubai Chamber of Commerce Membership No.", "registration_number"},
    {"Central Registration System Number", "registration_number"},
    {"Public Registration Number", "registration_number"},
    {"Business Number", "registration_number"},
    {"Enterprise Number", "registration_number"},
    {"Branch Unit Number", "registration_number"},
    {"Certificate of Incorporation Number", "registration_number"},
    {"Registered Charity No.", "registration_number"},
    {"D-U-N-S Number", "duns"},
    {"License", "license"},
    {"Permit Number", "license"},
    {"Afghan Money Service Provider License Number", "license"},
    {"BIK (RU)", "bik"},
    {"Company Number IMO", "imo_company_number"},
    {"Identification Number IMO", "imo_company_number"},
    {"MMSI", "mmsi"},
    {"Aircraft Manufacturer's Serial Number (MSN)", "aircraft_msn"},
    {"Aircraft Construction Number (also called L/N or S/N or F/N)", "aircraft_construction_number"},
    {"Aircraft Tail Number", "tail_number"},
    {"Aircraft Mode S Transponder Code", "aircraft_mode_s"},
};

// Remark items that are understood and kept for the officer as they are, without counting as
// unrecognized: they describe, but do not identify.
constexpr std::string_view kInformational[] = {
    "POB ",
    "Linked To:",
    "Additional Sanctions Information",
    "Secondary sanctions risk",
    "Organization Established Date",
    "Organization Type",
    "Target Type",
    "Executive Order",
    "Listing Date",
    "Effective Date",
    "CAATSA Section",
    "Transactions Prohibited For Persons",
    "For more information on directives",
    "Aircraft Manufacture Date",
    "Aircraft Model",
    "Aircraft Operator",
    "Aircraft Manufacturer",
    "Former Vessel Flag",
    "Vessel Year of Build",
    "Vessel Type",
    "Other Vessel Flag",
    "Other Vessel Call Sign",
    "Other Vessel Type",
    "Website",
    "Email Address",
    "Email",
    "Phone Number",
    "Telephone",
    "PHONE",
    "Fax",
    "FAX",
    "Title",
    "Position",
    "Chinese Commercial Code",
    "Nationality of Registration",
    "Equity Ticker",
    "ISIN",
    "Issuer Name",
    "Stock Ticker",
    "Enterprise Code",
};

const DocumentKind* document_kind(std::string_view item) {
  const DocumentKind* best = nullptr;
  for (const auto& k : kDocumentKinds) {
    if (item.size() > k.prefix.size() && item[k.prefix.size()] == ' ' && item.starts_with(k.prefix) &&
        (best == nullptr || k.prefix.size() > best->prefix.size())) {
      best = &k;
    }
  }
  return best;
}

bool is_informational(std::string_view item) {
  for (auto p : kInformational) {
    if (item.starts_with(p)) return true;
  }
  return false;
}

std::optional<std::string_view> country_of(std::string_view text) { return schemas::ids::country_alpha3_of(text); }

// Builds entries from the three files. Problems that lose data are collected and fail the import.
class OfacImporter {
 public:
  explicit OfacImporter(ImportStats& stats) : stats_(stats) {}

  std::vector<WatchlistEntry> entries;
  std::vector<std::string> problems;

  void read_sdn(const std::vector<CsvRecord>& records) {
    entries.reserve(records.size());
    for (const auto& r : records) {
      const std::string where = "sdn.csv line " + std::to_string(r.line);
      if (r.fields.size() != 12) {
        problems.push_back(where + ": " + std::to_string(r.fields.size()) + " fields, expected 12");
        continue;
      }
      const std::string ent_num = value(r.fields[0]);
      if (!is_ent_num(ent_num)) {
        problems.push_back(where + ": ent_num \"" + clip(ent_num, 40) + "\" is not a number");
        continue;
      }
      const std::string name = clean_line(value(r.fields[1]));
      if (!is_usable_name(name)) {
        problems.push_back(where + " (ent_num " + ent_num + "): no name");
        continue;
      }
      if (!by_ent_num_.emplace(ent_num, entries.size()).second) {
        problems.push_back(where + ": duplicate ent_num " + ent_num);
        continue;
      }
      WatchlistEntry e;
      e.id = "ofac-" + ent_num;
      e.names.push_back(name);
      read_row(r.fields, e);
      entries.push_back(std::move(e));
    }
  }

  void read_alt(const std::vector<CsvRecord>& records) {
    for (const auto& r : records) {
      const std::string where = "alt.csv line " + std::to_string(r.line);
      if (r.fields.size() != 5) {
        problems.push_back(where + ": " + std::to_string(r.fields.size()) + " fields, expected 5");
        continue;
      }
      WatchlistEntry* e = entry_of(value(r.fields[0]), where);
      if (e == nullptr) continue;
      const std::string type = value(r.fields[2]);
      const std::string name = clean_line(value(r.fields[3]));
      const std::string remarks = value(r.fields[4]);
      const bool weak = type.find("weak") != std::string::npos || remarks.find("weak") != std::string::npos ||
                        remarks.find("Weak") != std::string::npos;
      if (!is_usable_name(name)) {
        ++stats_.unrecognized;
        add_remark(e->remarks, "alias without a name (" + type + ")");
        continue;
      }
      (weak ? e->weak_aliases : e->names).push_back(name);
      if (!remarks.empty() && !weak) add_remark(e->remarks, name + ": " + remarks);
    }
  }

  void read_add(const std::vector<CsvRecord>& records) {
    for (const auto& r : records) {
      const std::string where = "add.csv line " + std::to_string(r.line);
      if (r.fields.size() != 6) {
        problems.push_back(where + ": " + std::to_string(r.fields.size()) + " fields, expected 6");
        continue;
      }
      WatchlistEntry* e = entry_of(value(r.fields[0]), where);
      if (e == nullptr) continue;
      ++stats_.addresses;
      const std::string country = clean_line(value(r.fields[4]));
      // Where a person lives is not part of the entry; where an organisation is based is.
      if (country.empty() || e->type == EntityType::kPerson) continue;
      if (auto code = country_of(country)) {
        add_unique(e->countries, *code);
      } else {
        ++stats_.unrecognized;
        add_remark(e->remarks, "Address country " + country);
      }
    }
  }

 private:
  WatchlistEntry* entry_of(const std::string& ent_num, const std::string& where) {
    auto it = by_ent_num_.find(ent_num);
    if (it == by_ent_num_.end()) {
      problems.push_back(where + ": ent_num \"" + clip(ent_num, 40) + "\" is not in sdn.csv");
      return nullptr;
    }
    return &entries[it->second];
  }

  void read_row(const std::vector<std::string>& f, WatchlistEntry& e) {
    const std::string type = value(f[2]);
    if (type.empty()) {
      e.type = EntityType::kOrganization;
    } else if (iequals(type, "individual")) {
      e.type = EntityType::kPerson;
    } else if (iequals(type, "vessel")) {
      e.type = EntityType::kVessel;
    } else if (iequals(type, "aircraft")) {
      e.type = EntityType::kAircraft;
    } else {
      e.type = EntityType::kOrganization;
      ++stats_.unrecognized;
      add_remark(e.remarks, "SDN type " + type);
    }
    // "SDGT] [IFSR": several programmes in one field.
    const std::string program = value(f[3]);
    std::size_t pos = 0;
    while (pos <= program.size()) {
      auto end = program.find("] [", pos);
      if (end == std::string::npos) end = program.size();
      std::string_view p = trim(std::string_view(program).substr(pos, end - pos));
      while (!p.empty() && (p.front() == '[' || p.front() == ' ')) p.remove_prefix(1);
      while (!p.empty() && (p.back() == ']' || p.back() == ' ')) p.remove_suffix(1);
      if (!p.empty()) add_unique(e.programs, p);
      pos = end + 3;
    }
    if (auto title = value(f[4]); !title.empty()) add_remark(e.remarks, "Title: " + title);
    if (auto call_sign = clean_line(value(f[5])); !call_sign.empty()) e.call_sign = call_sign;
    if (auto v = value(f[6]); !v.empty()) add_remark(e.remarks, "Vessel type: " + v);
    if (auto v = value(f[7]); !v.empty()) add_remark(e.remarks, "Tonnage: " + v);
    if (auto v = value(f[8]); !v.empty()) add_remark(e.remarks, "GRT: " + v);
    if (auto flag = clean_line(value(f[9])); !flag.empty()) {
      if (auto code = country_of(flag)) {
        e.flag.assign(*code);
      } else {
        ++stats_.unrecognized;
        add_remark(e.remarks, "Flag: " + flag);
      }
    }
    if (auto v = value(f[10]); !v.empty()) add_remark(e.remarks, "Vessel owner: " + v);
    read_remarks(value(f[11]), e);
  }

  // The remarks column: items separated by "; ", the last one ending in ".".
  void read_remarks(std::string_view text, WatchlistEntry& e) {
    text = trim(text);
    // The legacy CSV cuts remarks at 1000 characters, mid-item: the last item of a long remark
    // without its final '.' cannot be trusted (a cut alias or address would be wrong data).
    const bool cut = text.size() >= kOfacRemarksLimit && text.back() != '.' && text.back() != ';';
    if (!text.empty() && (text.back() == '.' || text.back() == ';')) text.remove_suffix(1);
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find("; ", pos);
      if (end == std::string_view::npos) end = text.size();
      const std::string item = clean_line(text.substr(pos, end - pos));
      const bool last = end == text.size();
      pos = end + 2;
      if (item.empty()) continue;
      if (last && cut) {
        unrecognized(item + " [cut off in the source]", e);
      } else {
        read_item(item, e);
      }
    }
  }

  void unrecognized(std::string_view item, WatchlistEntry& e) {
    ++stats_.unrecognized;
    add_remark(e.remarks, item);
  }

  void read_item(const std::string& whole, WatchlistEntry& e) {
    std::string_view item = whole;
    if (item.starts_with("alt. ")) item.remove_prefix(5);
    // Names: a.k.a. 'X' (also f.k.a., n.k.a.; "weak a.k.a." is a low-quality alias).
    for (std::string_view kind : {"weak a.k.a.", "a.k.a.", "f.k.a.", "n.k.a."}) {
      if (!istarts_with(item, kind)) continue;
      std::string_view name = trim(item.substr(kind.size()));
      if (name.size() >= 2 && name.front() == '\'' && name.back() == '\'') name = name.substr(1, name.size() - 2);
      name = trim(name);
      if (!is_usable_name(name)) return unrecognized(whole, e);
      (kind == "weak a.k.a." ? e.weak_aliases : e.names).emplace_back(name);
      return;
    }
    if (item.starts_with("DOB ")) {
      if (auto dob = parse_dob(item.substr(4))) {
        e.dates_of_birth.push_back(std::move(*dob));
        return;
      }
      return unrecognized(whole, e);
    }
    for (std::string_view kind : {"nationality ", "citizen "}) {
      if (!item.starts_with(kind)) continue;
      if (auto code = country_of(item.substr(kind.size()))) {
        add_unique(e.nationalities, *code);
        return;
      }
      return unrecognized(whole, e);
    }
    if (item.starts_with("Gender ")) {
      const auto g = trim(item.substr(7));
      if (iequals(g, "male") || iequals(g, "female")) {
        e.gender = iequals(g, "male") ? "male" : "female";
        return;
      }
      return unrecognized(whole, e);
    }
    if (item.starts_with("Vessel Registration Identification IMO ")) {
      const std::string number(trim(item.substr(39)));
      if (normalize_imo(number).empty()) return unrecognized(whole, e);
      if (e.imo.empty()) {
        e.imo = number;
      } else {
        e.documents.push_back({"imo", number, ""});
      }
      return;
    }
    if (item.starts_with("Digital Currency Address - ")) {
      const std::string_view rest = trim(item.substr(27));
      const auto space = rest.find(' ');
      if (space == std::string_view::npos) return unrecognized(whole, e);
      const std::string_view currency = rest.substr(0, space), address = trim(rest.substr(space + 1));
      if (!shapes::currency(currency) || !shapes::crypto_address(address)) return unrecognized(whole, e);
      e.crypto_addresses.push_back({std::string(currency), std::string(address)});
      return;
    }
    if (item.starts_with("SWIFT/BIC ")) {
      const std::string_view bic = trim(item.substr(10));
      if (!shapes::bic(bic)) return unrecognized(whole, e);
      e.bics.emplace_back(bic);
      return;
    }
    if (item.starts_with("IBAN ")) {
      const std::string_view iban = trim(item.substr(5));
      if (!shapes::iban(iban)) return unrecognized(whole, e);
      e.ibans.emplace_back(iban);
      return;
    }
    if (const DocumentKind* kind = document_kind(item)) {
      if (read_document(*kind, item.substr(kind->prefix.size() + 1), e)) {
        return;
      }
      return unrecognized(whole, e);
    }
    if (is_informational(item)) {
      add_remark(e.remarks, whole);
      return;
    }
    unrecognized(whole, e);
  }

  // "<number> [(Country)] [issued ...] [expires ...]": the number, and the issuing country when a
  // parenthesised group names one. Anything more is kept in the remarks.
  bool read_document(const DocumentKind& kind, std::string_view rest, WatchlistEntry& e) {
    rest = trim(rest);
    std::size_t end = rest.size();
    for (std::string_view stop : {"(", " issued", " expires", " Issue Date", " Expire Date"}) {
      end = std::min(end, rest.find(stop));
    }
    std::string number(trim(rest.substr(0, end)));
    while (!number.empty() && (number.back() == ',' || number.back() == ';')) number.pop_back();
    if (normalize_document(number).empty()) return false;
    IdentityDocument doc{std::string(kind.type), number, ""};
    std::string extra(trim(rest.substr(end)));
    for (std::size_t open = extra.find('('); open != std::string::npos; open = extra.find('(', open + 1)) {
      const auto close = extra.find(')', open);
      if (close == std::string::npos) break;
      if (auto code = country_of(std::string_view(extra).substr(open + 1, close - open - 1))) {
        doc.country.assign(*code);
        extra.erase(open, close - open + 1);
        break;
      }
    }
    if (!trim(extra).empty()) add_remark(e.remarks, std::string(kind.prefix) + " " + number + " " + std::string(trim(extra)));
    e.documents.push_back(std::move(doc));
    return true;
  }

  // "12 Jan 1960", "Jan 1960", "1960", "circa 1960", "1960 to 1962", "01 Jan 1953 to 31 Dec 1954",
  // "circa 1979-1982".
  static std::optional<std::string> parse_dob(std::string_view s) {
    s = trim(s);
    bool approximate = false;
    if (istarts_with(s, "circa ")) {
      approximate = true;
      s = trim(s.substr(6));
    }
    auto range = [](std::string_view from, std::string_view to) -> std::optional<std::string> {
      auto a = parse_source_date(from), b = parse_source_date(to);
      if (!a || !b) return std::nullopt;
      const std::string ya = a->substr(0, 4), yb = b->substr(0, 4);
      if (ya == yb) return ya;
      if (ya > yb) return std::nullopt;
      return ya + "/" + yb;
    };
    if (const auto to = s.find(" to "); to != std::string_view::npos) return range(s.substr(0, to), s.substr(to + 4));
    if (s.size() == 9 && s[4] == '-') return range(s.substr(0, 4), s.substr(5));
    auto date = parse_source_date(s);
    if (!date) return std::nullopt;
    return approximate ? "~" + *date : *date;
  }

  ImportStats& stats_;
  std::unordered_map<std::string, std::size_t> by_ent_num_;
};

}  // namespace

Result<ImportedList> import_ofac_sdn_csv(std::string_view sdn, std::string_view alt, std::string_view add,
                                         const ImportOptions& options) {
  ImportedList out;
  out.format = ListFormat::kOfacSdnCsv;
  out.list.list_id = options.list_id.empty() ? "ofac-sdn" : options.list_id;
  out.list.name = options.name.empty() ? "OFAC Specially Designated Nationals and Blocked Persons (SDN)" : options.name;
  out.list.source = "US Treasury OFAC SDN list, legacy CSV (sdn.csv, alt.csv, add.csv)";

  struct File {
    std::string_view name, data;
    std::vector<CsvRecord> records;
  };
  std::array<File, 3> files = {{{"sdn.csv", sdn, {}}, {"alt.csv", alt, {}}, {"add.csv", add, {}}}};
  for (auto& f : files) {
    std::string error;
    if (!read_csv(f.data, f.records, error)) {
      return Error::fatal("import", "OFAC " + std::string(f.name) + ": not valid CSV: " + error);
    }
  }
  if (files[0].records.empty()) return Error::fatal("import", "OFAC sdn.csv: no records");

  OfacImporter importer(out.stats);
  importer.read_sdn(files[0].records);
  importer.read_alt(files[1].records);
  importer.read_add(files[2].records);
  if (!importer.problems.empty()) return problems_error("OFAC SDN", importer.problems);
  out.list.entries = std::move(importer.entries);
  count_entries(out.list.entries, out.stats);
  return out;
}

}  // namespace crosscheck::rules
