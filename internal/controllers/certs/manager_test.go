package certs

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestNewValidatesOptions(t *testing.T) {
	cs := fake.NewClientset()
	base := func() Options {
		return Options{Client: cs, Namespace: testNS, SecretName: testSecret, ServiceName: testSvc}
	}
	tests := []struct {
		name   string
		modify func(*Options)
		want   string // "" for success
	}{
		{"defaults", func(*Options) {}, ""},
		{"no client", func(o *Options) { o.Client = nil }, "[Client] must be set"},
		{"no names", func(o *Options) { o.Namespace, o.SecretName, o.ServiceName = "", "", "" }, "[Namespace SecretName ServiceName] must be set"},
		{"negative validity", func(o *Options) { o.CertValidity = -time.Hour }, "CertValidity is negative"},
		{"renew before longer than validity", func(o *Options) { o.CertValidity = 10 * day }, "RenewBefore (360h0m0s) must be shorter"},
		{"grace longer than renew before", func(o *Options) { o.RotationGrace = 20 * day }, "RotationGrace (480h0m0s) must be shorter than RenewBefore"},
		{"unknown key algorithm", func(o *Options) { o.KeyAlgorithm = "DSA" }, `unknown key algorithm "DSA"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base()
			tt.modify(&opts)
			m, err := New(opts)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				p := m.policy
				if p.caValidity != 365*day || p.certValidity != 150*day || p.renewBefore != 15*day || m.interval != 12*time.Hour || p.grace != time.Hour || p.alg != ECDSA {
					t.Errorf("defaults: %+v, interval %s", p, m.interval)
				}
				want := []string{"kanon-svc.kanon.svc", "kanon-svc", "kanon-svc.kanon", "kanon-svc.kanon.svc.cluster.local"}
				if !slices.Equal(p.names.dns, want) {
					t.Errorf("DNS names %q, want %q", p.names.dns, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCreatesSecret(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	opts := testOptions(cs, c, logr.Discard())
	opts.ExtraDNS = []string{"kanon.example.com"}
	m := newManager(t, opts)
	if _, err := m.GetCertificate(nil); err == nil {
		t.Fatal("GetCertificate before Run: no error")
	}
	next := mustCheck(t, m)

	s := getSecret(t, cs)
	if s.Type != corev1.SecretTypeTLS || s.Labels[ManagedByLabel] != "kanon" {
		t.Errorf("type %q, labels %v", s.Type, s.Labels)
	}
	for _, k := range []string{"tls.crt", "tls.key", "ca.crt", "ca.key"} {
		if len(s.Data[k]) == 0 {
			t.Errorf("Secret has no %s", k)
		}
	}
	if err := m.WaitReady(context.Background()); err != nil {
		t.Fatal(err)
	}
	pair, err := m.GetCertificate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.CABundle(), s.Data["ca.crt"]) {
		t.Error("CABundle differs from ca.crt")
	}
	trusts(t, m.CABundle(), pair, c.Now())
	leaf := pair.Leaf
	if !slices.Contains(leaf.DNSNames, "kanon.example.com") || !slices.Contains(leaf.DNSNames, "kanon-svc.kanon.svc.cluster.local") {
		t.Errorf("DNS names %q", leaf.DNSNames)
	}
	if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
		t.Errorf("IPs %v", leaf.IPAddresses)
	}
	if key, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || key.Curve != elliptic.P256() {
		t.Errorf("serving key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if got := leaf.NotAfter.Sub(t0); got != 150*day {
		t.Errorf("serving certificate valid for %s", got)
	}
	ca := mustCerts(t, m.CABundle())
	if len(ca) != 1 || ca[0].NotAfter.Sub(t0) != 365*day || !ca[0].IsCA {
		t.Errorf("CA bundle: %d certificates, first valid for %s", len(ca), ca[0].NotAfter.Sub(t0))
	}
	if want := t0.Add(135 * day); !next.Equal(want) {
		t.Errorf("next check %s, want %s (serving renewal)", next, want)
	}
}

func TestKeyAlgorithms(t *testing.T) {
	tests := []struct {
		alg  KeyAlgorithm
		want func(any) bool
	}{
		{RSA, func(k any) bool { _, ok := k.(*rsa.PublicKey); return ok }},
		{Ed25519, func(k any) bool { _, ok := k.(ed25519.PublicKey); return ok }},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			c := newClock(t0)
			opts := testOptions(newCluster(t), c, logr.Discard())
			opts.KeyAlgorithm = tt.alg
			m := newManager(t, opts)
			mustCheck(t, m)
			pair := m.current()
			trusts(t, m.CABundle(), pair, t0)
			if !tt.want(pair.Leaf.PublicKey) || !tt.want(mustCerts(t, m.CABundle())[0].PublicKey) {
				t.Errorf("keys %T and %T", pair.Leaf.PublicKey, mustCerts(t, m.CABundle())[0].PublicKey)
			}
		})
	}
}

func TestReusesValidSecret(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	first := newManager(t, testOptions(cs, c, logr.Discard()))
	mustCheck(t, first)
	before := getSecret(t, cs)

	c.Set(t0.Add(100 * day))
	second := newManager(t, testOptions(cs, c, logr.Discard()))
	mustCheck(t, second)
	if n := writes(cs); n != 1 {
		t.Errorf("%d writes, want the one create", n)
	}
	if !bytes.Equal(second.current().Certificate[0], first.current().Certificate[0]) || !bytes.Equal(second.CABundle(), before.Data["ca.crt"]) {
		t.Error("second manager does not serve the existing pair")
	}
}

func TestKeepsOtherDataAndType(t *testing.T) {
	cs := newCluster(t, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: testSecret, Namespace: testNS, ResourceVersion: "1", Labels: map[string]string{"team": "platform"}},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"note": []byte("keep me")},
	})
	m := newManager(t, testOptions(cs, newClock(t0), logr.Discard()))
	mustCheck(t, m)
	s := getSecret(t, cs)
	if string(s.Data["note"]) != "keep me" || s.Labels["team"] != "platform" || s.Labels[ManagedByLabel] != "kanon" || s.Type != corev1.SecretTypeOpaque {
		t.Errorf("Secret after the update: type %q, labels %v, note %q", s.Type, s.Labels, s.Data["note"])
	}
	trusts(t, m.CABundle(), m.current(), t0)
}

func TestRenewsServingCertificateNearExpiry(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	m := newManager(t, testOptions(cs, c, logr.Discard()))
	mustCheck(t, m)
	oldPair, bundle := m.current(), m.CABundle()
	changed := m.Changed()

	c.Set(t0.Add(134 * day)) // 16 days left: nothing to do
	mustCheck(t, m)
	if writes(cs) != 1 || m.current() != oldPair {
		t.Fatal("renewed more than RenewBefore ahead")
	}

	c.Set(t0.Add(136 * day)) // 14 days left
	next := mustCheck(t, m)
	pair := m.current()
	if bytes.Equal(pair.Certificate[0], oldPair.Certificate[0]) {
		t.Fatal("serving certificate not renewed")
	}
	if !bytes.Equal(m.CABundle(), bundle) || closed(changed) {
		t.Error("renewal under the same CA changed the CA bundle")
	}
	trusts(t, bundle, pair, c.Now())
	if want := t0.Add(136*day + 135*day); !next.Equal(want) {
		t.Errorf("next check %s, want %s", next, want)
	}
	if s := getSecret(t, cs); !bytes.Equal(s.Data["tls.crt"], certPEM(pair)) {
		t.Error("Secret does not hold the served certificate")
	}
}

func certPEM(pair *tls.Certificate) []byte {
	return encodeCerts([]*x509.Certificate{pair.Leaf})
}

// TestCARotation walks a CA through its life, checking at every step that the
// served certificate is trusted by the bundle of the step before and after.
func TestCARotation(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	var log logs
	m := newManager(t, testOptions(cs, c, log.logger()))

	type state struct {
		pair   *tls.Certificate
		bundle []byte
	}
	var prev *state
	step := func(at time.Duration, wantCAs int, wantBundleChange, wantCertChange bool) []*x509.Certificate {
		t.Helper()
		c.Set(t0.Add(at))
		changed := m.Changed()
		mustCheck(t, m)
		cur := &state{m.current(), m.CABundle()}
		trusts(t, cur.bundle, cur.pair, c.Now())
		cas := mustCerts(t, cur.bundle)
		if len(cas) != wantCAs {
			t.Fatalf("at %s: %d CAs in the bundle, want %d", at, len(cas), wantCAs)
		}
		if prev != nil {
			if got := closed(changed); got != wantBundleChange || got == bytes.Equal(prev.bundle, cur.bundle) {
				t.Fatalf("at %s: Changed closed %v, bundle changed %v, want %v", at, got, !bytes.Equal(prev.bundle, cur.bundle), wantBundleChange)
			}
			if got := !bytes.Equal(prev.pair.Certificate[0], cur.pair.Certificate[0]); got != wantCertChange {
				t.Fatalf("at %s: serving certificate changed %v, want %v", at, got, wantCertChange)
			}
			// A webhook configuration or replica one write behind still works.
			trusts(t, prev.bundle, cur.pair, c.Now())
			trusts(t, cur.bundle, prev.pair, c.Now())
		}
		prev = cur
		return cas
	}

	first := step(0, 1, false, false)[0]
	step(136*day, 1, false, true) // serving renewal
	step(272*day, 1, false, true) // serving renewal, capped at the CA's expiry
	if !m.current().Leaf.NotAfter.Equal(first.NotAfter) {
		t.Fatalf("serving certificate outlives its CA: %s > %s", m.current().Leaf.NotAfter, first.NotAfter)
	}
	step(345*day, 1, false, false) // 20 days left on both: nothing

	// Step one: the new CA joins the bundle; the old pair stays.
	cas := step(351*day, 2, true, false)
	if cas[1].NotAfter != first.NotAfter || !cas[0].NotAfter.Equal(t0.Add(351*day+365*day)) {
		t.Fatalf("bundle after rotation: %s, %s", describe(cas[0]), describe(cas[1]))
	}
	if m.current().Leaf.CheckSignatureFrom(first) != nil {
		t.Fatal("serving certificate re-signed before the grace period")
	}
	step(351*day+30*time.Minute, 2, false, false) // within RotationGrace

	// Step two: after the grace period, the serving certificate moves to the new CA.
	cas = step(351*day+2*time.Hour, 2, false, true)
	if m.current().Leaf.CheckSignatureFrom(cas[0]) != nil {
		t.Fatal("serving certificate not signed by the new CA")
	}

	// Step three: the old CA expires and leaves the bundle.
	step(365*day+time.Minute, 1, true, false)
	if !strings.Contains(log.String(), "rotating CA") || !strings.Contains(log.String(), "dropping") {
		t.Errorf("log does not tell the rotation:\n%s", log.String())
	}
}

// TestRotationSchedulesGraceCheck: after a rotation the next check is due
// when the grace period ends, not a whole CheckInterval later.
func TestRotationSchedulesGraceCheck(t *testing.T) {
	c := newClock(t0)
	m := newManager(t, testOptions(newCluster(t), c, logr.Discard()))
	for _, at := range []time.Duration{0, 136 * day, 272 * day, 351 * day} {
		c.Set(t0.Add(at))
		mustCheck(t, m)
	}
	next := mustCheck(t, m)
	if want := t0.Add(351*day + time.Hour); !next.Equal(want) {
		t.Errorf("next check %s, want %s", next, want)
	}
}

func TestTwoManagersRaceToOnePair(t *testing.T) {
	for _, tt := range []struct {
		name string
		at   time.Duration // when both check, after one check at t0
	}{
		{"create", -1},
		{"renew", 140 * day},
		{"rotate", 352 * day},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCluster(t)
			c := newClock(t0)
			var log logs
			a := newManager(t, testOptions(cs, c, log.logger()))
			b := newManager(t, testOptions(cs, c, log.logger()))
			if tt.at >= 0 {
				mustCheck(t, newManager(t, testOptions(cs, c, logr.Discard())))
				c.Set(t0.Add(tt.at))
			}
			before := writes(cs)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, m := range []*Manager{a, b} {
				wg.Go(func() { _, errs[i] = m.check(context.Background()) })
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			s := getSecret(t, cs)
			for _, m := range []*Manager{a, b} {
				if !bytes.Equal(m.current().Certificate[0], mustCerts(t, s.Data["tls.crt"])[0].Raw) || !bytes.Equal(m.CABundle(), s.Data["ca.crt"]) {
					t.Fatal("managers serve different pairs")
				}
			}
			// Both may have written only when one read after the other's write.
			if n := writes(cs) - before; n > 2 {
				t.Errorf("%d writes", n)
			}
			settled(t, cs, a, b)
		})
	}
}

func TestDisagreeingNamesConverge(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	optsA := testOptions(cs, c, logr.Discard())
	optsA.ExtraDNS = []string{"old.example.com"}
	optsB := testOptions(cs, c, logr.Discard())
	optsB.ExtraDNS = []string{"new.example.com"}
	a, b := newManager(t, optsA), newManager(t, optsB)
	mustCheck(t, a)
	mustCheck(t, b)
	leaf := b.current().Leaf
	if !slices.Contains(leaf.DNSNames, "old.example.com") || !slices.Contains(leaf.DNSNames, "new.example.com") {
		t.Fatalf("DNS names %q, want both", leaf.DNSNames)
	}
	settled(t, cs, a, b)
}

// foreignPair is a CA and a serving pair unrelated to anything in the test Secret.
func foreignPair(t *testing.T) (ca, serving *issued) {
	t.Helper()
	ca, err := newCA(ECDSA, t0, 365*day)
	if err != nil {
		t.Fatal(err)
	}
	serving, err = newServing(ECDSA, t0, 150*day, ca.cert, ca.key, sans{dns: []string{servingName}})
	if err != nil {
		t.Fatal(err)
	}
	return ca, serving
}

func TestReplacesUnusableData(t *testing.T) {
	otherCA, otherServing := foreignPair(t)
	expiredCA, err := newCA(ECDSA, t0.Add(-400*day), 365*day)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		corrupt func(data map[string][]byte)
		keepCA  bool   // the CA must survive
		want    string // in the log
	}{
		{"tls.crt not PEM", func(d map[string][]byte) { d["tls.crt"] = []byte("garbage") }, true, "failed to find any PEM data in certificate input"},
		{"tls.crt truncated", func(d map[string][]byte) { d["tls.crt"] = d["tls.crt"][:len(d["tls.crt"])/2] }, true, "tls.crt/tls.key"},
		{"tls.key of another certificate", func(d map[string][]byte) { d["tls.key"] = otherServing.keyPEM }, true, "private key does not match public key"},
		{"tls.key empty", func(d map[string][]byte) { d["tls.key"] = nil }, true, "tls.crt/tls.key"},
		{"serving pair from another CA", func(d map[string][]byte) { d["tls.crt"], d["tls.key"] = otherServing.certPEM, otherServing.keyPEM }, true, "does not chain to the CA bundle"},
		{"ca.crt not PEM", func(d map[string][]byte) { d["ca.crt"] = []byte("-----BEGIN CERT") }, false, "ca.crt: no PEM data found"},
		{"ca.crt holds a key", func(d map[string][]byte) { d["ca.crt"] = d["ca.key"] }, false, "ca.crt: PEM block 1 is a"},
		{"ca.crt with trailing garbage", func(d map[string][]byte) { d["ca.crt"] = append(bytes.Clone(d["ca.crt"]), "junk"...) }, false, "ca.crt: data after PEM block 1 is not PEM"},
		{"ca.crt is the serving certificate", func(d map[string][]byte) { d["ca.crt"] = d["tls.crt"] }, false, "is not a CA"},
		{"ca.crt expired", func(d map[string][]byte) { d["ca.crt"], d["ca.key"] = expiredCA.certPEM, expiredCA.keyPEM }, false, "has expired"},
		{"ca.key not PEM", func(d map[string][]byte) { d["ca.key"] = []byte{0, 1, 2} }, false, "ca.key: data does not contain a valid RSA or ECDSA private key"},
		{"ca.key of another CA", func(d map[string][]byte) { d["ca.key"] = otherCA.keyPEM }, false, "ca.key is not the key of CA"},
		{"everything empty strings", func(d map[string][]byte) {
			for k := range d {
				d[k] = []byte{}
			}
		}, false, "creating a CA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := newCluster(t)
			c := newClock(t0)
			mustCheck(t, newManager(t, testOptions(cs, c, logr.Discard())))
			s := getSecret(t, cs)
			goodCA := s.Data["ca.crt"]
			tt.corrupt(s.Data)
			putSecret(t, cs, s)

			c.Set(t0.Add(time.Minute))
			var log logs
			m := newManager(t, testOptions(cs, c, log.logger()))
			mustCheck(t, m)
			if !strings.Contains(log.String(), tt.want) {
				t.Errorf("log does not say %q:\n%s", tt.want, log.String())
			}
			trusts(t, m.CABundle(), m.current(), c.Now())
			if got := bytes.Equal(m.CABundle(), goodCA); got != tt.keepCA {
				t.Errorf("CA kept: %v, want %v", got, tt.keepCA)
			}
			s = getSecret(t, cs)
			trusts(t, s.Data["ca.crt"], m.current(), c.Now())
			settled(t, cs, m)
		})
	}
}

// TestLostCAKeyKeepsServingTrusted: when only ca.key is lost, the old CA
// stays in the bundle so the pair in use stays trusted through the grace
// period.
func TestLostCAKeyKeepsServingTrusted(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	mustCheck(t, newManager(t, testOptions(cs, c, logr.Discard())))
	s := getSecret(t, cs)
	oldCert := s.Data["tls.crt"]
	delete(s.Data, "ca.key")
	putSecret(t, cs, s)

	c.Set(t0.Add(day))
	m := newManager(t, testOptions(cs, c, logr.Discard()))
	mustCheck(t, m)
	if len(mustCerts(t, m.CABundle())) != 2 || !bytes.Equal(getSecret(t, cs).Data["tls.crt"], oldCert) {
		t.Fatal("want the new CA next to the old one and the old pair still served")
	}
	c.Set(t0.Add(day + 2*time.Hour))
	mustCheck(t, m)
	if bytes.Equal(getSecret(t, cs).Data["tls.crt"], oldCert) {
		t.Fatal("serving certificate not moved to the new CA after the grace period")
	}
	trusts(t, m.CABundle(), m.current(), c.Now())
}

// TestGetCertificateDuringRotation reads the certificate and the bundle from
// many goroutines while the Secret is renewed and rotated (run with -race).
func TestGetCertificateDuringRotation(t *testing.T) {
	cs := newCluster(t)
	c := newClock(t0)
	m := newManager(t, testOptions(cs, c, logr.Discard()))
	mustCheck(t, m)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var bundleChanges sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				pair, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: servingName})
				if err != nil || pair.Leaf == nil || len(pair.Certificate) == 0 {
					t.Errorf("GetCertificate: %v", err)
					return
				}
				if len(m.CABundle()) == 0 {
					t.Error("empty CA bundle")
					return
				}
			}
		})
	}
	bundleChanges.Go(func() {
		for ctx.Err() == nil {
			changed := m.Changed()
			_ = m.CABundle()
			select {
			case <-changed:
			case <-ctx.Done():
			}
		}
	})
	for i := range 40 {
		c.Set(t0.Add(time.Duration(i) * 20 * day))
		mustCheck(t, m)
	}
	cancel()
	wg.Wait()
	bundleChanges.Wait()
}

func TestRunTwice(t *testing.T) {
	m := newManager(t, testOptions(newCluster(t), newClock(t0), logr.Discard()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Run(ctx); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if err := m.Run(ctx); err == nil || !strings.Contains(err.Error(), "called twice") {
		t.Fatalf("second Run: %v", err)
	}
	if err := m.WaitReady(ctx); err != context.Canceled {
		t.Fatalf("WaitReady on a cancelled context: %v", err)
	}
}

// TestRunWatchesSecret runs two managers with informers and real time: both
// serve the pair one of them created, reload it when it is replaced, and
// recreate a deleted Secret. A TLS client trusting CABundle connects.
func TestRunWatchesSecret(t *testing.T) {
	cs := newCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var managers []*Manager
	var wg sync.WaitGroup
	for range 2 {
		opts := testOptions(cs, &clock{}, logr.Discard())
		opts.Now = time.Now
		opts.CheckInterval = time.Hour
		m := newManager(t, opts)
		managers = append(managers, m)
		wg.Go(func() {
			if err := m.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	defer wg.Wait()
	defer cancel()

	converged := func(differentFrom []byte) []byte {
		t.Helper()
		for ctx.Err() == nil {
			s, err := cs.CoreV1().Secrets(testNS).Get(ctx, testSecret, metav1.GetOptions{})
			if err == nil {
				want := mustCerts(t, s.Data["tls.crt"])[0].Raw
				ok := !bytes.Equal(want, differentFrom)
				for _, m := range managers {
					pair := m.current()
					ok = ok && pair != nil && bytes.Equal(pair.Certificate[0], want)
				}
				if ok {
					return want
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("managers did not converge on the Secret's pair")
		return nil
	}
	for _, m := range managers {
		if err := m.WaitReady(ctx); err != nil {
			t.Fatal(err)
		}
	}
	first := converged(nil)
	handshake(t, managers[1])

	// Another replica replaces the pair under the same CA.
	s := getSecret(t, cs)
	ca := mustCerts(t, s.Data["ca.crt"])[0]
	caKey, err := parseSigner(s.Data["ca.key"])
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := newServing(ECDSA, time.Now(), 150*day, ca, caKey, managers[0].policy.names)
	if err != nil {
		t.Fatal(err)
	}
	s.Data["tls.crt"], s.Data["tls.key"] = renewed.certPEM, renewed.keyPEM
	putSecret(t, cs, s)
	second := converged(first)
	if !bytes.Equal(second, renewed.cert.Raw) {
		t.Fatal("managers replaced a valid pair")
	}

	// The Secret is deleted: one of them recreates it, both serve the new pair.
	changed := managers[0].Changed()
	if err := cs.CoreV1().Secrets(testNS).Delete(ctx, testSecret, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	converged(second)
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("Changed not closed after the CA was recreated")
	}
	handshake(t, managers[0])
}

// handshake connects a TLS client that trusts m.CABundle() to a server using
// m.GetCertificate.
func handshake(t *testing.T, m *Manager) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(m.CABundle())
	server, client := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		_ = tls.Server(server, &tls.Config{GetCertificate: m.GetCertificate}).Handshake()
	}()
	conn := tls.Client(client, &tls.Config{RootCAs: pool, ServerName: servingName})
	if err := conn.Handshake(); err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
}
