// Package webhook turns AdmissionReviews into engine evaluations and back.
// It serves the resource validating and mutating endpoints (one per webhook
// failure policy, as Kyverno splits them), the policy-validation endpoint,
// health probes and metrics. Every request is bounded: the body size is
// limited, evaluation runs under the API server's timeout, and a panic or a
// timeout is answered with the webhook's failure policy instead of a crash or
// a hang.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/metrics"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Paths served. The resource webhooks are split by failure policy, so the
// API server applies the right one when Kanon cannot answer.
const (
	PathValidateFail   = "/validate/fail"
	PathValidateIgnore = "/validate/ignore"
	PathMutateFail     = "/mutate/fail"
	PathMutateIgnore   = "/mutate/ignore"
	PathPolicyValidate = "/policyvalidate"
	PathLiveness       = "/health/liveness"
	PathReadiness      = "/health/readiness"
	PathMetrics        = "/metrics"
)

// Policies gives the current compiled policies.
type Policies interface {
	Snapshot() *policycache.Snapshot
}

// RoleResolver returns the Roles ("namespace:name") and ClusterRoles bound
// to a user or its groups.
type RoleResolver interface {
	RolesFor(username string, groups []string) (roles, clusterRoles []string)
}

// Options configure a Server. Only Policies is required.
type Options struct {
	Policies Policies
	// Config returns the current runtime configuration; nil means defaults.
	Config func() *config.Config
	// Namespaces gives namespace labels (namespaceSelector, overrides).
	Namespaces match.NamespaceLabeler
	// Roles resolves the requester's roles; nil means none are resolved.
	Roles RoleResolver
	// Data loads context entries from the cluster; nil means none.
	Data engine.ExternalData
	// ParentKind returns the kind of a resource (for subresource requests,
	// where the review's kind is the subresource's); nil falls back to the
	// review's kind.
	ParentKind func(group, version, resource string) string
	// KnownKind reports whether a policy kind (Kind, group/version/Kind,
	// Kind/subresource) is served; nil skips the check.
	KnownKind func(kind string) bool
	// Metrics, when set, records Kyverno's admission metrics.
	Metrics *metrics.Metrics
	// Events, when set, receives policy events.
	Events Recorder
	// Generator, when set, receives the resources generate rules produce
	// and the mutate-existing work of admitted requests.
	Generator Generator
	// Resources finds existing objects in the cluster: the sources of
	// generate clone and cloneList rules (engine.Request.Sources). The
	// targets of mutate-existing rules are looked up by the Generator,
	// after admission, never on the admission path.
	Resources engine.ResourceLister
	// Ready reports readiness (policies synced, certificate loaded).
	Ready func() bool
	// Timeout bounds one review when the API server sends none; default 10s.
	Timeout time.Duration
	Log     logr.Logger
}

// Server handles admission reviews.
type Server struct {
	opts Options
	// slots bounds concurrent evaluations; a review waits for one within
	// its budget (then the failure policy answers).
	slots  chan struct{}
	blocks yamlBlocks // denial message fragments
}

// New returns a Server.
func New(opts Options) *Server {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Config == nil {
		def := config.Default()
		opts.Config = func() *config.Config { return def }
	}
	return &Server{opts: opts, slots: make(chan struct{}, max(4, 4*runtime.GOMAXPROCS(0)))}
}

