#!/usr/bin/env bash
# Regenerates the committed shell completions from the binary (tests/cli.rs fails when they drift).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/skyflo
"$bin" completions bash >completions/skyflo.bash
"$bin" completions zsh >completions/_skyflo
"$bin" completions fish >completions/skyflo.fish
"$bin" completions powershell >completions/_skyflo.ps1
"$bin" completions elvish >completions/skyflo.elvish
