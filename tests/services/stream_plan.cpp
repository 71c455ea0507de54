#include "stream_plan.h"

#include <simdjson.h>

#include <random>

#include "crosscheck/schemas/output_records.h"

namespace crosscheck::testing {

const char* const kSmallEventLimit = "screening:\n  max_event_bytes: 8192\n";

namespace {
struct Malformed {
  std::string payload;
  std::string reason;  // the reason code the dead-letter record must carry
};
}  // namespace






rules::Watchlist make_test_list(const std::string& list_id) {
  rules::Watchlist list;
  list.list_id = list_id;
  list.name = "integration test list (fictional)";
  list.source = "tests/services";
  for (int i = 0; i < 40; ++i) {
    rules::WatchlistEntry e;
    e.id = "P" + std::to_string(i);
    e.type = rules::EntityType::kPerson;
    e.names = {"Listedperson" + std::to_string(i) + " Testcase"};
    e.dates_of_birth = {"1970-01-01"};
    e.nationalities = {"FRA"};
    e.documents = {{"passport", "LT" + std::to_string(1000000 + i), "FRA"}};
    list.entries.push_back(e);
  }
  for (int i = 0; i < 20; ++i) {
    rules::WatchlistEntry e;
    e.id = "O" + std::to_string(i);
    e.type = rules::EntityType::kOrganization;
    e.names = {"Listed Trading House " + std::to_string(i)};
    e.ibans = {make_iban("DE", "5000000000" + std::to_string(10000000 + i))};
    list.entries.push_back(e);
  }
  for (int i = 0; i < 10; ++i) {
    rules::WatchlistEntry e;
    e.id = "V" + std::to_string(i);
    e.type = rules::EntityType::kVessel;
    e.names = {"MV LISTED " + std::to_string(i)};
    e.imo = make_imo(1000 + i);
    list.entries.push_back(e);
  }
  return list;
}

StreamPlan make_plan(const ScreenerSetup& s, int count, const std::string& tag, unsigned seed) {
  StreamPlan plan;
  std::mt19937 rng(seed);
  auto clean_person = [&](int i, int k) {
    return PersonSpec{"TRAVELLER" + std::to_string(k), "CLEANPERSON" + std::to_string(i), "1988-07-14", "ITA",
                      "CL" + std::to_string(2000000 + i * 7 + k)};
  };
  const std::vector<std::string> oversize_pad(1, std::string(9000, 'x'));
  int malformed_index = 0;
  for (int i = 0; i < count; ++i) {
    const std::string id = tag + "-" + std::to_string(i);
    if (i % 50 == 25) {  // 2 % malformed, cycling through ten kinds
      Malformed m;
      switch (malformed_index++ % 10) {
        case 0: m = {R"({"schema_version":"1.0","event_id":")" + id + R"(","passengers":[)", "json_syntax"}; break;
        case 1: m = {"", "empty_payload"}; break;
        case 2: m = {R"({"schema_version":"1.0","event_id":")" + id + R"(","event_time":"2026-11-21T08:00:00Z"})", "missing_field"}; break;
        case 3: {
          std::string p = payment_json(id, "A Debtor", make_iban("DE", "500000000099999999"), "A Creditor",
                                       make_iban("NL", "ABNA0417164300"));
          const auto pos = p.find(R"("value":"2500.00")");
          p.replace(pos, 17, R"("value":2500.00)");
          m = {p, "wrong_type"};
          break;
        }
        case 4: {
          // Built after serialisation: the JSON writer would repair the bytes.
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.replace(p.find("TRAVELLER0"), 10, "TRAVELLER\xC3\x28");
          m = {p, "invalid_utf8"};
          break;
        }
        case 5: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.insert(p.size() - 1, R"(,"remarks":")" + oversize_pad[0] + "\"");
          m = {p, "oversized"};
          break;
        }
        case 6: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.insert(1, R"("event_id":"dup",)");
          m = {p, "duplicate_key"};
          break;
        }
        case 7: {
          std::string p = itinerary_json(id, {clean_person(i, 0)});
          p.replace(p.find("\"1.0\""), 5, "\"2.0\"");
          m = {p, "unsupported_schema_version"};
          break;
        }
        case 8: {
          PersonSpec bad = clean_person(i, 0);
          bad.date_of_birth = "1980-02-30";
          m = {itinerary_json(id, {bad}), "invalid_value"};
          break;
        }
        default: m = {"[1,2,3]", "not_an_object"}; break;
      }
      // Payloads must be distinct to map dead letters back to inputs.
      if (m.payload.empty() && plan.expected_dlq.count("") != 0) m = {"[" + std::to_string(i) + "]", "not_an_object"};
      if (m.payload == "[1,2,3]") m.payload = "[" + std::to_string(i) + "]";
      plan.malformed_kinds.insert(m.reason);
      plan.expected_dlq[m.payload] = m.reason;
      plan.inputs.push_back({m.reason == "wrong_type" ? s.payments : s.itineraries, m.payload});
      continue;
    }
    const bool hit = i % 25 == 3;
    switch (i % 3) {
      case 0: {  // itinerary, 1-4 passengers
        const int n = 1 + static_cast<int>(rng() % 4);
        std::vector<PersonSpec> pax;
        for (int k = 0; k < n; ++k) pax.push_back(clean_person(i, k));
        if (hit) {
          const int k = static_cast<int>(rng() % n);
          const int e = static_cast<int>(rng() % 40);
          switch (rng() % 3) {
            case 0: pax[k].document = "LT" + std::to_string(1000000 + e); break;  // document only
            case 1: pax[k].given_names = "LISTEDPERSON" + std::to_string(e); pax[k].surname = "TESTCASE"; break;
            default:
              pax[k].document = "LT" + std::to_string(1000000 + e);
              pax[k].given_names = "Listedperson" + std::to_string(e);
              pax[k].surname = "Testcase";
          }
          plan.expected_flags.insert({id, "passenger", k, "P" + std::to_string(e)});
        }
        plan.inputs.push_back({s.itineraries, itinerary_json(id, pax)});
        break;
      }
      case 1: {  // manifest
        std::string consignee = "Clean Importer " + std::to_string(i);
        std::string imo = make_imo(20000 + i);
        if (hit) {
          const int e = static_cast<int>(rng() % 10);
          if (rng() % 2 == 0) {
            consignee = "Listed Trading House " + std::to_string(e);
            plan.expected_flags.insert({id, "consignee", 0, "O" + std::to_string(e)});
          } else {
            imo = make_imo(1000 + e);
            plan.expected_flags.insert({id, "conveyance", 0, "V" + std::to_string(e)});
          }
        }
        plan.inputs.push_back({s.manifests, manifest_json(id, "Clean Exporter " + std::to_string(i), consignee, imo)});
        break;
      }
      default: {  // payment
        std::string creditor_iban = make_iban("NL", "INGB" + std::to_string(1000000000 + i));
        std::string debtor = "Clean Debtor " + std::to_string(i);
        if (hit) {
          const int e = static_cast<int>(rng() % 20);
          if (rng() % 2 == 0) {
            creditor_iban = make_iban("DE", "5000000000" + std::to_string(10000000 + e));
            plan.expected_flags.insert({id, "creditor", 0, "O" + std::to_string(e)});
          } else {
            debtor = "Listed Trading House " + std::to_string(e);
            plan.expected_flags.insert({id, "debtor", 0, "O" + std::to_string(e)});
          }
        }
        plan.inputs.push_back({s.payments, payment_json(id, debtor, make_iban("DE", "37040044" + std::to_string(1000000000 + i)),
                                                        "Clean Creditor " + std::to_string(i), creditor_iban)});
      }
    }
  }
  return plan;
}

