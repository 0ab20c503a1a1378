package config

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Watcher keeps the Config of one ConfigMap current. A malformed ConfigMap
// is logged and ignored: the last good configuration stays in force. A
// missing ConfigMap means the defaults.
type Watcher struct {
	Client    kubernetes.Interface
	Namespace string
	Name      string
	Log       logr.Logger

	current atomic.Pointer[Config]
	changed chan struct{}
}

// NewWatcher returns a watcher serving the defaults until Run loads the
// ConfigMap.
func NewWatcher(client kubernetes.Interface, namespace, name string, log logr.Logger) *Watcher {
	w := &Watcher{Client: client, Namespace: namespace, Name: name, Log: log, changed: make(chan struct{}, 1)}
	w.current.Store(Default())
	return w
}

// Current returns the configuration in force.
func (w *Watcher) Current() *Config { return w.current.Load() }

// Changed signals (coalesced) every change of the configuration.
func (w *Watcher) Changed() <-chan struct{} { return w.changed }

// Run watches the ConfigMap until ctx ends. It returns once the first state
// is known only through Synced; callers run it in a goroutine.
func (w *Watcher) Run(ctx context.Context, synced chan<- struct{}) {
	f := informers.NewSharedInformerFactoryWithOptions(w.Client, 10*time.Minute, informers.WithNamespace(w.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", w.Name).String()
		}))
	inf := f.Core().V1().ConfigMaps().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { w.load(obj) },
		UpdateFunc: func(_, obj any) { w.load(obj) },
		DeleteFunc: func(any) { w.set(Default()) },
	})
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	if synced != nil {
		close(synced)
	}
	<-ctx.Done()
	f.Shutdown()
}

func (w *Watcher) load(obj any) {
	cm, ok := obj.(*corev1.ConfigMap)
	if !ok {
		return
	}
	c, err := Parse(cm.Data)
	if err != nil {
		w.Log.Error(err, "ignoring malformed configuration; the previous one stays in force", "configmap", w.Namespace+"/"+w.Name)
		return
	}
	w.Log.Info("configuration loaded", "configmap", w.Namespace+"/"+w.Name, "resourceFilters", len(c.ResourceFilters))
	w.set(c)
}

func (w *Watcher) set(c *Config) {
	w.current.Store(c)
	select {
	case w.changed <- struct{}{}:
	default:
	}
}
