#!/bin/sh
# Creates Crosscheck's topics on the 3-broker cluster (server-*.properties): 3 replicas each,
# writes need 2 in sync. The screener's own topic creation (kafka.create_topics) makes topics with
# replication factor 1, so on a cluster it is turned off (screener-cluster.yaml) and this runs once.
#   BOOTSTRAP=kafka-1.example.internal:9092 PARTITIONS=12 ./create-topics.sh
# PARTITIONS caps the useful number of screeners (inputs) and consoles (flag queues).
set -eu
bootstrap=${BOOTSTRAP:-kafka-1.example.internal:9092,kafka-2.example.internal:9092,kafka-3.example.internal:9092}
partitions=${PARTITIONS:-12}
topics_sh=${KAFKA_TOPICS:-kafka-topics.sh}
create() {  # name partitions retention_ms
  "$topics_sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor 3 \
    --config min.insync.replicas=2 --config retention.ms="$3"
}
week=604800000
month=2592000000
for t in transit.itineraries transit.manifests transit.payments; do create "$t" "$partitions" "$week"; done
for q in border customs payments rule-governance; do create "flags.$q" "$partitions" "$week"; done
create transit.deadletter "$partitions" "$month"   # the data-quality team reads these
create flags.dispositions "$partitions" "$month"
create audit 1 "$month"                            # one partition: the audit mirror keeps order
