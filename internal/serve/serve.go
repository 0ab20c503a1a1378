// Package serve assembles the admission controller that `kanon serve` runs:
// the policy cache, the configuration watcher, the cluster data sources,
// TLS, the HTTPS admission server, the metrics server, the background writer
// of generate and mutate-existing rules and — on the leader only — the
// webhook-configuration and policy-status controllers and the policy-driven
// background work. Every replica serves admission requests (and applies the
// background work they produce); one (elected through a Lease) writes the
// rest.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/certs"
	"github.com/kanon-policy/kanon/internal/controllers/clusterdata"
	"github.com/kanon-policy/kanon/internal/controllers/events"
	"github.com/kanon-policy/kanon/internal/controllers/generate"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/internal/metrics"
	"github.com/kanon-policy/kanon/internal/webhook"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// Options configure the admission controller. Zero values take the
// defaults documented on each field.
type Options struct {
	// RESTConfig reaches the API server.
	RESTConfig *rest.Config
	// Namespace is Kanon's namespace (Secrets, Lease, ConfigMap; excluded
	// from the webhooks).
	Namespace string
	// ServiceName and ServicePort are how the API server reaches Kanon in a
	// cluster; WebhookURL (https://host:port) replaces them outside one.
	ServiceName string
	ServicePort int32
	WebhookURL  string
	// Address is the HTTPS listen address; default ":9443". Listener, when
	// set, is used instead (tests).
	Address  string
	Listener net.Listener
	// MetricsAddress serves /metrics over plain HTTP; empty disables it.
	MetricsAddress string
	// ProfileAddress serves Go's pprof endpoints (/debug/pprof/) over plain
	// HTTP; empty disables it. Bind it to loopback: profiles expose memory.
	ProfileAddress string
	// TLSSecret holds the self-signed CA and serving pair; CertDir, when
	// set, loads tls.crt, tls.key and ca.crt from files instead.
	TLSSecret string
	CertDir   string
	// CertTiming tunes the self-signed certificates' lifetimes (zero values:
	// CA 365 days, serving 150 days, renewal 15 days before expiry).
	CertTiming CertTiming
	// CertIPs and CertDNSNames are extra serving-certificate SANs.
	CertIPs      []net.IP
	CertDNSNames []string
	// ConfigMap is the name of the configuration ConfigMap in Namespace.
	ConfigMap string
	// LeaderElect elects one writer through the Lease LeaseName; when
	// false this process always writes.
	LeaderElect   bool
	LeaseName     string
	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	// Identity names this replica in the Lease; default the host name.
	Identity string
	// WebhookTimeoutSeconds is the webhook timeout when policies set none.
	WebhookTimeoutSeconds int32
	// Resync is how often the leader re-checks webhook configurations.
	Resync  time.Duration
	Version string
	Log     logr.Logger
	// Serving, when set, is closed once admission requests are served and
	// the webhook configurations can be written.
	Serving chan<- struct{}
}

// CertTiming are the lifetimes of the self-signed CA and serving
// certificate and when they are renewed.
type CertTiming struct {
	CAValidity, CertValidity, RenewBefore, RotationGrace, CheckInterval time.Duration
}

func (o *Options) defaults() error {
	if o.RESTConfig == nil {
		return errors.New("serve: no API server configuration")
	}
	if o.Namespace == "" {
		return errors.New("serve: --namespace (or POD_NAMESPACE) is required")
	}
	if o.ServiceName == "" && o.WebhookURL == "" {
		return errors.New("serve: --service-name or --webhook-url is required so the API server can reach Kanon")
	}
	if o.Address == "" {
		o.Address = ":9443"
	}
	if o.TLSSecret == "" {
		o.TLSSecret = o.ServiceName + ".kanon-tls"
		if o.ServiceName == "" {
			o.TLSSecret = "kanon-tls"
		}
	}
	if o.ConfigMap == "" {
		o.ConfigMap = "kanon"
	}
	if o.LeaseName == "" {
		o.LeaseName = "kanon"
	}
	if o.RetryPeriod <= 0 {
		o.RetryPeriod = 2 * time.Second
	}
	if o.LeaseDuration <= 0 {
		o.LeaseDuration = 6 * o.RetryPeriod
	}
	if o.RenewDeadline <= 0 {
		o.RenewDeadline = 5 * o.RetryPeriod
	}
	if o.Identity == "" {
		host, _ := os.Hostname()
		o.Identity = fmt.Sprintf("%s_%d", host, os.Getpid())
	}
	if o.WebhookTimeoutSeconds <= 0 {
		o.WebhookTimeoutSeconds = 10
	}
	return nil
}

