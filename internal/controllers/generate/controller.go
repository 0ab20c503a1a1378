// Package generate is the admission controller's background writer, the
// part of Kyverno's background controller that Kanon runs in process: it
// creates and updates the downstream resources of generate rules and
// applies the patches of mutate-existing rules, after admission.
//
// Work arrives from two sides and goes through one bounded work queue served
// by a few workers:
//
//   - the validating webhook (every replica) hands over, for each admitted
//     request, the resources generate rules produced and the policies whose
//     mutate-existing rules the request triggers (Generate, non-blocking: a
//     full queue drops the work, logs and counts it);
//   - the leader (RunLeader) follows policy changes (generateExisting,
//     mutateExistingOnPolicyUpdate, downstream cleanup when a synchronized
//     rule or policy is deleted) and watches generated resources and their
//     triggers (synchronize: a deleted or edited downstream is put back, a
//     deleted trigger takes its downstreams with it).
//
// Generated resources are written with server-side apply (field manager
// kanon-generate, forced) when the rule synchronizes, and created only when
// absent otherwise; mutated targets are updated with optimistic concurrency
// and re-evaluated on conflict. Failed writes are retried with exponential
// backoff, then reported as PolicyError events.
package generate

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/controllers/clusterdata"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/webhook"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/util/workqueue"
)

// Field managers and labels of Kanon's writes.
const (
	FieldManagerGenerate = "kanon-generate"
	FieldManagerMutate   = "kanon-mutate"
	LabelManagedBy       = "app.kubernetes.io/managed-by"
	ManagedByKanon       = "kanon"
)

// Policies gives the compiled policies and tells when they change
// (policycache.Cache).
type Policies interface {
	Snapshot() *policycache.Snapshot
	Subscribe() <-chan struct{}
}

// Options configure a Controller. Client, Mapper and Policies are required.
type Options struct {
	// Client reads and writes generated resources, triggers and targets.
	Client dynamic.Interface
	// Metadata watches generated resources and their triggers on the
	// leader; nil disables the watches (no re-creation of deleted
	// downstreams, no cleanup on trigger deletion).
	Metadata metadata.Interface
	// Mapper maps apiVersion and kind to resources (discovery).
	Mapper clusterdata.ResourceMapper
	// Lister finds clone sources and mutate-existing targets in background
	// evaluations (engine.Request.Sources and Targets).
	Lister engine.ResourceLister
	// Namespaces and Data serve background evaluations as they serve
	// admission (namespace labels, context entries).
	Namespaces match.NamespaceLabeler
	Data       engine.ExternalData
	Policies   Policies
	// Events receives PolicyApplied ("Resource Generated", "Resource
	// Mutated") and PolicyError events; nil records none.
	Events webhook.Recorder
	// Workers is the number of workers; default 4.
	Workers int
	// QueueSize bounds the admission work waiting in the queue; default
	// 1000. Work beyond it is dropped, logged and counted.
	QueueSize int
	// MaxRetries is how often a failed task is retried (with exponential
	// backoff from RetryBase to RetryMax) before it is given up; default 5.
	MaxRetries int
	RetryBase  time.Duration
	RetryMax   time.Duration
	// Timeout bounds one API call; default 10s.
	Timeout time.Duration
	// Registerer, when set, registers kanon_background_queue_dropped_total
	// and kanon_background_tasks_total.
	Registerer prometheus.Registerer
	Log        logr.Logger
}

// Controller implements webhook.Generator.
type Controller struct {
	opts    Options
	queue   workqueue.TypedRateLimitingInterface[*task]
	changes <-chan struct{}

	dropped atomic.Int64
	metrics *counters
}

// New returns a controller; call Run to start its workers.
func New(opts Options) (*Controller, error) {
	if opts.Client == nil || opts.Mapper == nil || opts.Policies == nil {
		return nil, errors.New("generate: Client, Mapper and Policies are required")
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1000
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 5
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 200 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 30 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	c := &Controller{
		opts: opts,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[*task](opts.RetryBase, opts.RetryMax),
			workqueue.TypedRateLimitingQueueConfig[*task]{Name: "kanon-background"}),
		changes: opts.Policies.Subscribe(),
	}
	var err error
	if c.metrics, err = newCounters(opts.Registerer); err != nil {
		return nil, err
	}
	return c, nil
}

// Dropped returns how much admission work was dropped because the queue
// was full.
func (c *Controller) Dropped() int64 { return c.dropped.Load() }

// Generate implements webhook.Generator: it queues the request's work and
// returns at once.
func (c *Controller) Generate(req webhook.GenerateRequest) {
	if req.Policy == nil {
		return
	}
	trigger := refOf(req.Trigger)
	if req.MutateExisting != nil {
		c.enqueue(&task{op: opMutate, policy: req.Policy, trigger: trigger, request: req.MutateExisting}, true)
		return
	}
	for _, r := range req.Rules {
		if r.Status == engine.StatusError {
			c.reportError(req.Policy, r.Name, trigger, errors.New(r.Message))
			continue
		}
		if r.Status != engine.StatusPass {
			continue
		}
		for _, g := range r.Generated {
			c.enqueue(&task{op: opApply, policy: req.Policy, rule: r.Name, trigger: trigger, generated: g}, true)
		}
	}
}

