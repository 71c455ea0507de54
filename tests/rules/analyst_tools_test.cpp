// score-names (CSV) and screen (JSON lines): well-formed input, and hostile input that must end
// in an error row or line, never a crash or a lost line.
#include "crosscheck/rules/analyst_tools.h"

#include <gtest/gtest.h>

#include <simdjson.h>

#include <random>
#include <regex>
#include <sstream>

namespace crosscheck::rules {
namespace {

struct CsvRun {
  Result<BatchStats> stats = Error::fatal("test", "not run");
  std::string output;
};

CsvRun run_csv(const std::string& input, double threshold = 0.85) {
  std::istringstream in(input);
  std::ostringstream out;
  CsvRun r;
  r.stats = score_names_csv(in, out, ScoreNamesOptions{threshold});
  r.output = out.str();
  return r;
}

std::vector<std::vector<std::string>> read_csv(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    EXPECT_EQ(reader.problem(), "") << "output must be valid CSV";
    rows.push_back(fields);
  }
  return rows;
}

std::size_t column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// ---- CSV reader --------------------------------------------------------------------------------

TEST(CsvReader, ReadsQuotedFieldsDoubledQuotesEmbeddedNewlinesAndCrlf) {
  std::istringstream in("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",,x\r\n");
  CsvReader reader(in);
  std::vector<std::string> f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b,c", "say \"hi\""}));
  EXPECT_TRUE(reader.crlf());
  EXPECT_EQ(reader.line(), 1u);
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"multi\nline", "", "x"}));
  EXPECT_EQ(reader.line(), 2u);
  EXPECT_EQ(reader.problem(), "");
  EXPECT_FALSE(reader.next(f));
}

TEST(CsvReader, ReportsBadQuotingButKeepsGoing) {
  std::istringstream in("ab\"c,d\n\"x\"y,z\nok,1\n\"open,never closed\n");
  CsvReader reader(in);
  std::vector<std::string> f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_NE(reader.problem().find("stray quote"), std::string::npos);
  ASSERT_TRUE(reader.next(f));
  EXPECT_NE(reader.problem().find("after the closing quote"), std::string::npos);
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(reader.problem(), "");
  EXPECT_EQ(f, (std::vector<std::string>{"ok", "1"}));
  ASSERT_TRUE(reader.next(f));
  EXPECT_NE(reader.problem().find("not closed"), std::string::npos);
  EXPECT_FALSE(reader.next(f));
}

TEST(CsvReader, BoundsRecordSizeAndResynchronises) {
  std::string big(5000, 'x');
  std::istringstream in("a," + big + "\nb,c\n");
  CsvReader reader(in, 1000);
  std::vector<std::string> f;
  ASSERT_TRUE(reader.next(f));
  EXPECT_NE(reader.problem().find("longer than 1000"), std::string::npos);
  std::size_t held = 0;
  for (auto& s : f) held += s.size();
  EXPECT_LE(held, 1000u);
  ASSERT_TRUE(reader.next(f));
  EXPECT_EQ(reader.problem(), "");
  EXPECT_EQ(f, (std::vector<std::string>{"b", "c"}));
}

TEST(CsvReader, FieldsRoundTripThroughAppendCsvField) {
  const std::vector<std::string> fields = {"plain", "com,ma", "quo\"te", "new\nline", "cr\r", "", "  spaced  "};
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) line += ',';
    append_csv_field(line, fields[i]);
  }
  line += "\n";
  auto rows = read_csv(line);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], fields);
}

// ---- score-names -------------------------------------------------------------------------------

TEST(ScoreNamesCsv, AddsScoreAndMatchColumns) {
  auto r = run_csv(
      "schema,name1,name2\n"
      "Person,Ivan Petrov,Ivan Petrov\n"
      "Person,Ivan Petrov,Maria Gonzalez\n");
  ASSERT_TRUE(r.stats.ok()) << r.stats.error().to_string();
  EXPECT_EQ(r.stats->rows, 2u);
  EXPECT_EQ(r.stats->errors, 0u);
  EXPECT_EQ(r.stats->matches, 1u);
  auto rows = read_csv(r.output);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"schema", "name1", "name2", "score", "match"}));
  const std::regex three_decimals("[01]\\.[0-9]{3}");
  EXPECT_TRUE(std::regex_match(rows[1][3], three_decimals)) << rows[1][3];
  EXPECT_TRUE(std::regex_match(rows[2][3], three_decimals)) << rows[2][3];
  EXPECT_EQ(rows[1][4], "true");
  EXPECT_EQ(rows[2][4], "false");
  EXPECT_GT(std::stod(rows[1][3]), std::stod(rows[2][3]));
}

