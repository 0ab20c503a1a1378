// Package events writes the admission controller's Kubernetes Events
// (events.k8s.io/v1) with Kyverno's reasons and actions. Recording never
// blocks an admission review: events go through client-go's broadcaster,
// whose bounded queue drops events when the API server cannot keep up.
package events

import (
	"context"

	"github.com/kanon-policy/kanon/internal/webhook"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
)

// Component is the reporting controller of admission events, as Kyverno's
// kyverno-admission.
const Component = "kanon-admission"

// Recorder implements webhook.Recorder.
type Recorder struct {
	broadcaster events.EventBroadcaster
	recorder    events.EventRecorder
}

// New returns a recorder writing through client.
func New(client kubernetes.Interface) *Recorder {
	b := events.NewBroadcaster(&events.EventSinkImpl{Interface: client.EventsV1()})
	return &Recorder{broadcaster: b, recorder: b.NewRecorder(scheme.Scheme, Component)}
}

// Start starts writing until ctx ends.
func (r *Recorder) Start(ctx context.Context) {
	r.broadcaster.StartRecordingToSink(ctx.Done())
	go func() {
		<-ctx.Done()
		r.broadcaster.Shutdown()
	}()
}

// Record implements webhook.Recorder.
func (r *Recorder) Record(ev webhook.Event) {
	var related runtime.Object
	if ev.Related != nil {
		related = ref(*ev.Related)
	}
	r.recorder.Eventf(ref(ev.Regarding), related, ev.Type, ev.Reason, ev.Action, "%s", ev.Note)
}

func ref(o webhook.ObjectRef) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name, UID: types.UID(o.UID)}
}
