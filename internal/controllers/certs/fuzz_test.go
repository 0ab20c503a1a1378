package certs

import (
	"testing"
)

// FuzzDecide feeds arbitrary Secret data to the Manager's decision: it never
// panics, and what it decides to serve is always trusted by what it decides
// to publish.
func FuzzDecide(f *testing.F) {
	p := &policy{alg: ECDSA, caValidity: 365 * day, certValidity: 150 * day, renewBefore: 15 * day, grace: 1 << 40,
		names: sans{dns: []string{servingName}}}
	good, err := p.decide(nil, t0)
	if err != nil {
		f.Fatal(err)
	}
	d := good.data
	f.Add(d["tls.crt"], d["tls.key"], d["ca.crt"], d["ca.key"])
	f.Add([]byte("garbage"), d["tls.key"], d["ca.crt"], d["ca.key"])
	f.Add(d["tls.crt"], d["tls.key"], append(d["ca.crt"], d["ca.crt"]...), d["ca.key"])
	f.Add(d["ca.crt"], d["ca.key"], d["tls.crt"], d["tls.key"])
	f.Add([]byte{}, []byte{}, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, crt, key, caCrt, caKey []byte) {
		d, err := p.decide(map[string][]byte{"tls.crt": crt, "tls.key": key, "ca.crt": caCrt, "ca.key": caKey}, t0)
		if err != nil {
			t.Fatal(err)
		}
		trusts(t, d.bundlePEM, d.pair, t0)
		again, err := p.decide(d.data, t0)
		if err != nil {
			t.Fatal(err)
		}
		if again.changed {
			t.Fatalf("the decided data is changed again: %v %v", again.problems, again.actions)
		}
	})
}
