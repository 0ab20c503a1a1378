#!/usr/bin/env bash
# Builds the helm CLI (helm.sh/helm/v3, pinned by the tool directive in this
# directory's go.mod) from the Go module proxy into a versioned cache
# directory outside the repository, only when missing, and prints the path of
# the binary.
#
#   hack/tools/helm/build.sh                # build if needed, print the path
#   KANON_TOOLS_DIR=/x hack/tools/helm/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=v3.22.0
dir="${KANON_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kanon/tools}/helm-$version"
bin="$dir/helm"
if [ ! -x "$bin" ]; then
  echo "building helm $version into $dir (first time only)" >&2
  mkdir -p "$dir"
  # The capabilities helm assumes without a cluster (helm template, lint)
  # follow the Kubernetes version Kanon is tested against.
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$version -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in pkg/chartutil pkg/lint/rules; do
    ldflags="$ldflags -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=37"
  done
  (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$dir/.helm.tmp" helm.sh/helm/v3/cmd/helm)
  mv "$dir/.helm.tmp" "$bin"
fi
echo "$bin"
