// Package e2e tests `kanon serve` against a real kube-apiserver and etcd
// (built by hack/controlplane/build.sh, started through envtest): admission
// decisions, webhook configuration, policy status, TLS rotation, restarts and
// leader election. It runs only with KANON_E2E=1 (make e2e), since it needs
// the control-plane binaries and takes about a minute.
package e2e

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
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
)

const namespace = "kanon"

var (
	cp      *controlplane.ControlPlane
	kube    kubernetes.Interface
	dyn     dynamic.Interface
	testLog logr.Logger
)

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("KANON_E2E") == "" {
		fmt.Println("skipping e2e tests: set KANON_E2E=1 (make e2e) to run them against a real API server")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	objs, err := crds.Objects()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cp, err = controlplane.Start(context.Background(), controlplane.Options{CRDs: objs})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = cp.Stop() }()
	kube = kubernetes.NewForConfigOrDie(cp.Config)
	dyn = dynamic.NewForConfigOrDie(cp.Config)
	if _, err := kube.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	level := 0
	if testing.Verbose() {
		level = 1
	}
	testLog, _ = logging.New(logWriter{}, logging.Options{Verbosity: level})
	return m.Run()
}

// logWriter sends Kanon's logs to stderr only in verbose runs.
type logWriter struct{}

func (logWriter) Write(p []byte) (int, error) {
	if testing.Verbose() {
		return os.Stderr.Write(p)
	}
	return len(p), nil
}

// kanon is one in-process `kanon serve` replica.
type kanon struct {
	url    string
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startKanon starts a replica and waits until it serves.
func startKanon(t *testing.T, identity string, tune func(*serve.Options)) *kanon {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &kanon{url: "https://" + ln.Addr().String(), done: make(chan error, 1)}
	opts := serve.Options{
		RESTConfig:  cp.Config,
		Namespace:   namespace,
		ServiceName: "kanon-svc",
		WebhookURL:  k.url,
		Listener:    ln,
		CertIPs:     []net.IP{net.ParseIP("127.0.0.1")},
		LeaderElect: true,
		LeaseName:   "kanon",
		Identity:    identity,
		RetryPeriod: 500 * time.Millisecond,
		Resync:      time.Second,
		Version:     "e2e",
		Log:         testLog.WithValues("replica", identity),
	}
	if tune != nil {
		tune(&opts)
	}
	serving := make(chan struct{})
	opts.Serving = serving
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	go func() { k.done <- serve.Run(ctx, opts) }()
	select {
	case <-serving:
	case err := <-k.done:
		t.Fatalf("kanon serve stopped while starting: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("kanon serve did not start within 60s")
	}
	t.Cleanup(k.stop)
	return k
}

// stop stops the replica and waits for it (idempotent).
func (k *kanon) stop() { k.once.Do(k.doStop) }

func (k *kanon) doStop() {
	k.cancel()
	select {
	case <-k.done:
		return
	case <-time.After(10 * time.Second):
	}
	fmt.Fprintln(os.Stderr, "kanon serve did not stop within 10s; goroutines:")
	_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
	<-k.done
}

// cleanup removes policies and webhook configurations between tests.
func cleanup(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_ = webhookconfig.Delete(ctx, kube)
	_ = dyn.Resource(clusterPolicies).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
	_ = dyn.Resource(policies).Namespace("default").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
}

var (
	clusterPolicies = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "clusterpolicies"}
	policies        = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "policies"}
)

// load decodes the documents of a file (relative to the corpus or the test
// directory).
func load(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		out[i] = d.Object
	}
	return out
}

func corpus(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "..", "shared", "corpus"}, parts...)...)
}

// applyPolicy creates or replaces a ClusterPolicy from a YAML string or
// object.
func applyPolicy(t *testing.T, obj map[string]any) {
	t.Helper()
	u := &unstructured.Unstructured{Object: obj}
	api := dyn.Resource(clusterPolicies)
	ctx := context.Background()
	existing, err := api.Get(ctx, u.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := api.Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating policy %s: %v", u.GetName(), err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	u.SetResourceVersion(existing.GetResourceVersion())
	if _, err := api.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("updating policy %s: %v", u.GetName(), err)
	}
}

func yamlObject(t *testing.T, s string) map[string]any {
	t.Helper()
	docs, err := manifest.Decode("inline", []byte(s))
	if err != nil || len(docs) != 1 {
		t.Fatalf("inline YAML: %v", err)
	}
	return docs[0].Object
}

// eventually retries fn until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() error) time.Duration {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < timeout {
		if err = fn(); err == nil {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, timeout, err)
	return 0
}

// waitReady waits for a ClusterPolicy's Ready condition to be True.
func waitReady(t *testing.T, name string) {
	t.Helper()
	eventually(t, 15*time.Second, "policy "+name+" Ready", func() error {
		u, err := dyn.Resource(clusterPolicies).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m := c.(map[string]any)
			if m["type"] == "Ready" && m["status"] == "True" && m["reason"] == "Succeeded" {
				return nil
			}
		}
		return fmt.Errorf("status %v", u.Object["status"])
	})
}

// warningClient is a clientset that collects the API server's warnings.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	w.list = append(w.list, text)
	w.mu.Unlock()
}

func (w *warnings) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.list, "\n")
}

// insecureHTTP is an HTTPS client for posting to Kanon directly.
func insecureHTTP() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test client for a self-signed server
}

// waitLeader waits until a replica holds the Lease, so work that only the
// leader does on policy events (mutateExistingOnPolicyUpdate) sees the
// policies created next.
func waitLeader(t *testing.T, identity string) {
	t.Helper()
	eventually(t, 15*time.Second, identity+" leads", func() error {
		l, err := kube.CoordinationV1().Leases(namespace).Get(context.Background(), "kanon", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != identity {
			return fmt.Errorf("lease held by %v", l.Spec.HolderIdentity)
		}
		return nil
	})
}
