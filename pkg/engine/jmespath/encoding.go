package jmespath

import (
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"

	"sigs.k8s.io/yaml"
)

func jpBase64Decode(_ *Env, a []any) (any, error) {
	b, err := base64.StdEncoding.DecodeString(a[0].(string))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func jpBase64Encode(_ *Env, a []any) (any, error) {
	return base64.StdEncoding.EncodeToString([]byte(a[0].(string))), nil
}

func jpSha256(_ *Env, a []any) (any, error) {
	sum := sha256.Sum256([]byte(a[0].(string)))
	return hex.EncodeToString(sum[:]), nil
}

func jpSha1(_ *Env, a []any) (any, error) {
	sum := sha1.Sum([]byte(a[0].(string)))
	return hex.EncodeToString(sum[:]), nil
}

func jpMd5(_ *Env, a []any) (any, error) {
	sum := md5.Sum([]byte(a[0].(string)))
	return hex.EncodeToString(sum[:]), nil
}

func jpParseJSON(_ *Env, a []any) (any, error) {
	var out any
	if err := json.Unmarshal([]byte(a[0].(string)), &out); err != nil {
		return nil, err
	}
	return out, nil
}

func jpParseYAML(_ *Env, a []any) (any, error) {
	data, err := yaml.YAMLToJSON([]byte(a[0].(string)))
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// rsaPublicKey replaces the public key of a decoded certificate: the modulus
// as a decimal string and the exponent.
type rsaPublicKey struct {
	N string
	E int
}

// jpX509Decode decodes a PEM certificate or certificate request whose key is
// RSA into the JSON form of Go's x509 structures (as Kyverno does), with the
// public key rendered as {N, E}.
func jpX509Decode(_ *Env, a []any) (any, error) {
	block, _ := pem.Decode([]byte(a[0].(string)))
	if block == nil {
		return nil, errors.New("failed to decode PEM block")
	}
	var v any
	switch block.Type {
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		if cert.PublicKeyAlgorithm != x509.RSA {
			return nil, errors.New("certificate should use rsa algorithm")
		}
		pk, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, errors.New("failed to parse subject public key info")
		}
		cert.PublicKey = rsaPublicKey{N: pk.N.String(), E: pk.E}
		v = cert
	case "CERTIFICATE REQUEST":
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			return nil, err
		}
		if csr.PublicKeyAlgorithm != x509.RSA {
			return nil, errors.New("certificate should use rsa algorithm")
		}
		pk, ok := csr.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, errors.New("failed to parse subject public key info")
		}
		csr.PublicKey = rsaPublicKey{N: pk.N.String(), E: pk.E}
		v = csr
	default:
		return nil, errors.New("PEM block neither contains a CERTIFICATE or CERTIFICATE REQUEST")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}
