package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/kanon-policy/kanon/config/crds"
	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/internal/controlplane"
	"github.com/kanon-policy/kanon/internal/logging"
	"github.com/kanon-policy/kanon/internal/serve"
	"github.com/kanon-policy/kanon/pkg/manifest"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// kanonNamespace is Kanon's own namespace: its Secret and ConfigMap live
// there and its webhooks exclude it.
const kanonNamespace = "kanon"

// serviceName names Kanon's serving certificate; the API server reaches
// Kanon through its URL (--webhook-url), not through a Service.
const serviceName = "kanon-svc"

var clusterPolicies = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "clusterpolicies"}

// cluster is a running control plane with clients that are not rate
// limited (the load must not be throttled on our side).
type cluster struct {
	cp   *controlplane.ControlPlane
	kube kubernetes.Interface
	dyn  dynamic.Interface
}

func startCluster(ctx context.Context, verbose bool) (*cluster, error) {
	objs, err := crds.Objects()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	cp, err := controlplane.Start(ctx, controlplane.Options{CRDs: objs, Output: verbose})
	if err != nil {
		return nil, err
	}
	c := &cluster{cp: cp}
	cfg := c.restConfig()
	c.kube, c.dyn = kubernetes.NewForConfigOrDie(cfg), dynamic.NewForConfigOrDie(cfg)
	if err := c.namespace(ctx, kanonNamespace); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	fmt.Printf("control plane: kube-apiserver %s + etcd at %s (started in %s)\n", controlplane.Version, cp.Config.Host, time.Since(start).Round(100*time.Millisecond))
	return c, nil
}

func (c *cluster) stop() {
	if err := c.cp.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the control plane:", err)
	}
}

// restConfig is an unthrottled admin configuration that ignores the API
// server's warnings (Audit answers carry one per failed rule).
func (c *cluster) restConfig() *rest.Config {
	cfg := rest.CopyConfig(c.cp.Config)
	cfg.QPS, cfg.Burst = -1, 0
	cfg.WarningHandler = rest.NoWarnings{}
	return cfg
}

// namespace creates a namespace and its default ServiceAccount (there is no
// controller-manager to create it, and Pods need it).
func (c *cluster) namespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := c.kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", name, err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: name}}
	if _, err := c.kube.CoreV1().ServiceAccounts(name).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating the default ServiceAccount of %s: %w", name, err)
	}
	return nil
}

// loadPolicies reads the 12 Pod Security policies from the corpus.
func loadPolicies(corpus string) ([]map[string]any, error) {
	var files []string
	for _, level := range []string{"baseline", "restricted"} {
		m, err := filepath.Glob(filepath.Join(corpus, "policies", "pod-security", level, "*", "*.yaml"))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no Pod Security policies under %s (set -corpus)", filepath.Join(corpus, "policies", "pod-security"))
	}
	var out []map[string]any
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		docs, err := manifest.Decode(f, data)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if d.Object["kind"] == "ClusterPolicy" {
				out = append(out, d.Object)
			}
		}
	}
	return out, nil
}

// applyPolicies creates or updates the policies with the given failure
// action (empty keeps theirs) and waits until each reports Ready.
func (c *cluster) applyPolicies(ctx context.Context, policies []map[string]any, action string) error {
	api := c.dyn.Resource(clusterPolicies)
	for _, p := range policies {
		u := (&unstructured.Unstructured{Object: p}).DeepCopy()
		if action != "" {
			if err := unstructured.SetNestedField(u.Object, action, "spec", "validationFailureAction"); err != nil {
				return err
			}
		}
		existing, err := api.Get(ctx, u.GetName(), metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			_, err = api.Create(ctx, u, metav1.CreateOptions{})
		case err == nil:
			u.SetResourceVersion(existing.GetResourceVersion())
			_, err = api.Update(ctx, u, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("applying policy %s: %w", u.GetName(), err)
		}
	}
	return poll(ctx, 60*time.Second, "the policies to be Ready", func() error {
		list, err := api.List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		ready := 0
		for _, u := range list.Items {
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Ready" && m["status"] == "True" {
					ready++
				}
			}
		}
		if ready < len(policies) {
			return fmt.Errorf("%d of %d Ready", ready, len(policies))
		}
		return nil
	})
}