TEST(ScoreNamesCsv, MatchFollowsThePrintedScoreAndTheThreshold) {
  const std::string input = "schema,name1,name2\nPerson,Ivan Petrov,Ivan Petrova\n";
  auto base = run_csv(input);
  ASSERT_TRUE(base.stats.ok());
  const double score = std::stod(read_csv(base.output)[1][3]);
  ASSERT_GT(score, 0.01);
  auto at = run_csv(input, score);  // the printed score itself reaches the threshold
  EXPECT_EQ(read_csv(at.output)[1][4], "true");
  auto above = run_csv(input, std::min(1.0, score + 0.001));
  if (score < 1.0) {
    EXPECT_EQ(read_csv(above.output)[1][4], "false");
  }
}

TEST(ScoreNamesCsv, ColumnsInAnyPositionAndExtraColumnsPassThrough) {
  const std::string input =
      "id,Name2,note,SCHEMA,name1\r\n"
      "7,Ivan Petrov,\"has, comma and \"\"quotes\"\"\",person,Ivan Petrov\r\n"
      "8,ACME Trading LLC,\"two\nlines\",Company,Acme Trading\r\n";
  auto r = run_csv(input);
  ASSERT_TRUE(r.stats.ok()) << r.stats.error().to_string();
  EXPECT_EQ(r.stats->errors, 0u);
  EXPECT_NE(r.output.find("\r\n"), std::string::npos) << "CRLF input gives CRLF output";
  auto rows = read_csv(r.output);
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_EQ(rows[0].size(), 7u);
  EXPECT_EQ(rows[1][0], "7");
  EXPECT_EQ(rows[1][2], "has, comma and \"quotes\"");
  EXPECT_EQ(rows[2][2], "two\nlines");
  EXPECT_EQ(rows[1][column(rows[0], "match")], "true");
  EXPECT_FALSE(rows[2][column(rows[0], "score")].empty());
}

TEST(ScoreNamesCsv, SchemaNamesAreCaseInsensitive) {
  auto r = run_csv(
      "schema,name1,name2\n"
      "PERSON,Ivan Petrov,Ivan Petrov\n"
      "legalentity,Acme Trading LLC,Acme Trading LLC\n"
      "Organization,Black Tide Logistics,Black Tide Logistics\n"
      "company,Acme Trading LLC,Acme Trading LLC\n"
      "Vessel,GREY PETREL,Grey Petrel\n");
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->errors, 0u);
  EXPECT_EQ(r.stats->matches, 5u);
  EXPECT_EQ(score_names_schema(" Vessel "), QueryType::kVessel);
  EXPECT_EQ(score_names_schema("LegalEntity"), QueryType::kOrganization);
  EXPECT_FALSE(score_names_schema("Airplane").has_value());
}

TEST(ScoreNamesCsv, MissingColumnsOrEmptyInputAreFatal) {
  auto missing = run_csv("schema,name1,other\nPerson,a,b\n");
  ASSERT_FALSE(missing.stats.ok());
  EXPECT_NE(missing.stats.error().message().find("no name2 column"), std::string::npos);
  EXPECT_NE(missing.stats.error().message().find("other"), std::string::npos) << "says what it found";
  auto empty = run_csv("");
  ASSERT_FALSE(empty.stats.ok());
  EXPECT_NE(empty.stats.error().message().find("empty"), std::string::npos);
  auto blank = run_csv("\n\r\n\n");
  EXPECT_FALSE(blank.stats.ok());
  auto dup = run_csv("schema,name1,name2,NAME1\n");
  ASSERT_FALSE(dup.stats.ok());
  EXPECT_NE(dup.stats.error().message().find("more than once"), std::string::npos);
  auto bad_header = run_csv("\"schema,name1,name2\n");
  EXPECT_FALSE(bad_header.stats.ok());
}

TEST(ScoreNamesCsv, HeaderOnlyGivesHeaderOnly) {
  auto r = run_csv("\xEF\xBB\xBFschema,name1,name2\n");
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->rows, 0u);
  EXPECT_EQ(r.output, "schema,name1,name2,score,match\n");
}

