package image

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// MozillaRoots returns the Mozilla NSS root store as a PEM bundle, taken
// from golang.org/x/crypto/x509roots/fallback at the version pinned in
// go.mod. It is the default CA bundle of the image because it is the same on
// every machine (the digest does not depend on the build host's
// /etc/ssl/certs) and comes from the Go module proxy, so builds need no other
// network. Roots that NSS trusts only with a distrust-after date cannot be
// expressed in a PEM file and are left out rather than trusted without the
// constraint.
func MozillaRoots() []byte {
	var buf bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		// pem.Encode to a bytes.Buffer cannot fail.
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})
	}
	return buf.Bytes()
}

// CheckCertificates verifies that data is a PEM bundle of X.509
// certificates and returns how many it holds; source names it in errors.
func CheckCertificates(source string, data []byte) (int, error) {
	n := 0
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		if block.Type != "CERTIFICATE" {
			return 0, fmt.Errorf("%s: PEM block %d is a %q, not a CERTIFICATE", source, n, block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return 0, fmt.Errorf("%s: PEM block %d: %w", source, n, err)
		}
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return 0, fmt.Errorf("%s: %d bytes after certificate %d are not PEM", source, len(bytes.TrimSpace(rest)), n)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no PEM certificates", source)
	}
	return n, nil
}
