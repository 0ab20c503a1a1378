package certs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// ManagedByLabel marks the Secret the Manager writes; its value is "kanon".
const ManagedByLabel = "cert.kanon.io/managed-by"

// Defaults of [Options], Kyverno's for the validities and the check interval.
const (
	DefaultCAValidity    = 365 * 24 * time.Hour
	DefaultCertValidity  = 150 * 24 * time.Hour
	DefaultRenewBefore   = 15 * 24 * time.Hour
	DefaultCheckInterval = 12 * time.Hour
	DefaultRotationGrace = time.Hour
)

// maxAttempts bounds the read-decide-write rounds of one check that lose a
// race to another replica.
const maxAttempts = 5

// Options configures a [Manager].
type Options struct {
	Client      kubernetes.Interface // required
	Namespace   string               // Kanon's namespace, required
	SecretName  string               // the Secret holding the CA and the serving pair, required
	ServiceName string               // the webhook Service, required; DNS names <svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local
	ExtraIPs    []net.IP             // extra IP SANs (the playground serves on 127.0.0.1)
	ExtraDNS    []string             // extra DNS SANs

	// CAValidity (default 365 days) and CertValidity (default 150 days) are the
	// lifetimes of new certificates; each is renewed RenewBefore (default 15
	// days) before it expires. RenewBefore must be shorter than both.
	CAValidity, CertValidity, RenewBefore time.Duration
	// RotationGrace is how long after a CA rotation the serving certificate
	// is still signed by the old CA, so that the bundle holding both CAs
	// reaches every webhook configuration first. Default 1h; it must be
	// shorter than RenewBefore.
	RotationGrace time.Duration
	// CheckInterval is the longest time between two checks of the Secret;
	// default 12h. Checks also happen when a renewal is due and whenever the
	// Secret changes.
	CheckInterval time.Duration
	// KeyAlgorithm of new keys, default ECDSA (P-256).
	KeyAlgorithm KeyAlgorithm
	// Now is the clock, default time.Now.
	Now func() time.Time
	Log logr.Logger
}

// Manager keeps a self-signed CA and a serving pair in a Secret and serves
// them. See the package documentation.
type Manager struct {
	*publisher
	client    kubernetes.Interface
	namespace string
	name      string
	policy    policy
	interval  time.Duration
	now       func() time.Time
	log       logr.Logger
	kick      chan struct{} // a check is wanted
	running   atomic.Bool
}

// New validates opts, fills in the defaults and returns a Manager. Nothing
// is read or written before Run.
func New(opts Options) (*Manager, error) {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"Namespace", opts.Namespace}, {"SecretName", opts.SecretName}, {"ServiceName", opts.ServiceName},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if opts.Client == nil {
		missing = append(missing, "Client")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("certs: Options %v must be set", missing)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&opts.CAValidity, DefaultCAValidity)
	def(&opts.CertValidity, DefaultCertValidity)
	def(&opts.RenewBefore, DefaultRenewBefore)
	def(&opts.CheckInterval, DefaultCheckInterval)
	def(&opts.RotationGrace, DefaultRotationGrace)
	for _, f := range []struct {
		name  string
		value time.Duration
	}{
		{"CAValidity", opts.CAValidity}, {"CertValidity", opts.CertValidity}, {"RenewBefore", opts.RenewBefore},
		{"CheckInterval", opts.CheckInterval}, {"RotationGrace", opts.RotationGrace},
	} {
		if f.value < 0 {
			return nil, fmt.Errorf("certs: Options.%s is negative (%s)", f.name, f.value)
		}
	}
	if opts.RenewBefore >= opts.CAValidity || opts.RenewBefore >= opts.CertValidity {
		return nil, fmt.Errorf("certs: Options.RenewBefore (%s) must be shorter than CAValidity (%s) and CertValidity (%s)",
			opts.RenewBefore, opts.CAValidity, opts.CertValidity)
	}
	if opts.RotationGrace >= opts.RenewBefore {
		return nil, fmt.Errorf("certs: Options.RotationGrace (%s) must be shorter than RenewBefore (%s)", opts.RotationGrace, opts.RenewBefore)
	}
	if opts.KeyAlgorithm == "" {
		opts.KeyAlgorithm = ECDSA
	}
	if _, err := generateKey(opts.KeyAlgorithm); err != nil {
		return nil, fmt.Errorf("certs: Options.KeyAlgorithm: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	svc, ns := opts.ServiceName, opts.Namespace
	names := sans{ips: slices.Clone(opts.ExtraIPs)}
	for _, d := range append([]string{svc + "." + ns + ".svc", svc, svc + "." + ns, svc + "." + ns + ".svc.cluster.local"}, opts.ExtraDNS...) {
		if !slices.Contains(names.dns, d) {
			names.dns = append(names.dns, d)
		}
	}
	return &Manager{
		publisher: newPublisher(),
		client:    opts.Client,
		namespace: ns,
		name:      opts.SecretName,
		policy: policy{
			alg:          opts.KeyAlgorithm,
			caValidity:   opts.CAValidity,
			certValidity: opts.CertValidity,
			renewBefore:  opts.RenewBefore,
			grace:        opts.RotationGrace,
			names:        names,
		},
		interval: opts.CheckInterval,
		now:      opts.Now,
		log:      opts.Log.WithValues("secret", ns+"/"+opts.SecretName),
		kick:     make(chan struct{}, 1),
	}, nil
}

// Run keeps the Secret current until ctx ends, then returns nil: it creates
// the CA and the serving pair if missing, renews and rotates them, and
// watches the Secret so that what any replica writes is served here too.
// Failed API calls are logged and retried with backoff. It is safe to run in
// every replica at once (see the package documentation). Run may be called
// only once.
func (m *Manager) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("certs: Manager.Run called twice")
	}
	informer := m.newInformer()
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    m.observe,
		UpdateFunc: func(_, obj any) { m.observe(obj) },
		DeleteFunc: func(any) { m.wake() },
	}); err != nil {
		return fmt.Errorf("certs: watching Secret %s/%s: %w", m.namespace, m.name, err)
	}
	go informer.RunWithContext(ctx)

	const minWait = time.Second
	maxBackoff := min(time.Minute, m.interval)
	backoff := minWait
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-m.kick:
		}
		if ctx.Err() != nil {
			return nil
		}
		next, err := m.check(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := backoff
		if err != nil {
			m.log.Error(err, "checking the TLS Secret failed; retrying", "in", wait)
			backoff = min(2*backoff, maxBackoff)
		} else {
			backoff = minWait
			wait = min(max(next.Sub(m.now()), minWait), m.interval)
		}
		timer.Reset(wait)
	}
}

