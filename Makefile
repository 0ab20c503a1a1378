# Kanon — developer entry points. `make run` and `make test` are the two
# commands a newcomer needs (see README.md).

GO        ?= go
BIN       ?= bin/kanon
CORPUS    ?= $(abspath ../shared/corpus)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# Build date = commit time (or SOURCE_DATE_EPOCH), never the clock: reproducible.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
DATE      ?= $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r $(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ)
VERSION_PKG := github.com/kanon-policy/kanon/internal/version
LDFLAGS   := -X $(VERSION_PKG).Version=$(VERSION) -X $(VERSION_PKG).Commit=$(COMMIT) -X $(VERSION_PKG).Date=$(DATE)

.PHONY: all build run test unit conformance vet fuzz bench bench-apply clean controlplane e2e examples

all: build

build: ## Build the kanon binary into bin/.
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kanon

run: build controlplane ## The playground: kube-apiserver + etcd on this machine with Kanon enforcing; prints KUBECONFIG=...
	KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) ./$(BIN) playground

controlplane: ## Build kube-apiserver and etcd from Go modules into ~/.cache/kanon (only when missing).
	hack/controlplane/build.sh

examples: build ## kanon test on our own example policies.
	./$(BIN) test examples/

test: verify-generated vet unit conformance examples e2e test-charts test-image ## All tests (what CI runs).

e2e: controlplane ## Admission controller tests against a real kube-apiserver + etcd.
	KANON_E2E=1 KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) $(GO) test -count=1 -timeout 20m ./test/e2e/

vet:
	$(GO) vet ./...

unit: ## Unit, golden and fuzz-seed tests.
	$(GO) test -count=1 ./...

conformance: build ## Run kanon test over the Kyverno corpus; fail if a known-passing dir regresses.
	KANON_CORPUS=$(CORPUS) $(GO) test -count=1 -run TestConformance ./test/conformance/

fuzz: ## A short run of every fuzz target.
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 20s ./pkg/manifest/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 20s ./pkg/jsonvalue/
	$(GO) test -run '^$$' -fuzz FuzzCompile -fuzztime 20s ./pkg/engine/pattern/
	$(GO) test -run '^$$' -fuzz FuzzMatch -fuzztime 20s ./pkg/engine/validate/
	$(GO) test -run '^$$' -fuzz '^FuzzPreprocessStrategicMerge$$' -fuzztime 20s ./pkg/engine/mutate/
	$(GO) test -run '^$$' -fuzz '^FuzzStrategicMerge$$' -fuzztime 20s ./pkg/engine/mutate/
	$(GO) test -run '^$$' -fuzz '^FuzzApplyJSON6902$$' -fuzztime 20s ./pkg/engine/mutate/
	$(GO) test -run '^$$' -fuzz FuzzParseFilters -fuzztime 20s ./internal/config/
	$(GO) test -run '^$$' -fuzz FuzzReview -fuzztime 20s ./internal/webhook/

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

.PHONY: bench-admission
bench-admission: build controlplane ## Admission benchmarks (issue #5): reviews straight to kanon serve at 500/1000/2000 rps, then Pods through the API server with and without Kanon.
	KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) $(GO) run ./bench/admission -mode direct -rates 500,1000,2000 -duration 30s -warmup 5s -violating 0 -corpus $(CORPUS) -kanon $(BIN)
	KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) $(GO) run ./bench/admission -mode direct -rates 500,1000,2000 -duration 30s -warmup 5s -violating 0.2 -corpus $(CORPUS) -kanon $(BIN)
	KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) $(GO) run ./bench/admission -mode apiserver -clients 16 -duration 30s -warmup 5s -corpus $(CORPUS) -kanon $(BIN)

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

test-charts: build verify-chart-crds ## Lint and render both charts with every option, check the PSS policies with kanon test/apply, install into a real API server.
	KANON_HELM=$$(hack/tools/helm/build.sh) KANON_BIN=$(abspath $(BIN)) KANON_CORPUS=$(CORPUS) KANON_HELM_INSTALL=1 \
	  KUBEBUILDER_ASSETS=$$(hack/controlplane/build.sh) $(GO) test -count=1 -timeout 20m ./test/helm/

# Container image and CLI distribution (docs/image.md). The image is built
# with Go alone (hack/image, internal/image): no Docker.
REGISTRY  ?= ghcr.io/kanon-policy/kanon
# The tag is the chart's appVersion: the release without its "v" (v0.1.0 -> 0.1.0).
IMAGE_TAG ?= $(patsubst v%,%,$(VERSION))
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
.PHONY: image image-push test-image install uninstall

image: ## Multi-platform OCI image (linux/amd64, linux/arm64, linux/arm/v7) into dist/: oci/ layout, kanon-image.tar, kanon-image.digest.
	$(GO) run ./hack/image build --out dist --repository $(REGISTRY) --tag $(IMAGE_TAG) --version $(VERSION) --commit $(COMMIT) --epoch $(SOURCE_DATE_EPOCH)

image-push: image ## Push the image: make image-push REGISTRY=host/repo [INSECURE=1 for a local HTTP registry].
	$(GO) run ./hack/image push --layout dist/oci --repository $(REGISTRY) $(if $(INSECURE),--insecure)

test-image: image ## Build the image twice (same digest), push it to an in-memory registry, pull it back and check it.
	KANON_TEST_IMAGE=1 KANON_IMAGE_LAYOUT=$(abspath dist/oci) $(GO) test -count=1 -timeout 60m -v -run TestImageEndToEnd ./internal/image/

install: build ## Install kanon, the kubectl plugin (kubectl kanon) and its completion helper into $(BINDIR).
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/kanon
	ln -sf kanon $(DESTDIR)$(BINDIR)/kubectl-kanon
	printf '#!/bin/sh\n# Completes "kubectl kanon ..." (kubectl 1.26+ runs it).\nexec "$$(dirname "$$0")/kanon" __complete "$$@"\n' > $(DESTDIR)$(BINDIR)/kubectl_complete-kanon
	chmod 0755 $(DESTDIR)$(BINDIR)/kubectl_complete-kanon

uninstall: ## Remove what make install put into $(BINDIR).
	rm -f $(DESTDIR)$(BINDIR)/kanon $(DESTDIR)$(BINDIR)/kubectl-kanon $(DESTDIR)$(BINDIR)/kubectl_complete-kanon