TEST(ScoreNamesCsv, RowsThatCannotBeScoredGetEmptyScoreAndAreCounted) {
  auto r = run_csv(
      "schema,name1,name2,extra\n"
      "Airplane,Ivan Petrov,Ivan Petrov,x\n"   // unknown schema
      "Person,Ivan Petrov\n"                   // too few fields
      "Person,a,b,c,d,e\n"                     // too many fields
      "Person,,Ivan Petrov,x\n"                // empty name
      "Person,Iv\"an,Ivan,x\n"                 // stray quote
      "Person,\"Ivan\"x,Ivan,x\n"              // text after closing quote
      "Person,Ivan Petrov,Ivan Petrov,last\n"  // fine
      "Person,\"never closed,Ivan,x\n");       // open quote to the end
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->rows, 8u);
  EXPECT_EQ(r.stats->errors, 7u);
  EXPECT_EQ(r.stats->matches, 1u);
  ASSERT_EQ(r.stats->problems.size(), 7u);
  EXPECT_NE(r.stats->problems[0].find("line 2: unknown schema \"Airplane\""), std::string::npos);
  EXPECT_NE(r.stats->problems[0].find("LegalEntity"), std::string::npos) << "lists the allowed ones";
  EXPECT_NE(r.stats->problems[1].find("has 2 fields, the header has 4"), std::string::npos);
  EXPECT_NE(r.stats->problems[3].find("name1 is empty"), std::string::npos);
  auto rows = read_csv(r.output);
  ASSERT_EQ(rows.size(), 9u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_GE(rows[i].size(), 6u) << "row " << i;
    const bool fine = i == 7;
    EXPECT_EQ(rows[i][4].empty(), !fine) << "row " << i;
    EXPECT_EQ(rows[i][5].empty(), !fine) << "row " << i;
  }
  EXPECT_EQ(rows[3], (std::vector<std::string>{"Person", "a", "b", "c", "", "", "d", "e"}))
      << "extra fields are kept after the score columns";
  EXPECT_EQ(rows[2][0], "Person");
  EXPECT_EQ(rows[2][3], "") << "a short row is padded";
}

TEST(ScoreNamesCsv, InvalidUtf8AndOverlongNamesAreRowErrors) {
  const std::string long_name(kMaxNameBytes + 1, 'a');
  auto r = run_csv("schema,name1,name2\nPerson,\xff\xfe\x80,Ivan\nPerson,Ivan," + long_name + "\nPerson,Ivan,Ivan\n");
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->rows, 3u);
  EXPECT_EQ(r.stats->errors, 2u);
  ASSERT_EQ(r.stats->problems.size(), 2u);
  EXPECT_NE(r.stats->problems[0].find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(r.stats->problems[1].find("longer than"), std::string::npos);
}

TEST(ScoreNamesCsv, HugeRecordIsAnErrorAndTheNextRowIsScored) {
  std::string input = "schema,name1,name2\nPerson,Ivan," + std::string(kMaxCsvRecordBytes + 10, 'z') + "\n" +
                      "Person,Ivan Petrov,Ivan Petrov\n";
  auto r = run_csv(input);
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->rows, 2u);
  EXPECT_EQ(r.stats->errors, 1u);
  EXPECT_EQ(r.stats->matches, 1u);
  EXPECT_LT(r.output.size(), kMaxCsvRecordBytes + 1000) << "the huge record is not copied to the output";
}

TEST(ScoreNamesCsv, BlankLinesAreSkipped) {
  auto r = run_csv("\n\nschema,name1,name2\n\nPerson,Ivan Petrov,Ivan Petrov\n\r\n\nPerson,A B,C D\n\n");
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.stats->rows, 2u);
  EXPECT_EQ(r.stats->errors, 0u);
  EXPECT_EQ(read_csv(r.output).size(), 3u);
}

TEST(ScoreNamesCsv, RescoringAnOutputOverwritesItsScoreColumns) {
  auto first = run_csv("schema,name1,name2\nPerson,Ivan Petrov,Ivan Petrov\n");
  ASSERT_TRUE(first.stats.ok());
  auto second = run_csv(first.output, 1.0);
  ASSERT_TRUE(second.stats.ok());
  auto a = read_csv(first.output);
  auto b = read_csv(second.output);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0], a[0]) << "no duplicated score/match columns";
  EXPECT_EQ(b[1][3], a[1][3]);
}

