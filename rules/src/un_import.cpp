// UN Security Council consolidated list (XML) importer (docs/watchlists.md, "Importers").
#include <pugixml.hpp>

#include <algorithm>
#include <unordered_set>

#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/normalize.h"
#include "crosscheck/schemas/identifiers.h"
#include "import_common.h"

namespace crosscheck::rules {
namespace {

using namespace import_detail;

// Comments can run to pages; the officer gets the start and the reference to look up the rest.
constexpr std::size_t kMaxCommentBytes = 600;

std::string text_of(pugi::xml_node node) { return clean_line(node.child_value()); }
std::string child_text(pugi::xml_node node, const char* name) { return text_of(node.child(name)); }

std::optional<std::string_view> country_of(std::string_view text) {
  // "na" (not available) is not Namibia; country_alpha3_of accepts codes only in upper case.
  return schemas::ids::country_alpha3_of(text);
}

class UnImporter {
 public:
  explicit UnImporter(ImportStats& stats) : stats_(stats) {}

  std::vector<WatchlistEntry> entries;
  std::vector<std::string> problems;

  void read(pugi::xml_node root) {
    for (auto node : root.child("INDIVIDUALS").children("INDIVIDUAL")) read_subject(node, true);
    for (auto node : root.child("ENTITIES").children("ENTITY")) read_subject(node, false);
  }

 private:
  void unrecognized(WatchlistEntry& e, std::string_view remark) {
    ++stats_.unrecognized;
    add_remark(e.remarks, remark);
  }

