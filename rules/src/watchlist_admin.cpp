#include "crosscheck/rules/watchlist_admin.h"

#include <cctype>

#include "crosscheck/json_writer.h"
#include "crosscheck/rules/watchlist_diff.h"
#include "import_common.h"

namespace crosscheck::rules {
namespace {

WatchlistAdminResult failed(const Error& error, bool usage = false) {
  WatchlistAdminResult r;
  static_cast<AdminResult&>(r) = admin_error(error, usage);
  r.error = error;
  return r;
}

// The first meaningful bytes: after a UTF-8 byte order mark and white space (as import_list
// detects a file's format).
std::string_view content_start(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  const auto b = data.find_first_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string_view() : data.substr(b);
}

bool looks_like_xml(std::string_view data) {
  const auto s = content_start(data);
  return s.starts_with("<?xml") || s.starts_with("<CONSOLIDATED_LIST");
}
bool looks_like_json(std::string_view data) { return content_start(data).starts_with("{"); }
// sdn.csv has no header row: every record starts with its numeric ent_num and a comma.
bool looks_like_ofac_csv(std::string_view data) {
  const auto s = content_start(data);
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) ++i;
  return i > 0 && i < s.size() && s[i] == ',';
}

void write_stats(json::Writer& w, const ImportStats& s) {
  w.key("stats").begin_object();
  w.field("entries", static_cast<std::uint64_t>(s.entries));
  w.field("persons", static_cast<std::uint64_t>(s.persons));
  w.field("organizations", static_cast<std::uint64_t>(s.organizations));
  w.field("vessels", static_cast<std::uint64_t>(s.vessels));
  w.field("aircraft", static_cast<std::uint64_t>(s.aircraft));
  w.field("aliases", static_cast<std::uint64_t>(s.aliases));
  w.field("weak_aliases", static_cast<std::uint64_t>(s.weak_aliases));
  w.field("dates_of_birth", static_cast<std::uint64_t>(s.dates_of_birth));
  w.field("documents", static_cast<std::uint64_t>(s.documents));
  w.field("addresses", static_cast<std::uint64_t>(s.addresses));
  w.field("unrecognized", static_cast<std::uint64_t>(s.unrecognized));
  w.end_object();
}

WatchlistAdminResult diff_result(const Watchlist& older, const Watchlist& newer, std::size_t max_lines) {
  const auto diff = diff_watchlists(older, newer);
  WatchlistAdminResult r;
  r.text = format_diff_text(older, newer, diff, max_lines);
  r.json = format_diff_json(older, newer, diff);
  return r;
}

}  // namespace

std::string format_import_stats(const ImportedList& imported) {
  const auto& s = imported.stats;
  return "read " + imported.list.list_id + " (" + std::string(to_string(imported.format)) +
         "): " + std::to_string(s.entries) + " entries (" + std::to_string(s.persons) + " persons, " +
         std::to_string(s.organizations) + " organisations, " + std::to_string(s.vessels) + " vessels, " +
         std::to_string(s.aircraft) + " aircraft), " + std::to_string(s.aliases) + " aliases (" +
         std::to_string(s.weak_aliases) + " weak), " + std::to_string(s.dates_of_birth) + " dates of birth, " +
         std::to_string(s.documents) + " documents, " + std::to_string(s.addresses) + " addresses, " +
         std::to_string(s.unrecognized) + " remarks kept as text\n";
}

