#!/usr/bin/env bash
# Builds skyflo from this checkout and installs it with its shell completions.
#
#   ./install.sh                   # into ~/.local (binary in ~/.local/bin)
#   ./install.sh --prefix /usr/local
#   ./install.sh --debug           # unoptimised build (fast; for tests)
#
# Safe to run again: it replaces the binary and the completions.
set -euo pipefail

prefix="${HOME}/.local"
profile=()
usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)
      [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
      prefix="$2"
      shift 2
      ;;
    --prefix=*)
      prefix="${1#--prefix=}"
      shift
      ;;
    --debug)
      profile=(--debug)
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "install.sh: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

command -v cargo >/dev/null 2>&1 ||
  fail "cargo was not found. Install Rust 1.89 or newer (https://rustup.rs, or your distribution's rustc and cargo packages) and run this again."
rust_version="$(rustc --version 2>/dev/null | awk '{print $2}')"
rust_minor="$(echo "$rust_version" | cut -d. -f2)"
if [ "$(echo "$rust_version" | cut -d. -f1)" != "1" ] || [ "${rust_minor:-0}" -lt 89 ]; then
  fail "Rust ${rust_version:-unknown} is too old: skyflo needs 1.89 or newer (rustup update)."
fi
command -v cc >/dev/null 2>&1 ||
  fail "no C compiler (cc) was found; the TLS library needs one. Install gcc or clang (e.g. apt-get install build-essential)."

mkdir -p "$prefix" || fail "cannot create $prefix"
prefix="$(cd "$prefix" && pwd)"

echo "Building and installing skyflo into $prefix/bin ..."
cargo install --locked --force --quiet "${profile[@]}" --path "$here" --root "$prefix"

bin="$prefix/bin/skyflo"
"$bin" --version >/dev/null || fail "the installed binary does not run: $bin"
# The kubectl plugin (`kubectl skyflo …`) and its shell completion (kubectl 1.26+ asks
# kubectl_complete-skyflo): the same binary under two more names.
ln -sf skyflo "$prefix/bin/kubectl-skyflo"
ln -sf skyflo "$prefix/bin/kubectl_complete-skyflo"

bash_dir="$prefix/share/bash-completion/completions"
zsh_dir="$prefix/share/zsh/site-functions"
fish_dir="$prefix/share/fish/vendor_completions.d"
mkdir -p "$bash_dir" "$zsh_dir" "$fish_dir"
"$bin" completions bash >"$bash_dir/skyflo"
"$bin" completions zsh >"$zsh_dir/_skyflo"
"$bin" completions fish >"$fish_dir/skyflo.fish"

echo "Installed $("$bin" --version) to $bin (also as the kubectl plugin: kubectl skyflo)"
echo "Completions: $bash_dir/skyflo, $zsh_dir/_skyflo, $fish_dir/skyflo.fish"
case ":${PATH}:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to your PATH, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