  void read_subject(pugi::xml_node node, bool individual) {
    WatchlistEntry e;
    e.type = individual ? EntityType::kPerson : EntityType::kOrganization;
    const std::string reference = child_text(node, "REFERENCE_NUMBER");
    const std::string dataid = child_text(node, "DATAID");
    std::string id = !reference.empty() ? "un-" + reference : !dataid.empty() ? "un-" + dataid : "";
    const std::string where = std::string(individual ? "INDIVIDUAL" : "ENTITY") + " " + std::to_string(index_++) +
                              (id.empty() ? "" : " (" + clip(id, 60) + ")");
    if (id.empty()) {
      problems.push_back(where + ": no REFERENCE_NUMBER or DATAID");
      return;
    }
    if (!ids_.insert(id).second) {
      // A reference number used twice: the DATAID tells the records apart.
      if (dataid.empty() || !ids_.insert("un-" + dataid).second) {
        problems.push_back(where + ": duplicate id");
        return;
      }
      id = "un-" + dataid;
    }
    e.id = id;

    // The primary name: FIRST_NAME .. FOURTH_NAME (an entity has only FIRST_NAME).
    std::string name;
    for (const char* part : {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"}) {
      const std::string p = child_text(node, part);
      if (p.empty()) continue;
      if (!name.empty()) name += ' ';
      name += p;
    }
    if (is_usable_name(name)) e.names.push_back(name);
    const std::string original = child_text(node, "NAME_ORIGINAL_SCRIPT");
    if (is_usable_name(original)) e.names.push_back(original);

    for (auto alias : node.children(individual ? "INDIVIDUAL_ALIAS" : "ENTITY_ALIAS")) read_alias(alias, e);
    if (e.names.empty()) {
      if (e.weak_aliases.empty()) {
        problems.push_back(where + ": no name");
        return;
      }
      // Only low-quality aliases: the first becomes the name, so that the entry can be matched.
      e.names.push_back(e.weak_aliases.front());
      e.weak_aliases.erase(e.weak_aliases.begin());
    }

    if (const std::string program = child_text(node, "UN_LIST_TYPE"); !program.empty()) e.programs.push_back(program);
    for (auto v : node.child("TITLE").children("VALUE")) {
      if (const auto t = text_of(v); !t.empty()) add_remark(e.remarks, "Title: " + t);
    }
    for (auto v : node.child("DESIGNATION").children("VALUE")) {
      if (const auto t = text_of(v); !t.empty()) add_remark(e.remarks, "Designation: " + t);
    }
    for (auto v : node.child("NATIONALITY").children("VALUE")) {
      const std::string t = text_of(v);
      if (t.empty()) continue;
      if (auto code = country_of(t)) {
        add_unique(e.nationalities, *code);
      } else {
        unrecognized(e, "Nationality: " + t);
      }
    }
    if (const std::string gender = child_text(node, "GENDER"); !gender.empty()) {
      if (iequals(gender, "male") || iequals(gender, "female")) {
        e.gender = iequals(gender, "male") ? "male" : "female";
      } else {
        unrecognized(e, "Gender: " + gender);
      }
    }
    for (auto dob : node.children("INDIVIDUAL_DATE_OF_BIRTH")) read_date_of_birth(dob, e);
    for (auto pob : node.children("INDIVIDUAL_PLACE_OF_BIRTH")) {
      std::string place;
      for (const char* part : {"CITY", "STATE_PROVINCE", "COUNTRY", "NOTE"}) {
        const std::string p = child_text(pob, part);
        if (p.empty()) continue;
        if (!place.empty()) place += ", ";
        place += p;
      }
      if (!place.empty()) add_remark(e.remarks, "POB " + place);
    }
    for (auto doc : node.children("INDIVIDUAL_DOCUMENT")) read_document(doc, e);
    for (auto address : node.children(individual ? "INDIVIDUAL_ADDRESS" : "ENTITY_ADDRESS")) {
      bool any = false;
      for (auto child : address.children()) any = any || !trim(child.child_value()).empty();
      if (!any) continue;
      ++stats_.addresses;
      const std::string country = child_text(address, "COUNTRY");
      // Where a person lives is not part of the entry; where an organisation is based is.
      if (individual || country.empty()) continue;
      if (auto code = country_of(country)) {
        add_unique(e.countries, *code);
      } else {
        unrecognized(e, "Address country: " + country);
      }
    }
    std::string comments = child_text(node, "COMMENTS1");
    if (!comments.empty()) add_remark(e.remarks, clip(comments, kMaxCommentBytes));
    entries.push_back(std::move(e));
  }

  // The UN list often writes a note or the original script in parentheses inside an alias:
  // "Amir Khazmat (original script: Амир Хазмат)", "Jin Tiesan (金铁三)", "EL PARA (COMBAT NAME)".
  // The name is the part before the parenthesis; an original-script form becomes a name of its
  // own, so it can be matched; any other note goes to the remarks.
  static std::vector<std::string> split_alias(const std::string& raw, std::string& note) {
    const auto open = raw.find(" (");
    const auto close = raw.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open || close + 1 != raw.size()) return {raw};
    std::string base = raw.substr(0, open);
    std::string inner = raw.substr(open + 2, close - open - 2);
    constexpr std::string_view kScript = "original script:";
    const bool script = inner.rfind(kScript, 0) == 0;
    if (script) inner = inner.substr(kScript.size());
    while (!inner.empty() && inner.front() == ' ') inner.erase(inner.begin());
    const bool non_latin = std::any_of(inner.begin(), inner.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }) &&
                           std::none_of(inner.begin(), inner.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
    if (script || non_latin) return {base, inner};
    note = inner;
    return {base};
  }

  void read_alias(pugi::xml_node alias, WatchlistEntry& e) {
    const std::string raw = child_text(alias, "ALIAS_NAME");
    if (raw.empty()) return;
    std::string note;
    const std::vector<std::string> names = split_alias(raw, note);
    if (!note.empty()) add_remark(e.remarks, "Alias " + names.front() + ": " + note);
    const std::string quality = child_text(alias, "QUALITY");
    for (const auto& name : names) {
      if (!is_usable_name(name)) {
        unrecognized(e, "Alias: " + name);
        continue;
      }
      (iequals(quality, "Low") ? e.weak_aliases : e.names).push_back(name);
    }
    const std::string& name = names.front();
    // An alias can carry its own date of birth.
    if (const std::string dob = child_text(alias, "DATE_OF_BIRTH"); !dob.empty()) {
      if (auto date = parse_source_date(dob)) {
        e.dates_of_birth.push_back(*date);
      } else {
        unrecognized(e, "DOB of alias " + name + ": " + dob);
      }
    }
  }

