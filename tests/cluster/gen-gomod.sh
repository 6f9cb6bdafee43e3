#!/usr/bin/env bash
# Regenerates go.mod/go.sum from the upstream k8s.io/kubernetes go.mod: every staging
# module that upstream points at ./staging is replaced by its published tag, so a version
# bump is one edit of K and S below and nothing is typed by hand.
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
K=1.36.3   # k8s.io/kubernetes
S=0.36.3   # the staging modules' matching tag
ETCD=v3.6.8 # the etcd server k8s $K pins; checked against upstream below

rm -f go.mod go.sum
go mod init example.invalid/testcluster >/dev/null
go mod edit -go=1.26.0
go mod download "k8s.io/kubernetes@v$K"
MOD=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K.mod
grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$MOD" | awk '{print $1}' |
  while read -r m; do go mod edit "-replace=$m=$m@v$S"; done
upstream_etcd=$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2}' "$MOD")
if [ "$upstream_etcd" != "$ETCD" ]; then
  echo "gen-gomod: upstream pins etcd server $upstream_etcd, script says $ETCD" >&2
  exit 1
fi
go get "k8s.io/kubernetes@v$K" "go.etcd.io/etcd/server/v3@$ETCD"
go mod tidy
# The pins that have broken such builds before must equal upstream's.
for m in google.golang.org/grpc go.opentelemetry.io/otel go.etcd.io/etcd/server/v3; do
  want=$(awk -v m="$m" '$1==m{print $2}' "$MOD")
  got=$(go list -m -f '{{.Version}}' "$m")
  [ "$want" = "$got" ] || { echo "gen-gomod: $m is $got, upstream pins $want" >&2; exit 1; }
done
echo "go.mod regenerated for k8s.io/kubernetes v$K"
