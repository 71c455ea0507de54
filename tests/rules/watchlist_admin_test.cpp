// The watchlist managers' operations (watchlist_admin.h) shared by the CLI and the manager API:
// importing a list from memory (as the API receives it) gives what importing the file gives;
// publishing, versions and diffs against the real Redis, with their audit records, statuses and
// JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crosscheck/rules/audit_log.h"
#include "crosscheck/rules/list_import.h"
#include "crosscheck/rules/redis_client.h"
#include "crosscheck/rules/watchlist.h"
#include "crosscheck/rules/watchlist_admin.h"
#include "crosscheck/rules/watchlist_diff.h"
#include "crosscheck/rules/watchlist_store.h"
#include "crosscheck/testing/redis_test_env.h"
#include "crosscheck/testing/test_env.h"

namespace crosscheck::rules {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = std::string(CROSSCHECK_FIXTURES_DIR) + "/watchlists";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(simdjson::padded_string(json)).get(root), simdjson::SUCCESS) << json;
  return root;
}

void expect_same_import(const ImportedList& a, const ImportedList& b) {
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(format_import_stats(a), format_import_stats(b));
  EXPECT_EQ(encode_watchlist_json(a.list), encode_watchlist_json(b.list));
}

// ---- no server ---------------------------------------------------------------------------------

TEST(WatchlistImportContent, DetectsEachFormatAndReadsWhatTheFileImportReads) {
  for (const char* rel : {"/demo.json", "/un/consolidated-sample.xml"}) {
    const std::string path = kFixtures + rel;
    auto from_file = import_list(path);
    ASSERT_TRUE(from_file.ok()) << from_file.error().to_string();
    auto from_memory = import_list_content(read_text(path), {});
    ASSERT_TRUE(from_memory.ok()) << rel << ": " << from_memory.error().to_string();
    expect_same_import(*from_memory, *from_file);
  }
  EXPECT_EQ(import_list_content(read_text(kFixtures + "/demo.json"), {})->format, ListFormat::kJson);
  EXPECT_EQ(import_list_content(read_text(kFixtures + "/un/consolidated-sample.xml"), {})->format, ListFormat::kUnXml);

  // OFAC in one body is sdn.csv alone: the same as importing a folder holding only sdn.csv.
  const std::string dir = "/tmp/" + testing::unique_name("sdn-only");
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kFixtures + "/ofac/sdn.csv", dir + "/sdn.csv");
  auto from_file = import_list(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(from_file.ok()) << from_file.error().to_string();
  auto from_memory = import_list_content(read_text(kFixtures + "/ofac/sdn.csv"), {});
  ASSERT_TRUE(from_memory.ok()) << from_memory.error().to_string();
  EXPECT_EQ(from_memory->format, ListFormat::kOfacSdnCsv);
  expect_same_import(*from_memory, *from_file);
  // ...which is less than the folder with alt.csv and add.csv beside it.
  auto full = import_list(kFixtures + "/ofac");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->stats.entries, from_memory->stats.entries);
  EXPECT_GT(full->stats.addresses, from_memory->stats.addresses);
}

TEST(WatchlistImportContent, OptionsAndRefusals) {
  const std::string demo = read_text(kFixtures + "/demo.json");
  ImportOptions named;
  named.list_id = "renamed";
  named.name = "Renamed list";
  auto r = import_list_content(demo, named);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->list.list_id, "renamed");
  EXPECT_EQ(r->list.name, "Renamed list");

  ImportOptions as_un;
  as_un.format = ListFormat::kUnXml;
  auto wrong = import_list_content(demo, as_un, "body");
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.error().message(), HasSubstr("body: not a UN consolidated list"));
  ImportOptions as_json;
  as_json.format = ListFormat::kJson;
  EXPECT_FALSE(import_list_content(read_text(kFixtures + "/un/consolidated-sample.xml"), as_json).ok());

  for (const std::string bad : {"", "  \n", "hello, world", "{\"list_id\":", "<html></html>"}) {
    auto e = import_list_content(bad, {});
    ASSERT_FALSE(e.ok()) << "accepted: " << bad;
    EXPECT_EQ(e.error().component(), "import");
    EXPECT_TRUE(e.error().is_fatal());
  }
}

TEST(WatchlistAdminDiff, ListsInMemoryGiveTheDiffFormatters) {
  auto older = import_list(kFixtures + "/demo.json");
  ASSERT_TRUE(older.ok());
  Watchlist newer = older->list;
  const std::string removed_id = newer.entries[1].id;
  newer.entries.erase(newer.entries.begin() + 1);
  newer.entries[0].names.push_back("Extra ALIAS");
  auto r = admin_watchlist_diff_lists(older->list, newer, 1);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.error.has_value());
  const auto diff = diff_watchlists(older->list, newer);
  EXPECT_EQ(r.json, format_diff_json(older->list, newer, diff));
  EXPECT_EQ(r.text, format_diff_text(older->list, newer, diff, 1));
  EXPECT_THAT(r.text, HasSubstr("0 added, 1 removed, 1 changed"));
  EXPECT_THAT(r.text, HasSubstr("... 1 more"));
  EXPECT_THAT(r.json, HasSubstr(removed_id));
}

