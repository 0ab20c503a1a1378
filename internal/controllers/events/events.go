// Package events writes the admission controller's Kubernetes Events
// (events.k8s.io/v1) with Kyverno's reasons and actions. Recording never
// blocks an admission review and never grows without bound: a token bucket
// admits at most QPS events per second (with a burst) into client-go's
// broadcaster, and the rest are dropped and counted
// (kyverno_events_dropped_total), as Kyverno does past its queue limit.
package events

import (
	"context"

	"github.com/kanon-policy/kanon/internal/webhook"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/flowcontrol"
)

// Component is the reporting controller of admission events, as Kyverno's
// kyverno-admission.
const Component = "kanon-admission"

// Options configure a Recorder.
type Options struct {
	// QPS and Burst bound the events written per second; defaults 20 and 100.
	QPS   float32
	Burst int
	// Dropped counts events over the limit; may be nil.
	Dropped prometheus.Counter
}

// Recorder implements webhook.Recorder.
type Recorder struct {
	broadcaster events.EventBroadcaster
	recorder    events.EventRecorder
	limiter     flowcontrol.RateLimiter
	dropped     prometheus.Counter
}

// New returns a recorder writing through client.
func New(client kubernetes.Interface, opts Options) *Recorder {
	if opts.QPS <= 0 {
		opts.QPS = 20
	}
	if opts.Burst <= 0 {
		opts.Burst = 100
	}
	b := events.NewBroadcaster(&events.EventSinkImpl{Interface: client.EventsV1()})
	return &Recorder{
		broadcaster: b,
		recorder:    b.NewRecorder(scheme.Scheme, Component),
		limiter:     flowcontrol.NewTokenBucketRateLimiter(opts.QPS, opts.Burst),
		dropped:     opts.Dropped,
	}
}

// Start starts writing until ctx ends.
func (r *Recorder) Start(ctx context.Context) {
	r.broadcaster.StartRecordingToSink(ctx.Done())
	go func() {
		<-ctx.Done()
		r.broadcaster.Shutdown()
	}()
}

// Record implements webhook.Recorder. Over the rate limit the event is
// dropped and counted.
func (r *Recorder) Record(ev webhook.Event) {
	if !r.limiter.TryAccept() {
		if r.dropped != nil {
			r.dropped.Inc()
		}
		return
	}
	var related runtime.Object
	if ev.Related != nil {
		related = ref(*ev.Related)
	}
	r.recorder.Eventf(ref(ev.Regarding), related, ev.Type, ev.Reason, ev.Action, "%s", ev.Note)
}

func ref(o webhook.ObjectRef) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, UID: types.UID(o.UID)}
}
