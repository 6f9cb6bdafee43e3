#!/usr/bin/env bash
# Builds the control-plane binaries into a cache outside the repository, keyed by go.sum,
# main.go and the build flags, and prints the directory that holds them. A cached build
# is reused as is; a fresh machine builds everything (about 15-25 min on 2 cores; Helm adds 1-2).
set -euo pipefail
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
if [ ! -x "$bin/testcluster" ]; then
  echo "building testcluster (kube-apiserver, controller-manager, scheduler, etcd) into $bin ..." >&2
  (cd "$here" && go build -trimpath -tags="$TAGS" -ldflags "$LD" -o "$bin/testcluster.tmp" .)
  mv "$bin/testcluster.tmp" "$bin/testcluster"
fi
if [ ! -x "$bin/kwok" ]; then
  echo "building kwok $KWOK_VERSION into $bin ..." >&2
  # kwok in its own module: pulling it into ours would raise grpc/otel under etcd.
  (cd "$cache_root" && GOFLAGS='' GOBIN="$bin/.kwok" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
  mv "$bin/.kwok/kwok" "$bin/kwok"
fi
if [ ! -x "$bin/helm-$HELM_VERSION" ]; then
  echo "building helm $HELM_VERSION into $bin ..." >&2
  (cd "$cache_root" && GOFLAGS='' GOBIN="$bin/.helm" go install -trimpath -ldflags '-s -w' \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  mv "$bin/.helm/helm" "$bin/helm-$HELM_VERSION"
fi
ln -sf "helm-$HELM_VERSION" "$bin/helm"
echo "$bin"