// Run serves until ctx ends, then shuts down gracefully: in-flight reviews
// finish, the Lease is released.
func Run(ctx context.Context, opts Options) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	log := opts.Log
	cfg := rest.CopyConfig(opts.RESTConfig)
	cfg.UserAgent = "kanon/" + opts.Version
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	goRun := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil && ctx.Err() == nil {
				log.Error(err, "component stopped", "component", name)
				cancel()
			}
		}()
	}
	defer wg.Wait()

	// Configuration, cluster data, policies: every replica.
	cw := config.NewWatcher(client, opts.Namespace, opts.ConfigMap, log.WithName("config"))
	cfgSynced := make(chan struct{})
	goRun("config", func() error { cw.Run(ctx, cfgSynced); return nil })
	cluster := clusterdata.New(clusterdata.Options{Client: client, Log: log.WithName("clusterdata")})
	if err := cluster.Start(ctx); err != nil {
		return err
	}
	defer cluster.Shutdown()
	resources := webhookconfig.NewResources(disco)
	if err := resources.Refresh(); err != nil {
		return fmt.Errorf("discovering the API server's resources: %w", err)
	}
	for _, gvr := range []schema.GroupVersionResource{policycache.ClusterPolicies, policycache.Policies} {
		if resources.KindFor(gvr.Group, gvr.Version, gvr.Resource) == "" {
			return fmt.Errorf("the API server does not serve %s.%s/%s: install Kanon's CRDs (config/crds, or the Helm chart) first", gvr.Resource, gvr.Group, gvr.Version)
		}
	}
	policies := policycache.New(log.WithName("policies"))
	goRun("policy cache", func() error { return policies.Run(ctx, dyn, 10*time.Minute) })

	// TLS.
	var tlsSource certs.Source
	if opts.CertDir != "" {
		if tlsSource, err = certs.NewFileSource(opts.CertDir, log.WithName("certs")); err != nil {
			return err
		}
	} else {
		tlsSource, err = certs.New(certs.Options{Client: client, Namespace: opts.Namespace, SecretName: opts.TLSSecret,
			ServiceName: opts.ServiceName, ExtraIPs: opts.CertIPs, ExtraDNS: opts.CertDNSNames, Log: log.WithName("certs"),
			CAValidity: opts.CertTiming.CAValidity, CertValidity: opts.CertTiming.CertValidity, RenewBefore: opts.CertTiming.RenewBefore,
			RotationGrace: opts.CertTiming.RotationGrace, CheckInterval: opts.CertTiming.CheckInterval})
		if err != nil {
			return err
		}
	}
	goRun("certificates", func() error { return tlsSource.Run(ctx) })

	m := metrics.New(opts.Version)
	recorder := events.New(client, events.Options{Dropped: m.EventsDropped})
	recorder.Start(ctx)

	// Generate and mutate-existing: every replica applies the work of the
	// admission requests it answers (server-side apply is idempotent); the
	// leader alone does the policy-driven work (RunLeader, in lead).
	lister := clusterdata.NewLister(clusterdata.ListerOptions{Client: dyn, Mapper: resources})
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return err
	}
	generator, err := generate.New(generate.Options{Client: dyn, Metadata: meta, Mapper: resources, Lister: lister,
		Namespaces: cluster, Data: cluster, Policies: policies, Events: recorder, Registerer: m.Registry, Log: log.WithName("generate")})
	if err != nil {
		return err
	}
	goRun("generate", func() error { return generator.Run(ctx) })
	server := webhook.New(webhook.Options{
		Policies:   policies,
		Config:     cw.Current,
		Namespaces: cluster,
		Roles:      cluster,
		Data:       cluster,
		ParentKind: resources.KindFor,
		KnownKind:  resources.Known,
		Metrics:    m,
		Events:     recorder,
		Generator:  generator,
		Resources:  lister,
		Ready:      func() bool { return policies.Synced() && tlsSource.CABundle() != nil },
		Timeout:    time.Duration(opts.WebhookTimeoutSeconds) * time.Second,
		Log:        log.WithName("webhook"),
	})

	for _, wait := range []func() error{
		func() error { return waitChan(ctx, cfgSynced) },
		func() error { return waitFor(ctx, policies.Synced) },
		func() error { return tlsSource.WaitReady(ctx) },
	} {
		if err := wait(); err != nil {
			return fmt.Errorf("starting: %w", err)
		}
	}

	ln := opts.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", opts.Address); err != nil {
			return err
		}
	}
	https := &http.Server{
		Handler:           server.Handler(),
		TLSConfig:         &tls.Config{GetCertificate: tlsSource.GetCertificate, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      45 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          nil,
		// HTTP/1.1 only: the API server calls admission webhooks over
		// HTTP/1.1 (one request per connection at a time, several
		// connections), and the webhook's early failure-policy answer on a
		// timeout relies on it. An empty map turns off net/http's HTTP/2.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	goRun("https", func() error {
		log.Info("serving admission webhooks", "address", ln.Addr().String())
		if err := https.ServeTLS(ln, "", ""); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	var plain []*http.Server // shut down with the HTTPS server
	servePlain := func(name, addr string, handler http.Handler) {
		srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		plain = append(plain, srv)
		goRun(name, func() error {
			log.Info("serving "+name, "address", addr)
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
	}
	if opts.MetricsAddress != "" {
		mux := http.NewServeMux()
		mux.Handle(webhook.PathMetrics, m.Handler())
		servePlain("metrics", opts.MetricsAddress, mux)
	}
	if opts.ProfileAddress != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		servePlain("profiling", opts.ProfileAddress, mux)
	}

	// The writer: webhook configurations and policy status.
	status := &policycache.StatusWriter{Client: dyn, Log: log.WithName("status")}
	caChanged := make(chan struct{}, 1)
	goRun("ca watch", func() error {
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-tlsSource.Changed():
				select {
				case caChanged <- struct{}{}:
				default:
				}
			}
		}
	})
	endpoint := webhookconfig.Endpoint{ServiceNamespace: opts.Namespace, ServiceName: opts.ServiceName, ServicePort: opts.ServicePort, URL: opts.WebhookURL}
	lead := func(ctx context.Context) {
		log.Info("leading: maintaining webhook configurations and policy status, running policy-driven generate and mutate-existing", "identity", opts.Identity)
		ctrl := webhookconfig.New(webhookconfig.Options{
			Client: client, Resources: resources, Policies: policies, CABundle: tlsSource.CABundle,
			Changed: []<-chan struct{}{caChanged, cw.Changed()}, Config: cw.Current, Namespace: opts.Namespace,
			Endpoint: endpoint, DefaultTimeout: opts.WebhookTimeoutSeconds, Resync: opts.Resync,
			Reconciled: func(s *policycache.Snapshot) { status.Write(ctx, s) },
			Log:        log.WithName("webhookconfig"),
		})
		done := make(chan struct{})
		go func() { defer close(done); generator.RunLeader(ctx) }()
		_ = ctrl.Run(ctx)
		<-done
	}
	if opts.Serving != nil {
		close(opts.Serving)
	}
	if opts.LeaderElect {
		goRun("leader election", func() error { return elect(ctx, client, opts, lead) })
	} else {
		goRun("webhook configuration", func() error { lead(ctx); return nil })
	}

	<-ctx.Done()
	log.Info("shutting down")
	shutdownCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	_ = https.Shutdown(shutdownCtx)
	for _, srv := range plain {
		_ = srv.Shutdown(shutdownCtx)
	}
	return nil
}

// elect runs lead while this replica holds the Lease; it keeps campaigning
// after losing it until ctx ends.
func elect(ctx context.Context, client kubernetes.Interface, opts Options, lead func(context.Context)) error {
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, opts.Namespace, opts.LeaseName,
		client.CoreV1(), client.CoordinationV1(), resourcelock.ResourceLockConfig{Identity: opts.Identity})
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
			Lock:            lock,
			LeaseDuration:   opts.LeaseDuration,
			RenewDeadline:   opts.RenewDeadline,
			RetryPeriod:     opts.RetryPeriod,
			ReleaseOnCancel: true,
			Name:            opts.LeaseName,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: lead,
				OnStoppedLeading: func() { opts.Log.Info("stopped leading", "identity", opts.Identity) },
			},
		})
		if err != nil {
			return err
		}
		le.Run(ctx)
	}
	return nil
}

func waitChan(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func waitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