TEST(ScoreNamesCsv, BinaryGarbageNeverStopsTheRun) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    std::string garbage = "schema,name1,name2\n";
    for (int i = 0; i < 4000; ++i) garbage += static_cast<char>(rng() & 0xff);
    auto r = run_csv(garbage);
    ASSERT_TRUE(r.stats.ok()) << r.stats.error().to_string();
    EXPECT_GE(r.stats->errors, 1u) << "random bytes are not three valid fields with a schema";
    // Whatever came in, what goes out has a record per input record.
    std::istringstream in(garbage);
    CsvReader reader(in);
    std::vector<std::string> f;
    std::size_t records = 0;
    while (reader.next(f)) ++records;
    EXPECT_EQ(records - 1, r.stats->rows);
  }
  auto no_header = run_csv(std::string("\x00\x01\x02,\xff\n", 6));
  EXPECT_FALSE(no_header.stats.ok());
}

TEST(ScoreNamesCsv, BadThresholdOrUnwritableOutputIsFatal) {
  EXPECT_FALSE(run_csv("schema,name1,name2\n", 0.0).stats.ok());
  EXPECT_FALSE(run_csv("schema,name1,name2\n", 1.5).stats.ok());
  std::istringstream in("schema,name1,name2\nPerson,a,b\n");
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto r = score_names_csv(in, out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("cannot write"), std::string::npos);
}

// ---- screen ------------------------------------------------------------------------------------

std::vector<Watchlist> test_lists() {
  Watchlist a;
  a.list_id = "test-list";
  a.version = 4;
  WatchlistEntry p;
  p.id = "P1";
  p.type = EntityType::kPerson;
  p.names = {"Viktor DRAGAN", "Viktor Dragan-Ionescu"};
  p.dates_of_birth = {"1971-04-12"};
  p.nationalities = {"ROU"};
  p.documents.push_back({"passport", "RX4417208", "ROU"});
  a.entries.push_back(p);
  WatchlistEntry org;
  org.id = "O1";
  org.type = EntityType::kOrganization;
  org.names = {"Black Tide Logistics LLC"};
  a.entries.push_back(org);
  WatchlistEntry vessel;
  vessel.id = "V1";
  vessel.type = EntityType::kVessel;
  vessel.names = {"GREY PETREL"};
  vessel.imo = "9321483";
  a.entries.push_back(vessel);
  std::vector<Watchlist> lists;
  lists.push_back(std::move(a));
  return lists;
}

struct ScreenRun {
  Result<BatchStats> stats = Error::fatal("test", "not run");
  std::vector<std::string> lines;
};

ScreenRun run_screen(const std::string& input, ScreenOptions options = {}) {
  static const MatchIndex index(test_lists());
  std::istringstream in(input);
  std::ostringstream out;
  ScreenRun r;
  r.stats = screen_subjects_jsonl(index, in, out, options);
  std::istringstream lines(out.str());
  for (std::string l; std::getline(lines, l);) r.lines.push_back(l);
  return r;
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element e;
  EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << "output line is not JSON: " << line;
  return e;
}

