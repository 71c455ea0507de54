#!/bin/sh
# One-shot set-up of docker-compose.yml, run by the crosscheck-init service before the screeners,
# the console and Prometheus start. Idempotent: a restart of the stack repeats nothing harmful.
#   1. creates the topics (single broker: replication factor 1);
#   2. creates the console account `prometheus` (role ops) and, when the shared secrets volume
#      holds no token yet, issues one (365 days) and writes it where Prometheus reads it
#      (credentials_file secrets/console-ops.token in ops/prometheus/prometheus.yml).
# Rotating that token: docs/operations.md, "Rotating tokens".
set -eu
config=/etc/crosscheck/screener.yaml
token_file=/var/lib/crosscheck/secrets/console-ops.token
export CROSSCHECK_ACTOR=compose-init

crosscheck --config "$config" topics
crosscheck --config "$config" users add prometheus --role ops
if [ ! -s "$token_file" ]; then
  umask 027
  crosscheck --config "$config" users token prometheus --ttl 365d --format json \
    | sed -n 's/.*"token":"\([^"]*\)".*/\1/p' > "$token_file.new"
  [ -s "$token_file.new" ] || { echo "compose-init: no token issued" >&2; exit 1; }
  mv "$token_file.new" "$token_file"
  echo "compose-init: issued the token Prometheus scrapes the console with"
fi
