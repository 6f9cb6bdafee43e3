#!/usr/bin/env bash
# Measures README command 1 as on a fresh machine: a clean clone of this repository's HEAD with
# empty Cargo, Go and skyflo caches and an empty HOME (crates and Go modules are downloaded
# again), the toolchains as installed. tests/quickstart prints each phase; its record is copied
# to this machine's cache, where bench/run.sh reports it. Stops the cluster it started.
#   bench/fresh-run.sh        # takes about as long as a first run (10 min on 2 cores)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/skyflo-fresh.XXXXXX)
git clone -q "$repo" "$work/src"
real_home=$HOME
cache=${XDG_CACHE_HOME:-$HOME/.cache}
export RUSTUP_HOME=${RUSTUP_HOME:-$real_home/.rustup}
export PATH="${CARGO_HOME:-$real_home/.cargo}/bin:$PATH"
export HOME="$work/home" CARGO_HOME="$work/cargo" XDG_CACHE_HOME="$work/cache"
export GOPATH="$work/go" GOMODCACHE="$work/go/pkg/mod" GOCACHE="$work/cache/go-build"
mkdir -p "$HOME"
cd "$work/src"
trap 'tests/cluster/down >/dev/null 2>&1 || true; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# README command 1, as written there.
kc=$(tests/quickstart) && export KUBECONFIG="$kc" PATH="$HOME/.local/bin:$PATH"
mkdir -p "$cache/skyflo-quickstart"
cp "$XDG_CACHE_HOME/skyflo-quickstart/last-run.json" "$cache/skyflo-quickstart/last-run.json"
cat "$cache/skyflo-quickstart/last-run.json"
