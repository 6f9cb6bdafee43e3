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
KWOK=v0.8.0 # fake nodes; built in this module, against the control plane's versions

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
# kwok joins this module as a tool so that one `go build` compiles the packages both use
# once (kwok alone costs about 180 CPU-seconds, beside the control plane about 80). Every
# module the control plane compiles stays at its version where kwok would raise it (grpc,
# otel, x/sys: raising them under etcd has broken such builds), and kwok's go-restful tracing
# filter comes from the same contrib release as the control plane's otelhttp (v0.69 needs
# otel's newer semconv).
before=$(go list -deps -f '{{with .Module}}{{.Path}} {{.Version}}{{end}}' . | sort -u)
go get -tool "sigs.k8s.io/kwok/cmd/kwok@$KWOK"
go list -m -f '{{.Path}} {{.Version}}' all | while read -r m v; do
  was=$(awk -v m="$m" '$1==m{print $2}' <<<"$before")
  if [ -n "$was" ] && [ "$was" != "$v" ] && [ "$(go list -m -f '{{if .Replace}}r{{end}}' "$m")" != r ]; then
    go mod edit "-replace=$m=$m@$was"
  fi
done
contrib=$(go list -m -f '{{.Version}}' go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp)
restful=go.opentelemetry.io/contrib/instrumentation/github.com/emicklei/go-restful/otelrestful
go mod edit "-replace=$restful=$restful@$contrib"
go mod tidy
# The pins that have broken such builds before must equal upstream's.
for m in google.golang.org/grpc go.opentelemetry.io/otel go.etcd.io/etcd/server/v3; do
  want=$(awk -v m="$m" '$1==m{print $2}' "$MOD")
  got=$(go list -m -f '{{with .Replace}}{{.Version}}{{else}}{{.Version}}{{end}}' "$m")
  [ "$want" = "$got" ] || { echo "gen-gomod: $m is $got, upstream pins $want" >&2; exit 1; }
done
echo "go.mod regenerated for k8s.io/kubernetes v$K"
