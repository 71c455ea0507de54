#!/bin/sh
# promtool check config on ops/prometheus/prometheus.yml as shipped. promtool insists that the
# credentials_file exists, and that file is the operator's (ops/prometheus/secrets/README.md):
# check a copy of ops/prometheus with an empty placeholder token in it.
#   tests/ops/promtool_check_config.sh PROMTOOL OPS_PROMETHEUS_DIR
set -eu
promtool=$1
src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$src/." "$dir"
: > "$dir/secrets/console-ops.token"
"$promtool" check config --lint=all --lint-fatal "$dir/prometheus.yml"