TEST(ScreenJsonl, NameHitCarriesListEntryAndExplanation) {
  auto r = run_screen(R"({"type":"person","name":"Viktor Dragan","date_of_birth":"1971","nationality":"RO"})"
                      "\n");
  ASSERT_TRUE(r.stats.ok()) << r.stats.error().to_string();
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.stats->errors, 0u);
  EXPECT_EQ(r.stats->matches, 1u);
  simdjson::dom::parser parser;
  auto doc = parse(parser, r.lines[0]);
  std::string_view name;
  ASSERT_EQ(doc["subject"]["name"].get(name), simdjson::SUCCESS);
  EXPECT_EQ(name, "Viktor Dragan");
  std::string_view nationality;
  ASSERT_EQ(doc["subject"]["nationality"].get(nationality), simdjson::SUCCESS);
  EXPECT_EQ(nationality, "RO") << "the subject is echoed as given";
  simdjson::dom::array hits;
  ASSERT_EQ(doc["hits"].get(hits), simdjson::SUCCESS);
  ASSERT_GE(hits.size(), 1u);
  auto hit = hits.at(0);
  std::string_view s;
  ASSERT_EQ(hit["list"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "test-list");
  std::uint64_t version = 0;
  ASSERT_EQ(hit["list_version"].get(version), simdjson::SUCCESS);
  EXPECT_EQ(version, 4u);
  ASSERT_EQ(hit["entry_id"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "P1");
  ASSERT_EQ(hit["entry_type"].get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "person");
  double score = 0;
  ASSERT_EQ(hit["score"].get(score), simdjson::SUCCESS);
  EXPECT_GE(score, 0.85);
  EXPECT_LE(score, 1.0);
  simdjson::dom::array on;
  ASSERT_EQ(hit["matched_on"].get(on), simdjson::SUCCESS);
  ASSERT_GE(on.size(), 1u);
  ASSERT_EQ(on.at(0).get(s), simdjson::SUCCESS);
  EXPECT_EQ(s, "name");
  ASSERT_EQ(hit["listed_name"].get(s), simdjson::SUCCESS);
  EXPECT_NE(s.find("DRAGAN"), std::string_view::npos);
  auto ex = hit["explanation"];
  for (const char* key : {"summary", "query_name", "listed_name"}) {
    ASSERT_EQ(ex[key].get(s), simdjson::SUCCESS) << key;
    EXPECT_FALSE(s.empty()) << key;
  }
  bool alias = true;
  EXPECT_EQ(ex["alias"].get(alias), simdjson::SUCCESS);
  simdjson::dom::array tokens, features;
  ASSERT_EQ(ex["tokens"].get(tokens), simdjson::SUCCESS);
  EXPECT_GE(tokens.size(), 2u);
  ASSERT_EQ(ex["features"].get(features), simdjson::SUCCESS);
  EXPECT_GE(features.size(), 1u);
}

TEST(ScreenJsonl, IdentifierHitIsCertain) {
  auto r = run_screen(R"({"name":"Someone Else","document_number":"RX4417208"})" "\n"
                      R"({"type":"vessel","imo":"9321483"})" "\n");
  ASSERT_TRUE(r.stats.ok());
  ASSERT_EQ(r.lines.size(), 2u);
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < 2; ++i) {
    auto doc = parse(parser, r.lines[i]);
    simdjson::dom::array hits;
    ASSERT_EQ(doc["hits"].get(hits), simdjson::SUCCESS) << r.lines[i];
    ASSERT_GE(hits.size(), 1u) << r.lines[i];
    double score = 0;
    ASSERT_EQ(hits.at(0)["score"].get(score), simdjson::SUCCESS);
    EXPECT_DOUBLE_EQ(score, 1.0);
    EXPECT_NE(r.lines[i].find(i == 0 ? "\"document_number\"]" : "\"imo\""), std::string::npos) << r.lines[i];
  }
}

TEST(ScreenJsonl, NoHitStillAnswersTheLine) {
  auto r = run_screen(R"({"type":"person","name":"Completely Unrelated Person"})" "\n");
  ASSERT_TRUE(r.stats.ok());
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.stats->matches, 0u);
  EXPECT_NE(r.lines[0].find("\"hits\":[]"), std::string::npos) << r.lines[0];
}