void send_plan(KafkaTestEnv& kafka, const std::vector<Input>& inputs) {
  std::map<std::string, std::vector<std::string>> by_topic;
  for (const auto& in : inputs) by_topic[in.topic].push_back(in.payload);
  for (const auto& [topic, values] : by_topic) kafka.send_all(topic, values);
}


ReceivedFlag decode_flag(const ReceivedRecord& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.value);
  ReceivedFlag f;
  f.flag_id = std::string(doc["flag_id"].get_string().value());
  f.key = {std::string(doc["source"]["event_id"].get_string().value()), std::string(doc["subject"]["role"].get_string().value()),
           static_cast<int>(doc["subject"]["index"].get_int64().value()),
           std::string(doc["watchlist"]["entry_id"].get_string().value())};
  f.list_version = doc["watchlist"]["list_version"].get_uint64().value();
  f.json = std::string(r.value);
  return f;
}

std::vector<ReceivedFlag> all_flags(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  std::vector<ReceivedFlag> out;
  for (const char* q : {"border", "customs", "payments"}) {
    for (const auto& r : kafka.receive_all(s.flags_topic(q))) out.push_back(decode_flag(r));
  }
  return out;
}

std::size_t count_flags(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  std::size_t n = 0;
  for (const char* q : {"border", "customs", "payments"}) {
    for (const auto& [p, hw] : kafka.high_watermarks(s.flags_topic(q))) n += static_cast<std::size_t>(hw);
  }
  return n;
}

void expect_offsets_committed(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  for (const auto& topic : {s.itineraries, s.manifests, s.payments}) {
    const auto hw = kafka.high_watermarks(topic);
    const auto committed = kafka.committed(s.group, topic);
    for (const auto& [p, end] : hw) {
      if (end == 0) continue;
      auto it = committed.find(p);
      ASSERT_NE(it, committed.end()) << topic << "[" << p << "] has no committed offset";
      EXPECT_EQ(it->second, end) << topic << "[" << p << "] committed offset does not cover every input";
    }
  }
}

std::set<std::string> dead_letter_originals(KafkaTestEnv& kafka, const ScreenerSetup& s) {
  std::set<std::string> out;
  for (const auto& r : kafka.receive_all(s.deadletter)) {
    simdjson::dom::parser parser;
    std::string original;
    schemas::base64_decode(parser.parse(r.value)["original_base64"].get_string().value(), original);
    out.insert(original);
  }
  return out;
}

}  // namespace crosscheck::testing
