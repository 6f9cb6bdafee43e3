#!/usr/bin/env bash
# The whole test suite: builds and starts the test control plane (tests/cluster/up), runs every
# test against it, stops the cluster, and exits with the tests' status.
#   tests/run.sh                 # everything
#   tests/run.sh --test install  # extra arguments go to `cargo test`
set -uo pipefail
cd "$(dirname "$0")/.."

# The control plane builds (Go) while the tests compile (Rust).
up_log=$(mktemp)
tests/cluster/up >"$up_log" 2>&1 &
up_pid=$!
cargo test --no-run --locked "$@" || { kill "$up_pid" 2>/dev/null; exit 1; }
if ! wait "$up_pid"; then
  cat "$up_log" >&2
  echo "tests/run.sh: the test control plane did not start" >&2
  exit 1
fi
cat "$up_log" >&2
SKYFLO_TEST_KUBECONFIG=$(tail -n1 "$up_log")
export SKYFLO_TEST_KUBECONFIG
trap 'tests/cluster/down' EXIT

cargo test --locked "$@" -- --test-threads="${TEST_THREADS:-4}"
status=$?
exit $status