  // TYPE_OF_DATE EXACT / APPROXIMATELY / BETWEEN with DATE, YEAR or FROM_YEAR..TO_YEAR; a NOTE
  // alone may still hold a month and year ("Nov. 1973").
  void read_date_of_birth(pugi::xml_node dob, WatchlistEntry& e) {
    const std::string type = child_text(dob, "TYPE_OF_DATE");
    const std::string date = child_text(dob, "DATE"), year = child_text(dob, "YEAR");
    const std::string from = child_text(dob, "FROM_YEAR"), to = child_text(dob, "TO_YEAR");
    const std::string note = child_text(dob, "NOTE");
    const bool approximate = iequals(type, "APPROXIMATELY");
    std::optional<std::string> value;
    std::string source;
    if (!from.empty() || !to.empty()) {
      source = from + " to " + to;
      auto a = parse_source_date(from), b = parse_source_date(to);
      if (a && b && a->size() == 4 && b->size() == 4 && *a <= *b) value = *a == *b ? *a : *a + "/" + *b;
    } else if (!date.empty() || !year.empty()) {
      source = !date.empty() ? date : year;
      value = parse_source_date(source);
      if (value && approximate) value = "~" + *value;
    } else if (!note.empty()) {
      source = note;
      value = parse_source_date(note);
      if (value && approximate) value = "~" + *value;
      if (value) {
        e.dates_of_birth.push_back(*value);
        return;
      }
    } else {
      return;  // an empty element
    }
    if (!value) {
      unrecognized(e, "DOB " + source);
      return;
    }
    e.dates_of_birth.push_back(*value);
    if (!note.empty()) add_remark(e.remarks, "DOB " + *value + ": " + note);
  }

  void read_document(pugi::xml_node doc, WatchlistEntry& e) {
    const std::string type = child_text(doc, "TYPE_OF_DOCUMENT");
    const std::string number = child_text(doc, "NUMBER");
    const std::string note = child_text(doc, "NOTE");
    std::string country = child_text(doc, "ISSUING_COUNTRY");
    if (country.empty()) country = child_text(doc, "COUNTRY_OF_ISSUE");
    if (type.empty() && number.empty() && note.empty() && country.empty()) return;  // an empty element
    std::string kind;
    if (istarts_with(type, "Passport") || istarts_with(type, "Num") /* Número/Numéro de pasaporte */) {
      kind = "passport";
    } else if (istarts_with(type, "National Identification")) {
      kind = "national_id";
    } else {
      kind = type;
    }
    if (normalize_document(number).empty()) {
      unrecognized(e, "Document: " + type + (number.empty() ? "" : " " + number) + (note.empty() ? "" : " " + note));
      return;
    }
    IdentityDocument d{kind, number, ""};
    if (!country.empty()) {
      if (auto code = country_of(country)) {
        d.country.assign(*code);
      } else {
        add_remark(e.remarks, type + " " + number + " issued in " + country);
      }
    }
    if (!note.empty()) add_remark(e.remarks, type + " " + number + ": " + note);
    e.documents.push_back(std::move(d));
  }

  ImportStats& stats_;
  std::unordered_set<std::string> ids_;
  std::size_t index_ = 0;
};

}  // namespace

Result<ImportedList> import_un_xml(std::string_view xml, const ImportOptions& options) {
  if (xml.size() > kMaxListBytes) {
    return Error::fatal("import", "UN list: " + std::to_string(xml.size()) + " bytes; the limit is " +
                                      std::to_string(kMaxListBytes));
  }
  pugi::xml_document doc;
  // parse_default: no DTD processing (a DOCTYPE is skipped, its entities never expanded), only
  // the five predefined entities and character references. pugixml parses without recursion.
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Error::fatal("import", std::string("UN list: not well-formed XML: ") + parsed.description() +
                                      " at byte " + std::to_string(parsed.offset));
  }
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "CONSOLIDATED_LIST") {
    return Error::fatal("import", "UN list: the root element is <" + clip(clean_line(root.name()), 60) +
                                      ">, expected <CONSOLIDATED_LIST>");
  }
  ImportedList out;
  out.format = ListFormat::kUnXml;
  out.list.list_id = options.list_id.empty() ? "un-sc" : options.list_id;
  out.list.name = options.name.empty() ? "UN Security Council Consolidated List" : options.name;
  out.list.source = "UN Security Council consolidated list XML";
  if (const auto generated = clean_line(root.attribute("dateGenerated").value()); !generated.empty()) {
    out.list.source += ", generated " + clip(generated, 40);
  }

  UnImporter importer(out.stats);
  importer.read(root);
  if (!importer.problems.empty()) return problems_error("UN list", importer.problems);
  out.list.entries = std::move(importer.entries);
  count_entries(out.list.entries, out.stats);
  return out;
}

}  // namespace crosscheck::rules
