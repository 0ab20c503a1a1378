#!/usr/bin/env bash
# Builds kube-apiserver v1.37.2 and etcd from the Go module proxy into a
# versioned cache directory outside the repository, only when missing, and
# prints that directory (use it as KUBEBUILDER_ASSETS).
#
#   hack/controlplane/build.sh            # build if needed, print the directory
#   KANON_CONTROLPLANE_DIR=/x build.sh    # use another directory
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=1.37.2
dir="${KANON_CONTROLPLANE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kanon/controlplane-$version}"
mkdir -p "$dir"

build() { # name module-dir package ldflags
  local name=$1 mod=$2 pkg=$3 ldflags=$4
  if [ -x "$dir/$name" ]; then return; fi
  echo "building $name into $dir (first time only; several minutes)" >&2
  (cd "$here/$mod" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$dir/.$name.tmp" "$pkg")
  mv "$dir/.$name.tmp" "$dir/$name"
}

build etcd etcd . "-s -w"
build kube-apiserver apiserver k8s.io/kubernetes/cmd/kube-apiserver \
  "-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean"
echo "$dir"