// ---- against Redis -----------------------------------------------------------------------------

class WatchlistAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CROSSCHECK_REQUIRE_REDIS();
    env_ = std::make_unique<testing::RedisTestEnv>(*testing::redis_address());
    redis_ = std::make_unique<RedisClient>(env_->config());
    store_ = std::make_unique<WatchlistStore>(*redis_, env_->prefix());
    audit_ = std::make_unique<AuditLog>(*redis_, env_->prefix());
  }
  std::vector<AuditEntry> publishes() {
    AuditFilter f;
    f.action = "publish";
    f.limit = 0;
    f.newest_first = false;
    auto r = audit_->list(f);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<AuditEntry>{};
  }
  std::unique_ptr<testing::RedisTestEnv> env_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<WatchlistStore> store_;
  std::unique_ptr<AuditLog> audit_;
};

TEST_F(WatchlistAdminTest, PublishVersionsAndDiffWithAudit) {
  const std::string demo = read_text(kFixtures + "/demo.json");
  auto first = admin_watchlist_publish_content(*store_, *audit_, demo, {}, "alice");
  ASSERT_TRUE(first.ok()) << first.text << first.json;
  EXPECT_EQ(first.text, "published demo-national version 1 (15 entries)\n");
  simdjson::dom::parser parser;
  auto j1 = parse(parser, first.json);
  EXPECT_EQ(j1["version"].get_uint64().value(), 1u);
  EXPECT_TRUE(j1["before_version"].is_null());
  EXPECT_EQ(std::string(j1["format"].get_string().value()), "json");
  EXPECT_EQ(j1["stats"]["persons"].get_uint64().value(), 6u);

  // A second version with one entry gone and one alias more, published from an ImportedList.
  auto imported = import_list_content(demo, {});
  ASSERT_TRUE(imported.ok());
  imported->list.entries.pop_back();
  imported->list.entries[0].names.push_back("Second ALIAS");
  auto second = admin_watchlist_publish(*store_, *audit_, *imported, "bob");
  ASSERT_TRUE(second.ok()) << second.json;
  auto j2 = parse(parser, second.json);
  EXPECT_EQ(j2["version"].get_uint64().value(), 2u);
  EXPECT_EQ(j2["before_version"].get_uint64().value(), 1u);
  EXPECT_EQ(j2["entries"].get_uint64().value(), 14u);

  auto audited = publishes();
  ASSERT_EQ(audited.size(), 2u);
  EXPECT_EQ(audited[0].record.actor, "alice");
  EXPECT_EQ(audited[0].record.object_type, "watchlist");
  EXPECT_EQ(audited[0].record.object_id, "demo-national");
  EXPECT_FALSE(audited[0].record.before_version.has_value());
  EXPECT_EQ(audited[0].record.after_version, 1u);
  EXPECT_EQ(audited[0].record.details, "{\"entries\":15}");
  EXPECT_EQ(audited[1].record.actor, "bob");
  EXPECT_EQ(audited[1].record.before_version, 1u);
  EXPECT_EQ(audited[1].record.after_version, 2u);

  auto un = admin_watchlist_publish_content(*store_, *audit_, read_text(kFixtures + "/un/consolidated-sample.xml"), {},
                                            "alice");
  ASSERT_TRUE(un.ok()) << un.json;
  auto versions = admin_watchlist_versions(*store_);
  ASSERT_TRUE(versions.ok()) << versions.json;
  EXPECT_EQ(versions.text, "demo-national\t2\nun-sc\t1\n");
  EXPECT_EQ(versions.json,
            R"({"ok":true,"lists":[{"list_id":"demo-national","version":2},{"list_id":"un-sc","version":1}]})");

  auto diff = admin_watchlist_diff(*store_, "demo-national", 1, 2);
  ASSERT_TRUE(diff.ok()) << diff.text;
  auto v1 = store_->load("demo-national", 1);
  auto v2 = store_->load("demo-national", 2);
  ASSERT_TRUE(v1.ok() && v2.ok());
  const auto expected = diff_watchlists(*v1, *v2);
  EXPECT_EQ(diff.json, format_diff_json(*v1, *v2, expected));
  EXPECT_EQ(diff.text, format_diff_text(*v1, *v2, expected));
  EXPECT_THAT(diff.text, HasSubstr("0 added, 1 removed, 1 changed, 13 unchanged"));

  auto missing = admin_watchlist_diff(*store_, "demo-national", 1, 9);
  EXPECT_EQ(missing.status, AdminStatus::kRejected);
  ASSERT_TRUE(missing.error.has_value());
  EXPECT_TRUE(missing.not_found);
  EXPECT_EQ(missing.exit_code(), 1);  // the CLI's exit code for a refusal, unchanged
  EXPECT_THAT(missing.json, HasSubstr("does not exist"));
}

