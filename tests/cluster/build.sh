#!/usr/bin/env bash
# Builds the control-plane binaries into a cache outside the repository, keyed by go.sum,
# main.go and the build flags, and prints the directory that holds them. A cached build
# is reused as is; a fresh machine builds everything (about 7 min on 2 cores).
#   tests/cluster/build.sh           # the control plane and kwok
#   tests/cluster/build.sh --helm    # also Helm, which only the adopt tests and bench use
set -euo pipefail
with_helm=false
[ "${1:-}" = "--helm" ] && with_helm=true
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
K8S_VERSION=v1.36.3
KWOK_VERSION=v0.8.0
# Helm for the adopt tests, which install upstream's chart layout as a real Helm release.
HELM_VERSION=v3.22.0
X="-X k8s.io/component-base/version"
Y="-X k8s.io/client-go/pkg/version"
LD="-s -w $X.gitVersion=$K8S_VERSION $X.gitMajor=1 $X.gitMinor=36 $X.gitTreeState=clean"
LD="$LD $Y.gitVersion=$K8S_VERSION $Y.gitMajor=1 $Y.gitMinor=36 $Y.gitTreeState=clean"
TAGS=notest,grpcnotrace
key=$( (cat "$here/go.sum" "$here/main.go"; echo "$LD $TAGS $KWOK_VERSION"; go version) | sha256sum | cut -c1-16)
cache_root=${SKYFLO_TESTCLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skyflo-testcluster}
bin="$cache_root/bin-$key"
mkdir -p "$bin"
# kwok builds beside the control plane: its module downloads overlap the other's compile.
kwok_pid=
if [ ! -x "$bin/kwok" ]; then
  echo "building kwok $KWOK_VERSION into $bin ..." >&2
  # kwok in its own module: pulling it into ours would raise grpc/otel under etcd.
  (cd "$cache_root" && GOFLAGS='' GOBIN="$bin/.kwok" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" &&
    mv "$bin/.kwok/kwok" "$bin/kwok") &
  kwok_pid=$!
fi
if [ ! -x "$bin/testcluster" ]; then
  echo "building testcluster (kube-apiserver, controller-manager, scheduler, etcd) into $bin ..." >&2
  (cd "$here" && go build -trimpath -tags="$TAGS" -ldflags "$LD" -o "$bin/testcluster.tmp" .)
  mv "$bin/testcluster.tmp" "$bin/testcluster"
fi
if [ -n "$kwok_pid" ]; then
  wait "$kwok_pid" || { echo "building kwok failed" >&2; exit 1; }
fi
if $with_helm && [ ! -x "$bin/helm-$HELM_VERSION" ]; then
  echo "building helm $HELM_VERSION into $bin ..." >&2
  (cd "$cache_root" && GOFLAGS='' GOBIN="$bin/.helm" go install -trimpath -ldflags '-s -w' \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  mv "$bin/.helm/helm" "$bin/helm-$HELM_VERSION"
fi
if [ -x "$bin/helm-$HELM_VERSION" ]; then ln -sf "helm-$HELM_VERSION" "$bin/helm"; fi
echo "$bin"
