// Package metrics defines the admission controller's Prometheus metrics with
// Kyverno's names and labels (kyverno_admission_requests_total,
// kyverno_admission_review_duration_seconds, kyverno_policy_results_total,
// kyverno_policy_execution_duration_seconds, kyverno_events_dropped_total,
// kyverno_info), so dashboards built for Kyverno work unchanged.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with Kanon's collectors. Record admission
// metrics through its methods: they resolve each label combination's
// series once and keep it, so a review costs a map lookup per series rather
// than Prometheus's label hashing and slice allocations per call.
type Metrics struct {
	Registry *prometheus.Registry

	AdmissionRequests *prometheus.CounterVec
	AdmissionDuration *prometheus.HistogramVec
	PolicyResults     *prometheus.CounterVec
	PolicyDuration    *prometheus.HistogramVec
	EventsDropped     prometheus.Counter

	admissions series[admissionKey, admissionSeries]
	results    series[resultKey, prometheus.Counter]
	durations  series[PolicyLabels, prometheus.Observer]
}

// PolicyLabels are the labels shared by the metrics of one policy's
// evaluation on one resource (Kyverno's names in brackets).
type PolicyLabels struct {
	Mode              string // policy_validation_mode: enforce or audit
	PolicyType        string // policy_type: cluster or namespaced
	Background        string // policy_background_mode: true or false
	Policy            string // policy_name
	PolicyNamespace   string // policy_namespace
	ResourceKind      string // resource_kind
	ResourceNamespace string // resource_namespace
	Operation         string // resource_request_operation
	Cause             string // rule_execution_cause: admission_request, background_scan
	DryRun            bool   // dry_run
}

type resultKey struct {
	PolicyLabels
	rule, result, ruleType string
}

type admissionKey struct {
	kind, namespace, operation string
	allowed                    bool
}

type admissionSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// RuleResult counts one rule's result (kyverno_policy_results_total); the
// rule type is exported in lower case (Validation: validation).
func (m *Metrics) RuleResult(l PolicyLabels, rule, result, ruleType string) {
	m.results.get(resultKey{l, rule, result, ruleType}).Inc()
}

// PolicyEvaluated observes one policy's evaluation time
// (kyverno_policy_execution_duration_seconds).
func (m *Metrics) PolicyEvaluated(l PolicyLabels, d time.Duration) {
	m.durations.get(l).Observe(d.Seconds())
}

// AdmissionReviewed counts one answered admission review and its latency
// (kyverno_admission_requests_total, kyverno_admission_review_duration_seconds).
func (m *Metrics) AdmissionReviewed(kind, namespace, operation string, allowed bool, d time.Duration) {
	s := m.admissions.get(admissionKey{kind, namespace, operation, allowed})
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}

// series keeps the resolved series of one metric by label combination. Like
// the Prometheus vector behind it, it only grows (series are not deleted).
type series[K comparable, V any] struct {
	mu      sync.RWMutex
	m       map[K]V
	resolve func(K) V
}

func (s *series[K, V]) get(k K) V {
	s.mu.RLock()
	v, ok := s.m[k]
	s.mu.RUnlock()
	if ok {
		return v
	}
	v = s.resolve(k)
	s.mu.Lock()
	if s.m == nil {
		s.m = map[K]V{}
	}
	s.m[k] = v
	s.mu.Unlock()
	return v
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
	m.admissions.resolve = func(k admissionKey) admissionSeries {
		allowed := strconv.FormatBool(k.allowed)
		return admissionSeries{
			requests: m.AdmissionRequests.WithLabelValues(k.kind, k.namespace, k.operation, allowed),
			duration: m.AdmissionDuration.WithLabelValues(k.kind, k.namespace, k.operation, allowed),
		}
	}
	m.results.resolve = func(k resultKey) prometheus.Counter {
		l := k.PolicyLabels
		return m.PolicyResults.WithLabelValues(l.Mode, l.PolicyType, l.Background, l.Policy, l.PolicyNamespace,
			l.ResourceKind, l.ResourceNamespace, l.Operation, k.rule, k.result, strings.ToLower(k.ruleType), l.Cause, strconv.FormatBool(l.DryRun))
	}
	m.durations.resolve = func(l PolicyLabels) prometheus.Observer {
		return m.PolicyDuration.WithLabelValues(l.Mode, l.PolicyType, l.Background, l.Policy, l.PolicyNamespace,
			l.ResourceKind, l.ResourceNamespace, l.Operation, l.Cause, strconv.FormatBool(l.DryRun))
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
