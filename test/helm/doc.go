// Package helm tests the Helm charts in charts/. The fast tests (run by
// `make test-charts`, which sets KANON_HELM and KANON_BIN) lint and render
// both charts with the default values and with every documented option, and
// check the rendered Pod Security policies with `kanon test` and
// `kanon apply` against the Pods in testdata/pss. With KANON_HELM_INSTALL=1
// the install test also installs the charts into a real kube-apiserver
// (internal/controlplane) and runs `kanon serve` and `kanon cleanup webhooks`
// against it. TestChartCRDs always runs: the chart's CRDs must be the files
// of config/crds, byte for byte.
package helm