// Handler returns the HTTP handler with every endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(PathValidateFail, s.review(failurePolicyFail, s.validate))
	mux.Handle(PathValidateIgnore, s.review(failurePolicyIgnore, s.validate))
	mux.Handle(PathMutateFail, s.review(failurePolicyFail, s.mutate))
	mux.Handle(PathMutateIgnore, s.review(failurePolicyIgnore, s.mutate))
	mux.Handle(PathPolicyValidate, s.review(failurePolicyFail, s.validatePolicy))
	mux.HandleFunc(PathLiveness, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc(PathReadiness, func(w http.ResponseWriter, _ *http.Request) {
		if s.opts.Ready != nil && !s.opts.Ready() {
			http.Error(w, "not ready: policies or certificates still loading", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	if s.opts.Metrics != nil {
		mux.Handle(PathMetrics, s.opts.Metrics.Handler())
	}
	return mux
}

const (
	failurePolicyFail   = "Fail"
	failurePolicyIgnore = "Ignore"
)

type reviewFunc func(ctx context.Context, in *input, failurePolicy string) *admissionv1.AdmissionResponse

// review wraps a review function: decoding, the timeout, panic recovery,
// the end-to-end metrics, and the failure-policy answer when evaluation
// could not finish.
//
// Evaluation runs on the request's own goroutine (no hand-off, so no extra
// wake-ups on the hot path). When it overruns its budget, a timer answers
// with the failure policy instead: the answer carries its length and
// "Connection: close", so the API server has a complete response at once
// and does not queue its next request behind the overrunning one (the API
// server speaks HTTP/1.1 to admission webhooks).
func (s *Server) review(failurePolicy string, fn reviewFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		in, err := readReview(r)
		if err != nil {
			s.opts.Log.Info("rejected a malformed admission review", "path", r.URL.Path, "error", err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := in.review.Request
		timeout := s.opts.Timeout
		if t, err := time.ParseDuration(r.URL.Query().Get("timeout")); err == nil && t > 0 {
			timeout = t
		}
		// Answer a little before the API server gives up, so our failure
		// answer (with its message) is the one the user sees.
		budget := timeout - timeout/10
		ctx, cancel := context.WithTimeout(r.Context(), budget)
		defer cancel()
		out := &reply{w: w, req: req, start: start, server: s}
		overrun := func() {
			out.send(s.failureAnswer(req, failurePolicy, fmt.Sprintf("policy evaluation did not finish within %s", budget.Round(time.Millisecond))), true)
		}
		stop := context.AfterFunc(ctx, overrun)
		defer stop()
		defer func() {
			if p := recover(); p != nil {
				s.opts.Log.Error(fmt.Errorf("panic: %v", p), "admission review panicked", "uid", req.UID, "kind", req.Kind.Kind, "stack", string(debug.Stack()))
				out.send(s.failureAnswer(req, failurePolicy, fmt.Sprintf("internal error while evaluating policies: %v", p)), false)
			}
		}()
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done(): // every slot busy for the whole budget
			// The timer answers too; send waits for it, so nothing writes
			// to w after the handler returns.
			overrun()
			return
		}
		defer func() { <-s.slots }()
		// If the timer fired meanwhile, its answer went out and this one is
		// dropped; send still synchronizes with it before the handler ends.
		out.send(fn(ctx, in, failurePolicy), false)
	})
}

// reply writes a review's one answer: the evaluation's, or the failure
// policy's when the budget ran out first.
type reply struct {
	mu     sync.Mutex
	sent   bool
	w      http.ResponseWriter
	req    *admissionv1.AdmissionRequest
	start  time.Time
	server *Server
}

func (o *reply) send(resp *admissionv1.AdmissionResponse, closeConn bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sent {
		return
	}
	o.sent = true
	resp.UID = o.req.UID
	out := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Response: resp}
	data, err := json.Marshal(out)
	if err != nil {
		http.Error(o.w, "encoding the AdmissionReview response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := o.w.Header()
	h.Set("Content-Type", "application/json")
	// With its length the answer is complete once flushed, even while the
	// handler still runs (the overrunning evaluation).
	h.Set("Content-Length", strconv.Itoa(len(data)))
	if closeConn {
		h.Set("Connection", "close")
	}
	_, _ = o.w.Write(data)
	if closeConn {
		if f, ok := o.w.(http.Flusher); ok {
			f.Flush()
		}
	}
	o.server.observe(o.req, resp, time.Since(o.start))
}

// failureAnswer is the answer when policies could not be evaluated: deny
// under failurePolicy Fail, admit with a warning under Ignore.
func (s *Server) failureAnswer(req *admissionv1.AdmissionRequest, failurePolicy, reason string) *admissionv1.AdmissionResponse {
	s.opts.Log.Info("admission review not evaluated", "uid", req.UID, "kind", req.Kind.Kind, "namespace", req.Namespace, "name", req.Name, "reason", reason, "failurePolicy", failurePolicy)
	if failurePolicy == failurePolicyIgnore {
		return &admissionv1.AdmissionResponse{Allowed: true, Warnings: []string{"kanon: " + reason + " (failurePolicy Ignore: admitted)"}}
	}
	return deny("kanon: " + reason + " (failurePolicy Fail: denied)")
}

func allow(warnings []string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: true, Warnings: warnings}
}

func deny(msg string) *admissionv1.AdmissionResponse {
	return &admissionv1.AdmissionResponse{Allowed: false, Result: &metav1.Status{Status: metav1.StatusFailure, Message: msg, Reason: metav1.StatusReasonBadRequest, Code: http.StatusBadRequest}}
}

func (s *Server) observe(req *admissionv1.AdmissionRequest, resp *admissionv1.AdmissionResponse, d time.Duration) {
	m := s.opts.Metrics
	if m == nil {
		return
	}
	m.AdmissionReviewed(req.Kind.Kind, req.Namespace, string(req.Operation), resp.Allowed, d)
}

// resourceName is Kyverno's Kind/namespace/name (Kind/name when cluster-scoped).
func resourceName(kind, namespace, name string) string {
	parts := []string{kind}
	if namespace != "" {
		parts = append(parts, namespace)
	}
	return strings.Join(append(parts, name), "/")
}
