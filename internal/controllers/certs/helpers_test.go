package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

const (
	testNS     = "kanon"
	testSecret = "kanon-tls"
	testSvc    = "kanon-svc"
)

var (
	t0          = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	secretsGVR  = corev1.SchemeGroupVersion.WithResource("secrets")
	secretsGR   = corev1.Resource("secrets")
	day         = 24 * time.Hour
	servingName = testSvc + "." + testNS + ".svc"
)

// newCluster is a fake clientset whose Secrets behave like the API server's
// for optimistic concurrency: every write gets a new resourceVersion and an
// Update carrying a stale one fails with Conflict.
func newCluster(t *testing.T, objects ...runtime.Object) *fake.Clientset {
	t.Helper()
	cs := fake.NewClientset(objects...)
	tracker := cs.Tracker()
	rv := 100
	cs.PrependReactor("create", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		obj := a.(k8stesting.CreateAction).GetObject().(*corev1.Secret).DeepCopy()
		rv++
		obj.ResourceVersion = strconv.Itoa(rv)
		if err := tracker.Create(secretsGVR, obj, a.GetNamespace()); err != nil {
			return true, nil, err
		}
		return true, obj.DeepCopy(), nil
	})
	cs.PrependReactor("update", "secrets", func(a k8stesting.Action) (bool, runtime.Object, error) {
		obj := a.(k8stesting.UpdateAction).GetObject().(*corev1.Secret).DeepCopy()
		cur, err := tracker.Get(secretsGVR, a.GetNamespace(), obj.Name)
		if err != nil {
			return true, nil, err
		}
		if have := cur.(*corev1.Secret).ResourceVersion; have != obj.ResourceVersion {
			return true, nil, apierrors.NewConflict(secretsGR, obj.Name, errors.New("resourceVersion "+obj.ResourceVersion+" is stale, have "+have))
		}
		rv++
		obj.ResourceVersion = strconv.Itoa(rv)
		if err := tracker.Update(secretsGVR, obj, a.GetNamespace()); err != nil {
			return true, nil, err
		}
		return true, obj.DeepCopy(), nil
	})
	return cs
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// logs collects log lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, prefix+" "+args)
	}, funcr.Options{Verbosity: 1})
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func testOptions(cs *fake.Clientset, c *clock, log logr.Logger) Options {
	return Options{
		Client:      cs,
		Namespace:   testNS,
		SecretName:  testSecret,
		ServiceName: testSvc,
		ExtraIPs:    []net.IP{net.ParseIP("127.0.0.1")},
		Now:         c.Now,
		Log:         log,
	}
}

func newManager(t *testing.T, opts Options) *Manager {
	t.Helper()
	m, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mustCheck runs one check and fails the test on error.
func mustCheck(t *testing.T, m *Manager) time.Time {
	t.Helper()
	next, err := m.check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func getSecret(t *testing.T, cs *fake.Clientset) *corev1.Secret {
	t.Helper()
	s, err := cs.CoreV1().Secrets(testNS).Get(context.Background(), testSecret, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func putSecret(t *testing.T, cs *fake.Clientset, s *corev1.Secret) {
	t.Helper()
	if _, err := cs.CoreV1().Secrets(testNS).Update(context.Background(), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// writes counts the create and update calls on Secrets.
func writes(cs *fake.Clientset) int {
	n := 0
	for _, a := range cs.Actions() {
		if a.GetResource().Resource == "secrets" && (a.GetVerb() == "create" || a.GetVerb() == "update") {
			n++
		}
	}
	return n
}

// settled fails the test if another check by any of managers writes the Secret.
func settled(t *testing.T, cs *fake.Clientset, managers ...*Manager) {
	t.Helper()
	before := writes(cs)
	for _, m := range managers {
		mustCheck(t, m)
	}
	if n := writes(cs) - before; n > 0 {
		t.Errorf("the Secret was written %d more times", n)
	}
}

func mustCerts(t *testing.T, pemData []byte) []*x509.Certificate {
	t.Helper()
	certs, err := parseCertsPEM(pemData)
	if err != nil {
		t.Fatalf("bundle: %v", err)
	}
	return certs
}

// trusts fails the test unless pair is valid at now for servingName and
// chains to bundle.
func trusts(t *testing.T, bundle []byte, pair *tls.Certificate, now time.Time) {
	t.Helper()
	if pair == nil {
		t.Fatal("no serving certificate")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		t.Fatalf("bundle holds no certificate: %q", bundle)
	}
	if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: servingName, CurrentTime: now}); err != nil {
		t.Fatalf("serving certificate %s is not trusted: %v", describe(pair.Leaf), err)
	}
}

// closed reports whether ch is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
