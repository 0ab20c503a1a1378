package certs

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"maps"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Keys of the Secret.
const (
	keyServingCert = corev1.TLSCertKey       // tls.crt
	keyServingKey  = corev1.TLSPrivateKeyKey // tls.key
	keyCACert      = "ca.crt"
	keyCAKey       = "ca.key"
)

// material is the content of the Secret, decoded. Each part that could not
// be decoded has its error instead.
type material struct {
	bundle    []*x509.Certificate // ca.crt: bundle[0] is the CA that ca.key belongs to
	bundlePEM []byte
	bundleErr error
	caKey     crypto.Signer
	caKeyErr  error
	pair      *tls.Certificate // tls.crt and tls.key, with Leaf
	pairErr   error
}

func parseMaterial(data map[string][]byte) *material {
	m := &material{bundlePEM: data[keyCACert]}
	m.bundle, m.bundleErr = parseCertsPEM(data[keyCACert])
	m.caKey, m.caKeyErr = parseSigner(data[keyCAKey])
	pair, err := tls.X509KeyPair(data[keyServingCert], data[keyServingKey])
	if err == nil && pair.Leaf == nil { // filled in by crypto/tls unless GODEBUG x509keypairleaf=0
		pair.Leaf, err = x509.ParseCertificate(pair.Certificate[0])
	}
	if err == nil {
		m.pair = &pair
	}
	m.pairErr = err
	return m
}

// servable returns nil if the pair can be served with the bundle at now.
func (m *material) servable(now time.Time) error {
	switch {
	case m.pairErr != nil:
		return fmt.Errorf("%s/%s: %w", keyServingCert, keyServingKey, m.pairErr)
	case m.bundleErr != nil:
		return fmt.Errorf("%s: %w", keyCACert, m.bundleErr)
	}
	if err := verifyServing(m.pair, m.bundle, now); err != nil {
		return fmt.Errorf("%s %s: %w", keyServingCert, describe(m.pair.Leaf), err)
	}
	return nil
}

// policy is what the Manager needs to decide on the Secret's content.
type policy struct {
	alg          KeyAlgorithm
	caValidity   time.Duration
	certValidity time.Duration
	renewBefore  time.Duration
	grace        time.Duration
	names        sans
}

// decision is the outcome of looking at the Secret at one moment.
type decision struct {
	data      map[string][]byte // the Secret data to store when changed
	changed   bool
	problems  []error  // unusable data that is being replaced
	actions   []string // routine renewals
	pair      *tls.Certificate
	bundlePEM []byte
	next      time.Time // when the Secret next needs a look
}