TEST_F(WatchlistAdminTest, RefusalsPublishNothing) {
  const std::string demo = read_text(kFixtures + "/demo.json");
  auto garbage = admin_watchlist_publish_content(*store_, *audit_, "not a list", {}, "alice");
  EXPECT_EQ(garbage.status, AdminStatus::kUsage);
  ASSERT_TRUE(garbage.error.has_value());
  EXPECT_EQ(garbage.error->component(), "import");
  EXPECT_THAT(garbage.json, HasSubstr(R"("ok":false)"));

  auto no_actor = admin_watchlist_publish_content(*store_, *audit_, demo, {}, "");
  EXPECT_EQ(no_actor.status, AdminStatus::kUsage);

  ImportOptions bad_id;
  bad_id.list_id = "Bad Id!";
  auto refused = admin_watchlist_publish_content(*store_, *audit_, demo, bad_id, "alice");
  EXPECT_EQ(refused.status, AdminStatus::kRejected);
  EXPECT_THAT(refused.json, HasSubstr("invalid list id"));

  auto versions = admin_watchlist_versions(*store_);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions.text, "");
  EXPECT_EQ(versions.json, R"({"ok":true,"lists":[]})");
  EXPECT_TRUE(publishes().empty());
}

TEST_F(WatchlistAdminTest, NothingGoesLiveWithoutItsAuditRecord) {
  const std::string demo = read_text(kFixtures + "/demo.json");
  ASSERT_EQ(admin_watchlist_publish_content(*store_, *audit_, demo, {}, "alice").status, AdminStatus::kOk);
  // The audit stream key now holds a string: the XADD of the next publish fails.
  ASSERT_TRUE(redis_->command({"RENAME", env_->prefix() + "audit", env_->prefix() + "audit-kept"}).ok());
  ASSERT_TRUE(redis_->command({"SET", env_->prefix() + "audit", "not a stream"}).ok());
  auto r = admin_watchlist_publish_content(*store_, *audit_, demo, {}, "bob");
  EXPECT_EQ(r.status, AdminStatus::kUnavailable);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_THAT(r.json, HasSubstr("with its audit record (nothing was made live)"));
  auto versions = admin_watchlist_versions(*store_);
  EXPECT_EQ(versions.text, "demo-national\t1\n") << "version 2 went live without an audit record";

  // With the stream back, the next publish is live and audited, from version 1 to 3 (2 was never
  // live and is named by no record).
  ASSERT_TRUE(redis_->command({"DEL", env_->prefix() + "audit"}).ok());
  ASSERT_TRUE(redis_->command({"RENAME", env_->prefix() + "audit-kept", env_->prefix() + "audit"}).ok());
  auto ok = admin_watchlist_publish_content(*store_, *audit_, demo, {}, "carol");
  ASSERT_EQ(ok.status, AdminStatus::kOk) << ok.json;
  EXPECT_EQ(admin_watchlist_versions(*store_).text, "demo-national\t3\n");
  auto p = publishes();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.back().record.actor, "carol");
  EXPECT_EQ(p.back().record.before_version, 1u);
  EXPECT_EQ(p.back().record.after_version, 3u);
}

TEST(WatchlistAdminUnavailable, RedisDownIsUnavailableAndRetriable) {
  RedisConfig config;
  config.port = 1;  // nothing listens there
  config.connect_timeout = std::chrono::milliseconds(200);
  RedisClient client(config);
  WatchlistStore store(client, "cctest-nowhere:");
  AuditLog audit(client, "cctest-nowhere:");
  auto v = admin_watchlist_versions(store);
  EXPECT_EQ(v.status, AdminStatus::kUnavailable);
  ASSERT_TRUE(v.error.has_value());
  EXPECT_TRUE(v.error->is_retriable());
  EXPECT_THAT(v.json, HasSubstr(R"("retriable":true)"));
  auto p = admin_watchlist_publish_content(store, audit, read_text(kFixtures + "/demo.json"), {}, "alice");
  EXPECT_EQ(p.status, AdminStatus::kUnavailable);
  EXPECT_EQ(admin_watchlist_diff(store, "demo-national", 1, 2).status, AdminStatus::kUnavailable);
}

}  // namespace
}  // namespace crosscheck::rules
