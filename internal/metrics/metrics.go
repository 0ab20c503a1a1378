// Package metrics defines the admission controller's Prometheus metrics with
// Kyverno's names and labels (kyverno_admission_requests_total,
// kyverno_admission_review_duration_seconds, kyverno_policy_results_total,
// kyverno_policy_execution_duration_seconds, kyverno_events_dropped_total,
// kyverno_info), so dashboards built for Kyverno work unchanged.
package metrics

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with Kanon's collectors.
type Metrics struct {
	Registry *prometheus.Registry

	AdmissionRequests *prometheus.CounterVec
	AdmissionDuration *prometheus.HistogramVec
	PolicyResults     *prometheus.CounterVec
	PolicyDuration    *prometheus.HistogramVec
	EventsDropped     prometheus.Counter
}

// Label names, as Kyverno exports them.
var (
	admissionLabels = []string{"resource_kind", "resource_namespace", "resource_request_operation", "request_allowed"}
	resultLabels    = []string{"policy_validation_mode", "policy_type", "policy_background_mode", "policy_name", "policy_namespace",
		"resource_kind", "resource_namespace", "resource_request_operation", "rule_name", "rule_result", "rule_type", "rule_execution_cause", "dry_run"}
	durationLabels = []string{"policy_validation_mode", "policy_type", "policy_background_mode", "policy_name", "policy_namespace",
		"resource_kind", "resource_namespace", "resource_request_operation", "rule_execution_cause", "dry_run"}
)

// New creates the collectors in a fresh registry (with Go and process
// collectors). version is reported by kyverno_info.
func New(version string) *Metrics {
	buckets := []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		AdmissionRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kyverno_admission_requests_total", Help: "Admission requests handled by Kanon.",
		}, admissionLabels),
		AdmissionDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kyverno_admission_review_duration_seconds", Help: "End-to-end admission review latency.", Buckets: buckets,
		}, admissionLabels),
		PolicyResults: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kyverno_policy_results_total", Help: "Rule results of policy evaluations.",
		}, resultLabels),
		PolicyDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kyverno_policy_execution_duration_seconds", Help: "Latency of one policy's evaluation on one resource.", Buckets: buckets,
		}, durationLabels),
		EventsDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kyverno_events_dropped_total", Help: "Events not written because they exceeded the event rate limit.",
		}),
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kyverno_info", Help: "Kanon build information."}, []string{"version", "engine", "go_version"})
	info.WithLabelValues(version, "kanon", runtime.Version()).Set(1)
	m.Registry.MustRegister(m.AdmissionRequests, m.AdmissionDuration, m.PolicyResults, m.PolicyDuration, m.EventsDropped, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
