package v1

import apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

// ImageVerification is a verifyImages rule entry.
type ImageVerification struct {
	// +kubebuilder:validation:Enum=Cosign;SigstoreBundle;Notary
	// +kubebuilder:default=Cosign
	Type string `json:"type,omitempty"`
	// Image is deprecated; use ImageReferences.
	Image               string   `json:"image,omitempty"`
	ImageReferences     []string `json:"imageReferences,omitempty"`
	SkipImageReferences []string `json:"skipImageReferences,omitempty"`
	// Deprecated single-key fields.
	Key                  string            `json:"key,omitempty"`
	Roots                string            `json:"roots,omitempty"`
	Subject              string            `json:"subject,omitempty"`
	Issuer               string            `json:"issuer,omitempty"`
	AdditionalExtensions map[string]string `json:"additionalExtensions,omitempty"`
	Annotations          map[string]string `json:"annotations,omitempty"`

	Attestors    []AttestorSet `json:"attestors,omitempty"`
	Attestations []Attestation `json:"attestations,omitempty"`
	Repository   string        `json:"repository,omitempty"`
	// +kubebuilder:default=true
	MutateDigest *bool `json:"mutateDigest,omitempty"`
	// +kubebuilder:default=true
	VerifyDigest *bool          `json:"verifyDigest,omitempty"`
	Validation   *ValidateImage `json:"validate,omitempty"`
	// +kubebuilder:default=true
	Required *bool `json:"required,omitempty"`
	// +kubebuilder:default=true
	UseCache                 *bool                     `json:"useCache,omitempty"`
	ImageRegistryCredentials *ImageRegistryCredentials `json:"imageRegistryCredentials,omitempty"`
	// +kubebuilder:validation:Enum=Audit;Enforce
	FailureAction *string `json:"failureAction,omitempty"`
	CosignOCI11   bool    `json:"cosignOCI11,omitempty"`
}

// ValidateImage holds deny conditions on image data.
type ValidateImage struct {
	Deny    *Deny  `json:"deny,omitempty"`
	Message string `json:"message,omitempty"`
}

// AttestorSet is a set of attestors with a required count.
type AttestorSet struct {
	Count   *int       `json:"count,omitempty"`
	Entries []Attestor `json:"entries,omitempty"`
}

// Attestor is one signature verifier.
type Attestor struct {
	Keys         *StaticKeyAttestor   `json:"keys,omitempty"`
	Certificates *CertificateAttestor `json:"certificates,omitempty"`
	Keyless      *KeylessAttestor     `json:"keyless,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Attestor           *apiextv1.JSON    `json:"attestor,omitempty"`
	Annotations        map[string]string `json:"annotations,omitempty"`
	Repository         string            `json:"repository,omitempty"`
	SignatureAlgorithm string            `json:"signatureAlgorithm,omitempty"`
}

// StaticKeyAttestor verifies with public keys.
type StaticKeyAttestor struct {
	PublicKeys         string           `json:"publicKeys,omitempty"`
	SignatureAlgorithm string           `json:"signatureAlgorithm,omitempty"`
	KMS                string           `json:"kms,omitempty"`
	Secret             *SecretReference `json:"secret,omitempty"`
	Rekor              *Rekor           `json:"rekor,omitempty"`
	CTLog              *CTLog           `json:"ctlog,omitempty"`
}

// SecretReference names a Secret.
type SecretReference struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// CertificateAttestor verifies with certificates.
type CertificateAttestor struct {
	Certificate      string `json:"cert,omitempty"`
	CertificateChain string `json:"certChain,omitempty"`
	Rekor            *Rekor `json:"rekor,omitempty"`
	CTLog            *CTLog `json:"ctlog,omitempty"`
}

// KeylessAttestor verifies keyless signatures.
type KeylessAttestor struct {
	Rekor                *Rekor            `json:"rekor,omitempty"`
	CTLog                *CTLog            `json:"ctlog,omitempty"`
	Issuer               string            `json:"issuer,omitempty"`
	IssuerRegExp         string            `json:"issuerRegExp,omitempty"`
	Subject              string            `json:"subject,omitempty"`
	SubjectRegExp        string            `json:"subjectRegExp,omitempty"`
	Roots                string            `json:"roots,omitempty"`
	AdditionalExtensions map[string]string `json:"additionalExtensions,omitempty"`
}

// Rekor configures the transparency log.
type Rekor struct {
	URL         string `json:"url,omitempty"`
	RekorPubKey string `json:"pubkey,omitempty"`
	IgnoreTlog  bool   `json:"ignoreTlog,omitempty"`
}

// CTLog configures certificate transparency.
type CTLog struct {
	IgnoreSCT    bool   `json:"ignoreSCT,omitempty"`
	CTLogPubKey  string `json:"pubkey,omitempty"`
	TSACertChain string `json:"tsaCertChain,omitempty"`
}

// Attestation checks an in-toto attestation.
type Attestation struct {
	// PredicateType is deprecated; use Type.
	PredicateType string        `json:"predicateType,omitempty"`
	Type          string        `json:"type,omitempty"`
	Name          string        `json:"name,omitempty"`
	Attestors     []AttestorSet `json:"attestors,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Conditions *apiextv1.JSON `json:"conditions,omitempty"`
}
