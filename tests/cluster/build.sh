#!/usr/bin/env bash
# Builds the control-plane binaries into a cache outside the repository, keyed by go.sum,
# main.go and the build flags, and prints the directory that holds them. A cached build
# is reused as is; a fresh machine builds everything (about 5 min on 2 cores, with nothing else
# running: 564 CPU-seconds for the control plane and kwok together).
#   tests/cluster/build.sh           # the control plane and kwok
#   tests/cluster/build.sh --helm    # also Helm, which only the adopt tests and bench use
set -euo pipefail
with_helm=false
[ "${1:-}" = "--helm" ] && with_helm=true
here=$(cd "$(dirname "$0")" && pwd)
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
K8S_VERSION=v1.36.3
KWOK_VERSION=$(cd "$here" && go list -m -f '{{.Version}}' sigs.k8s.io/kwok)
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
if [ ! -x "$bin/testcluster" ] || [ ! -x "$bin/kwok" ]; then
  echo "building testcluster (kube-apiserver, controller-manager, scheduler, etcd) and kwok $KWOK_VERSION into $bin ..." >&2
  # One build of both: kwok is a tool of this module (gen-gomod.sh), so the Kubernetes
  # packages they share are compiled once.
  rm -rf "$bin/.new"
  (cd "$here" && go build -trimpath -tags="$TAGS" -ldflags "$LD" -o "$bin/.new/" . sigs.k8s.io/kwok/cmd/kwok)
  mv "$bin/.new/kwok" "$bin/kwok"
  mv "$bin/.new/testcluster" "$bin/testcluster"
  rmdir "$bin/.new"
fi
if $with_helm && [ ! -x "$bin/helm-$HELM_VERSION" ]; then
  echo "building helm $HELM_VERSION into $bin ..." >&2
  (cd "$cache_root" && GOFLAGS='' GOBIN="$bin/.helm" go install -trimpath -ldflags '-s -w' \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  mv "$bin/.helm/helm" "$bin/helm-$HELM_VERSION"
fi
if [ -x "$bin/helm-$HELM_VERSION" ]; then ln -sf "helm-$HELM_VERSION" "$bin/helm"; fi
echo "$bin"
