package certs

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"time"

	"k8s.io/client-go/util/keyutil"
)

// KeyAlgorithm selects the type of the keys the Manager generates.
type KeyAlgorithm string

const (
	// ECDSA is ECDSA on the P-256 curve, the default: fast to generate and to
	// handshake with.
	ECDSA KeyAlgorithm = "ECDSA"
	// RSA is 2048-bit RSA.
	RSA KeyAlgorithm = "RSA"
	// Ed25519 is Ed25519.
	Ed25519 KeyAlgorithm = "Ed25519"
)

// backdate is how far NotBefore lies before the moment a certificate is
// issued, so that clocks running a little behind accept it at once.
const backdate = 5 * time.Minute

func generateKey(alg KeyAlgorithm) (crypto.Signer, error) {
	switch alg {
	case ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		return rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("unknown key algorithm %q (want %s, %s or %s)", alg, ECDSA, RSA, Ed25519)
}

// issued is a freshly signed certificate with its key, parsed and encoded.
type issued struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
	keyPEM  []byte
}

// sign creates a key and a certificate from template, signed by parent and
// parentKey, or self-signed when parent is nil.
func sign(alg KeyAlgorithm, template, parent *x509.Certificate, parentKey crypto.Signer) (*issued, error) {
	key, err := generateKey(alg)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	if parent == nil {
		parent, parentKey = template, key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, key.Public(), parentKey)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &issued{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// newCA issues a self-signed CA valid for validity from now.
func newCA(alg KeyAlgorithm, now time.Time, validity time.Duration) (*issued, error) {
	return sign(alg, &x509.Certificate{
		Subject:               pkix.Name{CommonName: fmt.Sprintf("kanon-ca@%d", now.Unix())},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}, nil, nil)
}

// newServing issues a serving certificate for names signed by ca, valid for
// validity from now but never beyond the CA's own expiry.
func newServing(alg KeyAlgorithm, now time.Time, validity time.Duration, ca *x509.Certificate, caKey crypto.Signer, names sans) (*issued, error) {
	usage := x509.KeyUsageDigitalSignature
	if alg == RSA {
		usage |= x509.KeyUsageKeyEncipherment
	}
	notAfter := now.Add(validity)
	if ca.NotAfter.Before(notAfter) {
		notAfter = ca.NotAfter
	}
	return sign(alg, &x509.Certificate{
		Subject:               pkix.Name{CommonName: names.dns[0]},
		DNSNames:              names.dns,
		IPAddresses:           names.ips,
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              usage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}, ca, caKey)
}

// sans are the subject alternative names of a serving certificate.
type sans struct {
	dns []string
	ips []net.IP
}

// missingFrom returns the names of s that cert lacks.
func (s sans) missingFrom(cert *x509.Certificate) []string {
	var missing []string
	for _, d := range s.dns {
		if !slices.Contains(cert.DNSNames, d) {
			missing = append(missing, d)
		}
	}
	for _, ip := range s.ips {
		if !slices.ContainsFunc(cert.IPAddresses, ip.Equal) {
			missing = append(missing, ip.String())
		}
	}
	return missing
}

// union returns s followed by the names of cert that s lacks.
func (s sans) union(cert *x509.Certificate) sans {
	out := sans{dns: slices.Clone(s.dns), ips: slices.Clone(s.ips)}
	for _, d := range cert.DNSNames {
		if !slices.Contains(out.dns, d) {
			out.dns = append(out.dns, d)
		}
	}
	for _, ip := range cert.IPAddresses {
		if !slices.ContainsFunc(out.ips, ip.Equal) {
			out.ips = append(out.ips, ip)
		}
	}
	return out
}

// parseCertsPEM decodes a PEM file that holds only certificates, at least one.
func parseCertsPEM(data []byte) ([]*x509.Certificate, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty")
	}
	var certs []*x509.Certificate
	for rest := data; len(bytes.TrimSpace(rest)) > 0; {
		block, next := pem.Decode(rest)
		if block == nil {
			if len(certs) == 0 {
				return nil, errors.New("no PEM data found")
			}
			return nil, fmt.Errorf("data after PEM block %d is not PEM", len(certs))
		}
		rest = next
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %d is a %q, want CERTIFICATE", len(certs)+1, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", len(certs)+1, err)
		}
		certs = append(certs, cert)
	}
	return certs, nil
}

// parseSigner decodes a PEM private key (PKCS#8, PKCS#1 or SEC 1).
func parseSigner(data []byte) (crypto.Signer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty")
	}
	key, err := keyutil.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T cannot sign", key)
	}
	return signer, nil
}

// keyMatches reports whether key is the private key of cert.
func keyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key.Public())
}

// verifyServing checks that pair can be served at now: its leaf is valid for
// server authentication and chains to one of roots, through the
// intermediates that follow the leaf in the pair.
func verifyServing(pair *tls.Certificate, roots []*x509.Certificate, now time.Time) error {
	leaf := pair.Leaf
	if leaf == nil {
		return errors.New("no certificate")
	}
	if now.Before(leaf.NotBefore) {
		return fmt.Errorf("not valid before %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	if !now.Before(leaf.NotAfter) {
		return fmt.Errorf("expired at %s", leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	opts := x509.VerifyOptions{
		Roots:         x509.NewCertPool(),
		Intermediates: x509.NewCertPool(),
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, root := range roots {
		opts.Roots.AddCert(root)
	}
	for _, der := range pair.Certificate[1:] {
		if cert, err := x509.ParseCertificate(der); err == nil {
			opts.Intermediates.AddCert(cert)
		}
	}
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("does not chain to the CA bundle: %w", err)
	}
	return nil
}

// describe names a certificate in log lines and errors.
func describe(cert *x509.Certificate) string {
	return fmt.Sprintf("%q (expires %s)", cert.Subject.CommonName, cert.NotAfter.UTC().Format(time.RFC3339))
}

// encodeCerts is the PEM encoding of certs, in order.
func encodeCerts(certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
