#include "crosscheck/streams/kafka_error.h"

#include <gtest/gtest.h>

#include "crosscheck/streams/kafka_handles.h"

namespace crosscheck::streams {
namespace {

class Retriable : public ::testing::TestWithParam<rd_kafka_resp_err_t> {};
TEST_P(Retriable, IsRetriable) {
  Error e = kafka_error(GetParam(), "ctx");
  EXPECT_TRUE(e.is_retriable()) << e.to_string();
  EXPECT_EQ(e.component(), "kafka");
  EXPECT_EQ(e.code(), static_cast<int>(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(
    Kafka, Retriable,
    ::testing::Values(RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                      RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                      RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                      RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                      RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION));

class Fatal : public ::testing::TestWithParam<rd_kafka_resp_err_t> {};
TEST_P(Fatal, IsFatal) {
  Error e = kafka_error(GetParam(), "ctx");
  EXPECT_TRUE(e.is_fatal()) << e.to_string();
  EXPECT_EQ(e.code(), static_cast<int>(GetParam()));
}
INSTANTIATE_TEST_SUITE_P(Kafka, Fatal,
                         ::testing::Values(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                                           RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
                                           RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
                                           RD_KAFKA_RESP_ERR__SSL, RD_KAFKA_RESP_ERR__AUTHENTICATION,
                                           RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED));

TEST(KafkaError, MessageCarriesContextAndName) {
  Error e = kafka_error(RD_KAFKA_RESP_ERR__TRANSPORT, "produce to flags.border");
  EXPECT_NE(e.message().find("produce to flags.border: "), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("_TRANSPORT"), std::string::npos) << e.message();
  EXPECT_EQ(e.to_string().rfind("kafka: ", 0), 0u);
}

TEST(KafkaError, ErrorObjectUsesItsOwnFlags) {
  KafkaErrorHandle retriable(rd_kafka_error_new(RD_KAFKA_RESP_ERR__TIMED_OUT, "slow %s", "broker"));
  Error r = kafka_error(retriable.get(), "create topics");
  EXPECT_TRUE(r.is_retriable()) << r.to_string();
  EXPECT_NE(r.message().find("slow broker"), std::string::npos);

  KafkaErrorHandle fatal(rd_kafka_error_new(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, "denied"));
  Error f = kafka_error(fatal.get(), "create topics");
  EXPECT_TRUE(f.is_fatal());
  EXPECT_EQ(f.code(), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);

  Error n = kafka_error(static_cast<const rd_kafka_error_t*>(nullptr), "x");
  EXPECT_TRUE(n.is_fatal());
}

}  // namespace
}  // namespace crosscheck::streams
