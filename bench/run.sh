#!/usr/bin/env bash
# Benchmarks skyflo against kubectl on the test control plane and prints a table.
#   bench/run.sh            # starts (or reuses) the cluster, builds a release binary
set -euo pipefail
cd "$(dirname "$0")/.."
kubeconfig=$(tests/cluster/up | tail -n1)
tests/cluster/helm >/dev/null
cargo build --release --locked --quiet
audit="$(dirname "$kubeconfig")/logs/audit.log"
exec python3 bench/bench.py --kubeconfig "$kubeconfig" --audit "$audit" --skyflo target/release/skyflo "$@"