// enqueue adds a task. Admission work is dropped when QueueSize tasks are
// waiting; the leader's own work (bounded by the cluster's content) is
// always queued.
func (c *Controller) enqueue(t *task, admission bool) {
	if admission && c.queue.Len() >= c.opts.QueueSize {
		c.dropped.Add(1)
		c.metrics.dropped.Inc()
		c.opts.Log.Info("background queue full: work dropped", "op", t.op.String(), "policy", policyKey(t.policy), "rule", t.rule,
			"trigger", describe(t.trigger), "queueSize", c.opts.QueueSize)
		return
	}
	c.queue.Add(t)
}

// Run serves the queue with Workers workers until ctx ends, then lets the
// running tasks finish.
func (c *Controller) Run(ctx context.Context) error {
	defer runtime.HandleCrash()
	var wg sync.WaitGroup
	for range c.opts.Workers {
		wg.Go(func() {
			for c.next(ctx) {
			}
		})
	}
	<-ctx.Done()
	c.queue.ShutDown()
	wg.Wait()
	return nil
}

func (c *Controller) next(ctx context.Context) bool {
	t, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(t)
	err := c.process(ctx, t)
	switch {
	case err == nil:
		c.queue.Forget(t)
		c.metrics.tasks.WithLabelValues(t.op.String(), "done").Inc()
	case ctx.Err() != nil:
		c.queue.Forget(t)
	case isPermanent(err) || c.queue.NumRequeues(t) >= c.opts.MaxRetries:
		c.queue.Forget(t)
		c.metrics.tasks.WithLabelValues(t.op.String(), "failed").Inc()
		c.reportError(t.policy, t.rule, t.trigger, err)
	default:
		c.metrics.tasks.WithLabelValues(t.op.String(), "retried").Inc()
		c.opts.Log.V(1).Info("background task failed; retrying", "op", t.op.String(), "policy", policyKey(t.policy), "rule", t.rule,
			"trigger", describe(t.trigger), "attempt", c.queue.NumRequeues(t)+1, "error", err.Error())
		c.queue.AddRateLimited(t)
	}
	return true
}

// process runs one task, recovering from panics.
func (c *Controller) process(ctx context.Context, t *task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = permanent(fmt.Errorf("panic in background task %s: %v", t.op, r))
		}
	}()
	switch t.op {
	case opApply:
		return c.apply(ctx, t)
	case opMutate:
		return c.mutateExisting(ctx, t)
	case opExisting:
		return c.existing(ctx, t)
	case opCleanup:
		return c.cleanup(ctx, t)
	case opDownstream:
		return c.reconcileDownstream(ctx, t)
	}
	return permanent(fmt.Errorf("unknown background task %d", t.op))
}

// reportError logs a failure and records a PolicyError event on the policy.
func (c *Controller) reportError(p *engine.Policy, rule string, about engine.ResourceRef, err error) {
	c.opts.Log.Error(err, "background work failed", "policy", policyKey(p), "rule", rule, "resource", describe(about))
	if p == nil {
		return
	}
	c.record(p, about, "Warning", "PolicyError", "None", fmt.Sprintf("policy %s/%s error for %s: %v", p.Name, rule, describe(about), err))
}

func (c *Controller) record(p *engine.Policy, about engine.ResourceRef, typ, reason, action, note string) {
	if c.opts.Events == nil {
		return
	}
	related := webhook.ObjectRef{APIVersion: about.APIVersion, Kind: about.Kind, Namespace: about.Namespace, Name: about.Name, UID: about.UID}
	c.opts.Events.Record(webhook.Event{
		Regarding: webhook.ObjectRef{APIVersion: "kyverno.io/v1", Kind: p.Kind, Namespace: p.Namespace, Name: p.Name},
		Related:   &related, Type: typ, Reason: reason, Action: action, Note: note,
	})
}

func policyKey(p *engine.Policy) string {
	if p == nil {
		return ""
	}
	return p.Key()
}

// counters are the controller's Prometheus metrics.
type counters struct {
	dropped prometheus.Counter
	tasks   *prometheus.CounterVec
}

func newCounters(reg prometheus.Registerer) (*counters, error) {
	m := &counters{
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kanon_background_queue_dropped_total",
			Help: "Admission work (generate, mutate-existing) dropped because the background queue was full.",
		}),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kanon_background_tasks_total",
			Help: "Background tasks by operation and outcome (done, retried, failed).",
		}, []string{"operation", "outcome"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, col := range []prometheus.Collector{m.dropped, m.tasks} {
		if err := reg.Register(col); err != nil {
			return nil, fmt.Errorf("generate: registering metrics: %w", err)
		}
	}
	return m, nil
}
