package jmespath

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Image references follow the grammar of the OCI distribution reference
// format:
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ domain "/" ] path-component [ "/" path-component ]*
//	domain     := host [ ":" port ]
//	tag        := [\w][\w.-]{0,127}
//	digest     := algorithm ":" hex
var (
	refPathComponent = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	refDomainLabel   = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	refHost          = `(?:` + refDomainLabel + `(?:\.` + refDomainLabel + `)*|\[[a-fA-F0-9:]+\])`
	refDomain        = refHost + `(?::[0-9]+)?`
	refRemoteName    = refPathComponent + `(?:/` + refPathComponent + `)*`
	refTag           = `[\w][\w.-]{0,127}`
	refDigest        = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`

	referenceRE = regexp.MustCompile(`^((?:` + refDomain + `/)?` + refRemoteName + `)(?::(` + refTag + `))?(?:@(` + refDigest + `))?$`)
	nameRE      = regexp.MustCompile(`^(?:(` + refDomain + `)/)?(` + refRemoteName + `)$`)
	hexLowerRE  = regexp.MustCompile(`^[a-f0-9]+$`)
)

// digestSizes maps the supported digest algorithms to their hex length.
var digestSizes = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// imageRef is a parsed image reference.
type imageRef struct {
	registry, path, tag, digest string
}

func (r imageRef) String() string {
	s := r.path
	if r.registry != "" {
		s = r.registry + "/" + r.path
	}
	if r.digest != "" {
		return s + "@" + r.digest
	}
	return s + ":" + r.tag
}

// parseReference parses a fully qualified reference, like the distribution
// library's reference.Parse.
func parseReference(s string) (imageRef, error) {
	m := referenceRE.FindStringSubmatch(s)
	if m == nil {
		switch {
		case s == "":
			return imageRef{}, errors.New("repository name must have at least one component")
		case referenceRE.MatchString(strings.ToLower(s)):
			return imageRef{}, errors.New("repository name must be lowercase")
		}
		return imageRef{}, errors.New("invalid reference format")
	}
	if len(m[1]) > 255 {
		return imageRef{}, errors.New("repository name must not be more than 255 characters")
	}
	n := nameRE.FindStringSubmatch(m[1])
	ref := imageRef{registry: n[1], path: n[2], tag: m[2], digest: m[3]}
	if ref.digest != "" {
		if err := validateDigest(ref.digest); err != nil {
			return imageRef{}, err
		}
	}
	return ref, nil
}

func validateDigest(d string) error {
	alg, encoded, _ := strings.Cut(d, ":")
	size, ok := digestSizes[alg]
	if !ok {
		return errors.New("unsupported digest algorithm")
	}
	if len(encoded) != size {
		return errors.New("invalid checksum digest length")
	}
	if !hexLowerRE.MatchString(encoded) {
		return errors.New("invalid checksum digest format")
	}
	return nil
}

// normalizeImage implements image_normalize: the default registry is added
// when the first path component does not look like a registry, and the tag
// "latest" when there is neither tag nor digest.
func normalizeImage(cfg Config, image string) (string, error) {
	def := cfg.defaultRegistry()
	full := image
	if i := strings.IndexByte(image, '/'); i == -1 ||
		(!strings.ContainsAny(image[:i], ".:") && image[:i] != "localhost" && strings.ToLower(image[:i]) == image[:i]) {
		full = def + "/" + image
	}
	ref, err := parseReference(full)
	if err != nil {
		return "", fmt.Errorf("bad image: %s, defaultRegistry: %s, enableDefaultRegistryMutation: %t: %w",
			full, def, !cfg.DisableDefaultRegistryMutation, err)
	}
	if ref.tag == "" && ref.digest == "" {
		ref.tag = "latest"
	}
	if full != image && cfg.DisableDefaultRegistryMutation {
		ref.registry = ""
	}
	return ref.String(), nil
}

func jpImageNormalize(e *Env, a []any) (any, error) {
	s, err := normalizeImage(e.cfg, a[0].(string))
	if err != nil {
		return nil, fnErrorf("image_normalize", "%s", err.Error())
	}
	return s, nil
}