TEST(ScreenJsonl, OneOutputLinePerInputLineWhateverComesIn) {
  const std::string huge = R"({"name":")" + std::string(kMaxJsonLineBytes + 5, 'a') + "\"}";
  const std::string input = std::string(R"({"name":"Viktor Dragan"})") + "\n" +  // 1 fine
                            "\n" +                                                // 2 blank
                            "   \r\n" +                                           // 3 blank with CR
                            "{\"name\":\n" +                                      // 4 cut JSON
                            "[1,2,3]\n" +                                         // 5 not an object
                            R"({"name":"X","dob":"1970"})" + "\n" +               // 6 unknown key
                            R"({"name":42})" + "\n" +                             // 7 not a string
                            std::string("\x00\xff\xfe garbage\x01", 13) + "\n" +  // 8 binary
                            huge + "\n" +                                         // 9 too long
                            R"({"name":"A","name":"B"})" + "\n" +                 // 10 duplicate key
                            R"({"nationality":"Atlantis"})" + "\n" +              // 11 not a country
                            R"({"date_of_birth":"12/04/1971"})" + "\n" +          // 12 bad date
                            R"({"type":"spaceship"})" + "\n" +                    // 13 bad type
                            R"({"gender":"x"})" + "\n" +                          // 14 bad gender
                            R"({"name":"Viktor Dragan","nationality":"Romania","gender":"M"})" + "\r\n" +  // 15 fine
                            R"({"name":null,"type":"company"})";                  // 16 fine, no newline
  auto r = run_screen(input);
  ASSERT_TRUE(r.stats.ok()) << r.stats.error().to_string();
  ASSERT_EQ(r.lines.size(), 16u);
  EXPECT_EQ(r.stats->rows, 16u);
  EXPECT_EQ(r.stats->errors, 13u);
  simdjson::dom::parser parser;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    auto doc = parse(parser, r.lines[i]);
    const bool fine = i == 0 || i == 14 || i == 15;
    std::uint64_t line = 0;
    if (fine) {
      EXPECT_EQ(doc["hits"].error(), simdjson::SUCCESS) << r.lines[i];
    } else {
      ASSERT_EQ(doc["line"].get(line), simdjson::SUCCESS) << r.lines[i];
      EXPECT_EQ(line, i + 1);
      EXPECT_EQ(doc["error"].error(), simdjson::SUCCESS);
    }
  }
  EXPECT_NE(r.lines[1].find("empty line"), std::string::npos);
  EXPECT_NE(r.lines[2].find("empty line"), std::string::npos);
  EXPECT_NE(r.lines[3].find("not valid JSON"), std::string::npos);
  EXPECT_NE(r.lines[5].find("unknown key \\\"dob\\\""), std::string::npos) << r.lines[5];
  EXPECT_NE(r.lines[5].find("date_of_birth"), std::string::npos) << "names the allowed keys";
  EXPECT_NE(r.lines[5].find("crypto_address"), std::string::npos);
  EXPECT_NE(r.lines[6].find("must be a string"), std::string::npos);
  EXPECT_NE(r.lines[8].find("longer than"), std::string::npos);
  EXPECT_LT(r.lines[8].size(), 200u) << "the huge line is not echoed";
  EXPECT_NE(r.lines[9].find("more than once"), std::string::npos);
  EXPECT_NE(r.lines[10].find("not a country"), std::string::npos);
  EXPECT_NE(r.lines[11].find("YYYY"), std::string::npos);
  EXPECT_NE(r.lines[12].find("spaceship"), std::string::npos);
  EXPECT_NE(r.lines[13].find("gender"), std::string::npos);
}

TEST(ScreenJsonl, BinaryGarbageGivesOneErrorLineEach) {
  std::mt19937 rng(777);
  std::string input;
  std::size_t newlines = 0;
  for (int i = 0; i < 20000; ++i) {
    char c = static_cast<char>(rng() & 0xff);
    if (c == '\n') ++newlines;
    input += c;
  }
  if (input.back() != '\n') {
    input += '\n';
    ++newlines;
  }
  auto r = run_screen(input);
  ASSERT_TRUE(r.stats.ok());
  EXPECT_EQ(r.lines.size(), newlines);
  EXPECT_EQ(r.stats->errors, newlines);
  EXPECT_LE(r.stats->problems.size(), BatchStats::kMaxReportedProblems);
}

TEST(ScreenJsonl, BadThresholdOrUnwritableOutputIsFatal) {
  ScreenOptions bad;
  bad.threshold = 0.0;
  EXPECT_FALSE(run_screen("{}\n", bad).stats.ok());
  const MatchIndex index(test_lists());
  std::istringstream in("{\"name\":\"Viktor Dragan\"}\n");
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_FALSE(screen_subjects_jsonl(index, in, out).ok());
}

TEST(ScreenJsonl, ThresholdOverrideControlsHits) {
  ScreenOptions strict;
  strict.threshold = 1.0;
  auto loose = run_screen(R"({"type":"person","name":"Viktor Dragen"})" "\n");
  auto tight = run_screen(R"({"type":"person","name":"Viktor Dragen"})" "\n", strict);
  ASSERT_TRUE(loose.stats.ok());
  ASSERT_TRUE(tight.stats.ok());
  EXPECT_EQ(loose.stats->matches, 1u) << loose.lines[0];
  EXPECT_EQ(tight.stats->matches, 0u) << tight.lines[0];
}

}  // namespace
}  // namespace crosscheck::rules
