# Kanon — developer entry points. `make run` and `make test` are the two
# commands a newcomer needs (see README.md).

GO        ?= go
BIN       ?= bin/kanon
CORPUS    ?= $(abspath ../shared/corpus)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/kanon-policy/kanon/internal/version.Version=$(VERSION)

.PHONY: all build run test unit conformance vet fuzz bench bench-apply clean

all: build

build: ## Build the kanon binary into bin/.
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kanon

run: build ## The playground: run kanon test on the bundled example policies.
	./$(BIN) test examples/

test: verify-generated vet unit conformance test-charts ## All tests (what CI runs).

vet:
	$(GO) vet ./...

unit: ## Unit, golden and fuzz-seed tests.
	$(GO) test -count=1 ./...

conformance: build ## Run kanon test over the Kyverno corpus; fail if a known-passing dir regresses.
	KANON_CORPUS=$(CORPUS) $(GO) test -count=1 -run TestConformance ./test/conformance/

fuzz: ## A short run of every fuzz target.
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 20s ./pkg/manifest/
	$(GO) test -run '^$$' -fuzz FuzzCompile -fuzztime 20s ./pkg/engine/pattern/
	$(GO) test -run '^$$' -fuzz FuzzMatch -fuzztime 20s ./pkg/engine/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzPreprocessStrategicMerge$$' -fuzztime 20s ./pkg/engine/mutate/
	$(GO) test -run '^$$' -fuzz '^FuzzStrategicMerge$$' -fuzztime 20s ./pkg/engine/mutate/
	$(GO) test -run '^$$' -fuzz '^FuzzApplyJSON6902$$' -fuzztime 20s ./pkg/engine/mutate/

bench: ## Engine and CLI benchmarks (see docs/performance.md).
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/engine/... ./bench/...

clean:
	rm -rf bin dist

.PHONY: generate verify-generated

generate: ## Regenerate DeepCopy (api/**/zz_generated.deepcopy.go) and the CRDs in config/crds from api/.
	GO=$(GO) hack/tools/controller-gen/generate.sh

verify-generated: ## Fail if the DeepCopy files or config/crds are stale (regenerates into a temp dir).
	GO=$(GO) hack/tools/controller-gen/generate.sh -verify

bench-apply: build ## Whole-process kanon apply of the 12 Pod Security policies on 2,000 Pods.
	$(GO) run ./bench/podgen -n 2000 > /tmp/kanon-bench-pods.yaml
	for i in 1 2 3 4 5; do /usr/bin/time -f "%e s, %M KiB max RSS" ./$(BIN) apply \
	  $(wildcard $(CORPUS)/policies/pod-security/baseline/*/*.yaml $(CORPUS)/policies/pod-security/restricted/*/*.yaml) \
	  -r /tmp/kanon-bench-pods.yaml > /dev/null || true; done

# Helm charts (charts/kanon, charts/kanon-policies). helm is built once from
# the Go module proxy by hack/tools/helm/build.sh (a separate tools module).
.PHONY: helm chart-crds verify-chart-crds test-charts

helm: ## Build the helm CLI into ~/.cache/kanon/tools (once) and print its path.
	@hack/tools/helm/build.sh

chart-crds: ## Copy the CRDs of config/crds into charts/kanon/files/crds.
	rm -f charts/kanon/files/crds/*.yaml
	cp config/crds/*.yaml charts/kanon/files/crds/

verify-chart-crds: ## Fail if charts/kanon/files/crds differs from config/crds.
	@diff -r -x '*.go' config/crds charts/kanon/files/crds || { echo "charts/kanon CRDs are stale: run make chart-crds" >&2; exit 1; }

test-charts: build verify-chart-crds ## Lint and render both charts with every option, check the PSS policies with kanon test/apply.
	KANON_HELM=$$(hack/tools/helm/build.sh) KANON_BIN=$(abspath $(BIN)) KANON_CORPUS=$(CORPUS) \
	  $(GO) test -count=1 -timeout 20m ./test/helm/