Result<ImportedList> import_list_content(std::string_view content, const ImportOptions& options,
                                         std::string_view what) {
  const std::string name(what);
  if (content_start(content).empty()) return Error::fatal("import", name + " is empty: expected a watchlist");
  if (content.size() > import_detail::kMaxListBytes) {
    return Error::fatal("import", name + " is " + std::to_string(content.size()) + " bytes; the limit is " +
                                      std::to_string(import_detail::kMaxListBytes));
  }
  ListFormat format = options.format;
  if (format == ListFormat::kAuto) {
    if (looks_like_xml(content)) format = ListFormat::kUnXml;
    else if (looks_like_json(content)) format = ListFormat::kJson;
    else if (looks_like_ofac_csv(content)) format = ListFormat::kOfacSdnCsv;
    else {
      return Error::fatal("import", name +
                                        ": unknown list format: expected an OFAC sdn.csv, a UN consolidated list "
                                        "XML file, or a JSON watchlist");
    }
  }
  switch (format) {
    case ListFormat::kJson: {
      if (!looks_like_json(content)) return Error::fatal("import", name + ": not a JSON watchlist (expected '{')");
      auto list = parse_watchlist_json(content);
      if (!list) return Error::fatal("import", name + ": " + list.error().message());
      ImportedList out;
      out.format = ListFormat::kJson;
      out.list = std::move(*list);
      if (!options.list_id.empty()) out.list.list_id = options.list_id;
      if (!options.name.empty()) out.list.name = options.name;
      import_detail::count_entries(out.list.entries, out.stats);
      return out;
    }
    case ListFormat::kUnXml: {
      if (!looks_like_xml(content)) {
        return Error::fatal("import", name + ": not a UN consolidated list (expected XML starting with <?xml or "
                                             "<CONSOLIDATED_LIST)");
      }
      auto out = import_un_xml(content, options);
      if (!out) return Error::fatal("import", name + ": " + out.error().message());
      return out;
    }
    case ListFormat::kOfacSdnCsv: {
      auto out = import_ofac_sdn_csv(content, {}, {}, options);
      if (!out) return Error::fatal("import", name + ": " + out.error().message());
      return out;
    }
    case ListFormat::kAuto: break;
  }
  return Error::fatal("import", name + ": unknown list format");  // unreachable: kAuto resolved above
}

WatchlistAdminResult admin_watchlist_publish(WatchlistStore& store, AuditLog& audit, const ImportedList& imported,
                                             const std::string& actor) {
  // Checked before publishing: a version nobody can be held to account for must not go live.
  if (actor.empty()) return failed(Error::fatal("cli", "no actor: the audit trail needs who publishes"), true);
  const Watchlist& list = imported.list;
  AuditRecord rec;
  rec.actor = actor;
  rec.action = audit_action::kPublish;
  rec.object_type = "watchlist";
  rec.object_id = list.list_id;
  rec.details = "{\"entries\":" + std::to_string(list.entries.size()) + "}";
  auto published = store.publish_audited(list, audit, rec);
  if (!published) return failed(published.error());
  const std::uint64_t version = published->version;
  const std::optional<std::uint64_t>& before_version = published->before_version;

  WatchlistAdminResult r;
  r.text = "published " + list.list_id + " version " + std::to_string(version) + " (" +
           std::to_string(list.entries.size()) + " entries)\n";
  json::Writer w(r.json);
  w.begin_object().field("ok", true).field("list_id", list.list_id).field("name", list.name);
  w.field("format", to_string(imported.format)).field("version", version).key("before_version");
  if (before_version) w.number(*before_version); else w.null();
  w.field("entries", static_cast<std::uint64_t>(list.entries.size()));
  write_stats(w, imported.stats);
  w.end_object();
  return r;
}

WatchlistAdminResult admin_watchlist_publish_content(WatchlistStore& store, AuditLog& audit, std::string_view content,
                                                     const ImportOptions& options, const std::string& actor) {
  auto imported = import_list_content(content, options);
  if (!imported) return failed(imported.error(), true);
  return admin_watchlist_publish(store, audit, *imported, actor);
}

WatchlistAdminResult admin_watchlist_versions(WatchlistStore& store) {
  auto versions = store.current_versions();
  if (!versions) return failed(versions.error());
  WatchlistAdminResult r;
  json::Writer w(r.json);
  w.begin_object().field("ok", true).key("lists").begin_array();
  for (const auto& [id, v] : *versions) {
    r.text += id + "\t" + std::to_string(v) + "\n";
    w.begin_object().field("list_id", id).field("version", v).end_object();
  }
  w.end_array().end_object();
  return r;
}

WatchlistAdminResult admin_watchlist_diff(WatchlistStore& store, const std::string& list_id, std::uint64_t from,
                                          std::uint64_t to, std::size_t max_lines) {
  auto older = store.load(list_id, from);
  if (!older) return failed(older.error());
  auto newer = store.load(list_id, to);
  if (!newer) return failed(newer.error());
  return diff_result(*older, *newer, max_lines);
}

WatchlistAdminResult admin_watchlist_diff_lists(const Watchlist& older, const Watchlist& newer, std::size_t max_lines) {
  return diff_result(older, newer, max_lines);
}

}  // namespace crosscheck::rules