// decide returns what the Secret should hold at now: the current content if
// it needs nothing, otherwise renewed or replaced parts. See the package
// documentation for the sequence. old is not modified.
func (p *policy) decide(old map[string][]byte, now time.Time) (*decision, error) {
	m := parseMaterial(old)
	d := &decision{data: maps.Clone(old), next: now.Add(p.caValidity)}
	if d.data == nil {
		d.data = map[string][]byte{}
	}
	later := func(t time.Time) {
		if t.Before(d.next) {
			d.next = t
		}
	}

	// The CA.
	bundle, caKey := m.bundle, m.caKey
	var caProblem error
	switch {
	case len(old[keyCACert]) == 0 && len(old[keyCAKey]) == 0:
		d.actions = append(d.actions, "creating a CA")
	case m.bundleErr != nil:
		caProblem = fmt.Errorf("%s: %w", keyCACert, m.bundleErr)
	case !bundle[0].IsCA:
		caProblem = fmt.Errorf("%s: %s is not a CA", keyCACert, describe(bundle[0]))
	case !now.Before(bundle[0].NotAfter):
		caProblem = fmt.Errorf("%s: CA %s has expired", keyCACert, describe(bundle[0]))
	case m.caKeyErr != nil:
		caProblem = fmt.Errorf("%s: %w", keyCAKey, m.caKeyErr)
	case !keyMatches(bundle[0], caKey):
		caProblem = fmt.Errorf("%s is not the key of CA %s", keyCAKey, describe(bundle[0]))
	}
	if caProblem != nil {
		d.problems = append(d.problems, caProblem)
		d.actions = append(d.actions, "replacing the CA")
	}
	rotate := caProblem != nil || m.bundleErr != nil
	if !rotate && now.After(bundle[0].NotAfter.Add(-p.renewBefore)) {
		d.actions = append(d.actions, "rotating CA "+describe(bundle[0]))
		rotate = true
	}
	if rotate {
		ca, err := newCA(p.alg, now, p.caValidity)
		if err != nil {
			return nil, fmt.Errorf("creating a CA: %w", err)
		}
		next := []*x509.Certificate{ca.cert}
		// The old CA stays trusted while it is valid: the pair being served
		// may be signed by it.
		if m.bundleErr == nil && bundle[0].IsCA && now.Before(bundle[0].NotAfter) {
			next = append(next, bundle[0])
		}
		bundle, caKey = next, ca.key
		d.data[keyCACert] = encodeCerts(bundle)
		d.data[keyCAKey] = ca.keyPEM
	} else if len(bundle) > 1 {
		keep := bundle[:1]
		if prev := bundle[1]; prev.IsCA && now.Before(prev.NotAfter) {
			keep = append(keep, prev)
		}
		for _, dropped := range bundle[len(keep):] {
			d.actions = append(d.actions, "dropping "+describe(dropped)+" from "+keyCACert)
		}
		if len(keep) < len(bundle) {
			bundle = keep
			d.data[keyCACert] = encodeCerts(bundle)
		}
	}
	current := bundle[0]
	later(current.NotAfter.Add(-p.renewBefore))
	if len(bundle) > 1 {
		later(bundle[1].NotAfter)
	}

	// The serving pair.
	pair := m.pair
	names := p.names
	var reissue string
	if err := (&material{pair: m.pair, pairErr: m.pairErr, bundle: bundle}).servable(now); err != nil {
		if len(old[keyServingCert]) == 0 && len(old[keyServingKey]) == 0 {
			reissue = "creating a serving certificate"
		} else {
			d.problems = append(d.problems, err)
			reissue = "replacing the serving certificate"
		}
	} else if leaf := pair.Leaf; leaf.CheckSignatureFrom(current) != nil {
		// Signed by the previous CA: switch once the new CA has had time to
		// reach every caBundle.
		switchAt := current.NotBefore.Add(backdate + p.grace)
		if now.Before(switchAt) {
			later(switchAt)
		} else {
			reissue = "re-signing serving certificate " + describe(leaf) + " by the new CA " + describe(current)
		}
	} else if renewAt := leaf.NotAfter.Add(-p.renewBefore); now.After(renewAt) {
		reissue = "renewing serving certificate " + describe(leaf)
	} else if missing := p.names.missingFrom(leaf); len(missing) > 0 {
		reissue = fmt.Sprintf("re-issuing serving certificate %s, which lacks %q", describe(leaf), missing)
		names = names.union(leaf)
	} else {
		later(renewAt)
	}
	if reissue != "" {
		s, err := newServing(p.alg, now, p.certValidity, current, caKey, names)
		if err != nil {
			return nil, fmt.Errorf("signing a serving certificate: %w", err)
		}
		d.actions = append(d.actions, reissue)
		d.data[keyServingCert], d.data[keyServingKey] = s.certPEM, s.keyPEM
		pair = &tls.Certificate{Certificate: [][]byte{s.cert.Raw}, PrivateKey: s.key, Leaf: s.cert}
		later(s.cert.NotAfter.Add(-p.renewBefore))
	}

	d.pair, d.bundlePEM = pair, d.data[keyCACert]
	for _, k := range []string{keyServingCert, keyServingKey, keyCACert, keyCAKey} {
		if string(d.data[k]) != string(old[k]) {
			d.changed = true
		}
	}
	return d, nil
}
