#!/usr/bin/env bash
# generate.sh regenerates the DeepCopy methods (zz_generated.deepcopy.go) of
# the served API packages and their CRDs (config/crds/*.yaml) with
# controller-gen, run as a Go tool from this directory's module.
#
#   generate.sh          write into the repository (make generate)
#   generate.sh -verify  generate into a temporary directory and fail, naming
#                        the files, if the committed ones differ (make verify-generated)
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
GO=${GO:-go}
# The API packages that are served by the API server and get CRDs.
pkgs=(api/kyverno/v1 api/policyreport/v1alpha2)
crds=config/crds

controller_gen() { "$GO" tool -modfile=hack/tools/controller-gen/go.mod controller-gen "$@"; }

# gen OUT writes every generated file under the directory OUT, at the same
# relative paths as in the repository.
gen() {
	local out=$1 paths=() pkg
	for pkg in "${pkgs[@]}"; do
		mkdir -p "$out/$pkg"
		controller_gen object paths="./$pkg" output:dir="$out/$pkg"
		paths+=("paths=./$pkg")
	done
	mkdir -p "$out/$crds"
	rm -f "$out/$crds"/*.yaml
	controller_gen crd:crdVersions=v1 "${paths[@]}" output:crd:dir="$out/$crds"
}

if [[ ${1:-} != -verify ]]; then
	gen "$root"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen "$tmp"
stale=()
for f in "${pkgs[@]/%//zz_generated.deepcopy.go}" "$tmp/$crds"/*.yaml "$crds"/*.yaml; do
	f=${f#"$tmp/"}
	if ! cmp -s "$f" "$tmp/$f" 2>/dev/null; then
		stale+=("$f")
	fi
done
if ((${#stale[@]} > 0)); then
	echo "verify-generated: these generated files are stale or missing:" >&2
	printf '  %s\n' $(printf '%s\n' "${stale[@]}" | sort -u) >&2
	for f in $(printf '%s\n' "${stale[@]}" | sort -u); do
		committed=$f generated=$tmp/$f
		[[ -e $committed ]] || committed=/dev/null
		[[ -e $generated ]] || generated=/dev/null
		diff -u --label "$f (committed)" --label "$f (generated)" "$committed" "$generated" | head -20 >&2 || true
	done
	echo "verify-generated: run 'make generate' and commit the result." >&2
	exit 1
fi
echo "verify-generated: deepcopy and CRDs are up to date."
