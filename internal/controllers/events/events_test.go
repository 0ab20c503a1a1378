package events

import (
	"context"
	"testing"
	"time"

	"github.com/kanon-policy/kanon/internal/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/client-go/kubernetes/fake"
)

func TestRecordIsBounded(t *testing.T) {
	client := fake.NewClientset()
	dropped := prometheus.NewCounter(prometheus.CounterOpts{Name: "dropped"})
	r := New(client, Options{QPS: 1, Burst: 10, Dropped: dropped})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	start := time.Now()
	for i := 0; i < 1000; i++ {
		r.Record(webhook.Event{Regarding: webhook.ObjectRef{APIVersion: "kyverno.io/v1", Kind: "ClusterPolicy", Name: "p"},
			Type: "Warning", Reason: "PolicyViolation", Action: "Resource Blocked", Note: "n"})
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("recording 1,000 events blocked for %s", d)
	}
	if got := testutil.ToFloat64(dropped); got < 980 {
		t.Errorf("dropped %v events, want about 990 over a burst of 10", got)
	}
}
