// Kafka client settings. Crosscheck sets only what at-least-once delivery needs; everything else
// passes through to librdkafka unchanged (see CONFIGURATION.md of librdkafka 2.0).
#pragma once

#include <map>
#include <string>

namespace crosscheck::streams {

struct KafkaConfig {
  std::string bootstrap_servers = "127.0.0.1:9092";
  // Applied to both the consumer and the producer, after Crosscheck's own settings, so an operator
  // can override any of them (e.g. security.protocol, ssl.ca.location, sasl.*).
  std::map<std::string, std::string> properties;
  // Applied to the consumer only / the producer only, after `properties`.
  std::map<std::string, std::string> consumer_properties;
  std::map<std::string, std::string> producer_properties;
};

}  // namespace crosscheck::streams