// errGaveUp stops poll at once.
var errGaveUp = errors.New("gave up")

// poll retries fn every 100ms until it succeeds or the timeout passes.
func poll(ctx context.Context, timeout time.Duration, what string, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return nil
		}
		if errors.Is(err, errGaveUp) || time.Now().After(deadline) {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// kanon is a running `kanon serve`: a child process, or serve.Run in this
// process.
type kanon struct {
	url  string
	pid  int
	stop func() error
	log  string
	// exited is closed when kanon serve stops.
	exited chan struct{}
}

// startKanon starts kanon serve against the cluster and waits until its
// readiness probe answers.
func startKanon(ctx context.Context, c *cluster, opts options) (*kanon, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	k := &kanon{url: "https://" + ln.Addr().String(), exited: make(chan struct{})}
	if opts.inProcess {
		k.pid = os.Getpid()
		var logOut io.Writer = io.Discard
		if opts.verbose {
			logOut = os.Stderr
		}
		log, _ := logging.New(logOut, logging.Options{})
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- serve.Run(runCtx, serve.Options{
				RESTConfig: c.cp.Config, Namespace: kanonNamespace, ServiceName: serviceName, WebhookURL: k.url, Listener: ln,
				CertIPs: []net.IP{net.ParseIP("127.0.0.1")}, Version: "bench", Log: log.WithName("kanon"),
			})
			close(k.exited)
		}()
		k.stop = func() error { cancel(); <-k.exited; return <-done }
	} else {
		addr := ln.Addr().String()
		_ = ln.Close() // the child listens on this port
		logFile, err := os.CreateTemp("", "kanon-bench-serve-*.log")
		if err != nil {
			return nil, err
		}
		k.log = logFile.Name()
		args := append([]string{"serve", "--kubeconfig", c.cp.Kubeconfig, "--namespace", kanonNamespace, "--service-name", serviceName,
			"--webhook-url", k.url, "--address", addr, "--cert-ip", "127.0.0.1", "--leader-elect=false"}, opts.kanonArgs...)
		cmd := exec.Command(opts.kanonBin, args...)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if opts.verbose {
			cmd.Stdout, cmd.Stderr = io.MultiWriter(logFile, os.Stderr), io.MultiWriter(logFile, os.Stderr)
		}
		if err := cmd.Start(); err != nil {
			logFile.Close()
			return nil, fmt.Errorf("starting %s serve (build it with make build, or set -kanon): %w", opts.kanonBin, err)
		}
		k.pid = cmd.Process.Pid
		go func() { _ = cmd.Wait(); logFile.Close(); close(k.exited) }()
		k.stop = func() error {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-k.exited:
				return nil
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				<-k.exited
				return errors.New("kanon serve did not stop within 20s; killed")
			}
		}
	}
	if err := k.waitReady(ctx); err != nil {
		_ = k.stop()
		return nil, fmt.Errorf("%w (log: %s)", err, k.log)
	}
	return k, nil
}

// insecureTransport trusts Kanon's self-signed certificate: TLS trust is
// not what is measured.
func insecureTransport() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // see above
}

func (k *kanon) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: insecureTransport()}
	defer client.CloseIdleConnections()
	return poll(ctx, 90*time.Second, "kanon serve to be ready", func() error {
		select {
		case <-k.exited:
			return fmt.Errorf("kanon serve stopped while starting: %w", errGaveUp)
		default:
		}
		resp, err := client.Get(k.url + "/health/readiness")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readiness: HTTP %d", resp.StatusCode)
		}
		return nil
	})
}

// removeWebhooks deletes Kanon's webhook configurations (after Kanon has
// stopped, so nothing recreates them) and waits until the API server no
// longer calls it.
func (c *cluster) removeWebhooks(ctx context.Context) error {
	if err := webhookconfig.Delete(ctx, c.kube); err != nil {
		return err
	}
	return poll(ctx, 30*time.Second, "the webhook configurations to be gone", func() error {
		list, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		if n := len(list.Items); n > 0 {
			return fmt.Errorf("%d validating webhook configurations left", n)
		}
		return nil
	})
}
