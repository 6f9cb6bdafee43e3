#!/usr/bin/env bash
# The whole test suite: builds and starts the test control plane (tests/cluster/up), runs every
# test against it, stops the cluster, and exits with the tests' status.
#   tests/run.sh                 # everything
#   tests/run.sh --test install  # extra arguments go to `cargo test`
#   tests/run.sh --product [ARGS]  # only the product tier (tests/product), ARGS to pytest
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

product_only=false
if [ "${1:-}" = "--product" ]; then
  product_only=true
  shift
fi

# Tools some tests drive: tmux (the init wizard through a terminal), shellcheck, PostgreSQL,
# nginx; for the product tier also Redis, Chromium (which brings fonts-liberation, the font the
# UI is built with here) and python3-venv.
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# A real PostgreSQL server and pg_dump/pg_restore for the backup tests.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
# Real nginx for the proxy template's tests, and envsubst (as the proxy image's entrypoint).
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v envsubst >/dev/null 2>&1 || need+=(gettext-base)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests/run.sh: installing ${need[*]}" >&2
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; } ||
    echo "tests/run.sh: could not install ${need[*]}; the tests that need them will fail" >&2
fi

# The control plane builds (Go) while the tests compile (Rust); Helm too, for the adopt tests
# (tests/cluster/up links it when it is built); the product tier's upstream builds beside them
# (cached by upstream's commit, so only a fresh machine pays for it).
up_log=$(mktemp)
{ tests/cluster/build.sh --helm >/dev/null && tests/cluster/up; } >"$up_log" 2>&1 &
up_pid=$!
product_log=$(mktemp)
product_pid=
if [ $# -eq 0 ] || $product_only; then
  tests/product/run --prepare >"$product_log" 2>&1 &
  product_pid=$!
fi
cargo_args=("$@")
$product_only && cargo_args=(--test cli)
cargo test --no-run --locked "${cargo_args[@]}" || { kill "$up_pid" 2>/dev/null; exit 1; }
if ! wait "$up_pid"; then
  cat "$up_log" >&2
  echo "tests/run.sh: the test control plane did not start" >&2
  exit 1
fi
cat "$up_log" >&2
SKYFLO_TEST_KUBECONFIG=$(tail -n1 "$up_log")
export SKYFLO_TEST_KUBECONFIG
trap 'tests/cluster/down' EXIT

# The product tier (tests/product): upstream's engine, MCP, UI and proxy run with what skyflo
# installs, and Chromium uses them. Its own time is printed.
product_tier() {
  if [ -n "$product_pid" ] && ! wait "$product_pid"; then
    cat "$product_log" >&2
    echo "tests/run.sh: the product tier could not be prepared (see above)" >&2
    return 1
  fi
  cat "$product_log" >&2
  tests/product/run "$@"
}
if $product_only; then
  product_tier "$@"
  exit $?
fi

cargo test --locked --no-fail-fast "$@" -- --test-threads="${TEST_THREADS:-4}"
status=$?
[ $# -gt 0 ] && exit $status
product_tier
product_status=$?
[ $product_status -eq 0 ] || status=$product_status

# install.sh, the way a user runs it, into a temporary prefix (debug build: the test build's
# artifacts are reused), and shellcheck over every shell script.
passed=0
failed=0
check() {
  local name=$1; shift
  if "$@"; then
    echo "test $name ... ok"; passed=$((passed + 1))
  else
    echo "test $name ... FAILED"; failed=$((failed + 1))
  fi
}
prefix=$(mktemp -d)
install_sh() {
  ./install.sh --debug --prefix "$prefix" >/dev/null &&
    ./install.sh --debug --prefix "$prefix" >/dev/null &&
    "$prefix/bin/skyflo" --version | grep -q '^skyflo ' &&
    [ -s "$prefix/share/bash-completion/completions/skyflo" ] &&
    [ -s "$prefix/share/zsh/site-functions/_skyflo" ] &&
    [ -s "$prefix/share/fish/vendor_completions.d/skyflo.fish" ] &&
    "$prefix/bin/skyflo" template >/dev/null
}
check "install.sh into a temporary prefix, twice" install_sh
# The kubectl plugin form against the test cluster, with kubectl's completion for plugins.
kubectl_plugin() {
  local ns spec out log
  ns="plugin-$$"
  spec=$(mktemp)
  log=$(mktemp)
  sed 's/type: NodePort/type: ClusterIP/; /nodePort: 30080/d' examples/skyflo.yaml >"$spec"
  # kubectl takes no flags before a plugin's name: the cluster comes from KUBECONFIG.
  # grep reads to the end (no -q): under pipefail a writer cut off by an early exit fails the step.
  export PATH="$prefix/bin:$PATH" KUBECONFIG="$SKYFLO_TEST_KUBECONFIG"
  kubectl skyflo install -n "$ns" -f "$spec" --skip-checks -q >>"$log" 2>&1 &&
    out=$(kubectl skyflo status -n "$ns" 2>>"$log") &&
    { echo "$out" >>"$log"; grep -q "Release: revision 1" <<<"$out"; } &&
    kubectl skyflo --help 2>>"$log" | grep "Usage: kubectl skyflo" >/dev/null &&
    kubectl __complete skyflo st 2>>"$log" | grep "^status" >/dev/null &&
    kubectl skyflo uninstall -n "$ns" --purge --yes -q >>"$log" 2>&1
  local rc=$?
  # What each step said, so a failure here can be diagnosed from the CI log.
  [ $rc -eq 0 ] || { echo "kubectl plugin test, step output:" >&2; cat "$log" >&2; }
  rm -f "$spec" "$log"
  kubectl --kubeconfig "$SKYFLO_TEST_KUBECONFIG" delete namespace "$ns" --wait=false >/dev/null 2>&1
  return $rc
}
check "kubectl skyflo status after install.sh, with completion" kubectl_plugin
shell_check() {
  command -v shellcheck >/dev/null 2>&1 || { echo "shellcheck is not installed" >&2; return 1; }
  shellcheck -x install.sh tests/run.sh tests/cluster/up tests/cluster/down tests/cluster/build.sh \
    tests/cluster/apiserver tests/cluster/apiserver-flags.sh \
    tests/cluster/gen-gomod.sh .ci/run completions/regenerate.sh bench/run.sh tests/product/run
}
check "shellcheck on every script" shell_check
rm -rf "$prefix"
echo "shell: $passed passed, $failed failed"
[ $status -eq 0 ] && [ $failed -eq 0 ]