// newInformer watches the one Secret.
func (m *Manager) newInformer() cache.SharedIndexInformer {
	selector := fields.OneTermEqualSelector("metadata.name", m.name).String()
	secrets := m.client.CoreV1().Secrets(m.namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return secrets.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return secrets.Watch(ctx, o)
		},
	}
	// The client tells the reflector whether it can stream the initial list.
	return cache.NewSharedIndexInformer(cache.ToListWatcherWithWatchListSemantics(lw, m.client), &corev1.Secret{}, 0, cache.Indexers{})
}

// observe serves the Secret as written by any replica if its pair is
// usable, and asks for a check: the Secret may need renewing or repairing.
func (m *Manager) observe(obj any) {
	secret, ok := obj.(*corev1.Secret)
	if !ok || secret.Name != m.name {
		return
	}
	mat := parseMaterial(secret.Data)
	if err := mat.servable(m.now()); err == nil {
		if m.publish(mat.pair, mat.bundlePEM) {
			m.log.V(1).Info("loaded serving certificate from the Secret", "certificate", describe(mat.pair.Leaf))
		}
	}
	m.wake()
}

// wake asks Run for a check without blocking.
func (m *Manager) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// check reads the Secret, writes what it needs, serves the result and returns
// when the Secret next needs a look. Writes are optimistic: on a lost race it
// reads again and decides again.
func (m *Manager) check(ctx context.Context) (time.Time, error) {
	secrets := m.client.CoreV1().Secrets(m.namespace)
	for range maxAttempts {
		secret, err := secrets.Get(ctx, m.name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			secret = nil
		case err != nil:
			return time.Time{}, fmt.Errorf("reading Secret %s/%s: %w", m.namespace, m.name, err)
		}
		var old map[string][]byte
		if secret != nil {
			old = secret.Data
		}
		d, err := m.policy.decide(old, m.now())
		if err != nil {
			return time.Time{}, err
		}
		if d.changed {
			if secret == nil {
				secret = &corev1.Secret{
					ObjectMeta: metav1.ObjectMeta{Name: m.name, Namespace: m.namespace},
					Type:       corev1.SecretTypeTLS,
				}
				secret.Labels = map[string]string{ManagedByLabel: "kanon"}
				secret.Data = d.data
				_, err = secrets.Create(ctx, secret, metav1.CreateOptions{})
			} else {
				secret = secret.DeepCopy()
				if secret.Labels == nil {
					secret.Labels = map[string]string{}
				}
				secret.Labels[ManagedByLabel] = "kanon"
				secret.Data = d.data
				_, err = secrets.Update(ctx, secret, metav1.UpdateOptions{})
			}
			if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
				m.log.V(1).Info("another writer changed the TLS Secret first; reading it again", "reason", err.Error())
				continue
			}
			if err != nil {
				return time.Time{}, fmt.Errorf("writing Secret %s/%s: %w", m.namespace, m.name, err)
			}
			if len(d.problems) > 0 {
				m.log.Error(errors.Join(d.problems...), "replaced unusable data in the TLS Secret", "actions", d.actions)
			} else {
				m.log.Info("updated the TLS Secret", "actions", d.actions)
			}
		}
		if m.publish(d.pair, d.bundlePEM) {
			m.log.Info("serving certificate loaded", "certificate", describe(d.pair.Leaf))
		}
		return d.next, nil
	}
	return time.Time{}, fmt.Errorf("Secret %s/%s changed under every one of %d attempts to update it", m.namespace, m.name, maxAttempts)
}
