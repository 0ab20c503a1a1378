package image

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PushOptions configures Push.
type PushOptions struct {
	// Insecure allows plain HTTP and unverified TLS: for local registries.
	Insecure bool
	// Keychain supplies credentials; authn.DefaultKeychain (the Docker
	// config and credential helpers) when nil.
	Keychain authn.Keychain
}

// Push uploads idx with all its images to ref (registry/repository:tag) and
// returns the pushed reference pinned by digest.
func Push(ctx context.Context, idx v1.ImageIndex, ref string, opts PushOptions) (name.Digest, error) {
	var nameOpts []name.Option
	if opts.Insecure {
		nameOpts = append(nameOpts, name.Insecure)
	}
	tag, err := name.NewTag(ref, nameOpts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("image reference %q: %w", ref, err)
	}
	keychain := opts.Keychain
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	remoteOpts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain)}
	if opts.Insecure {
		t := remote.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // --insecure asks for it
		remoteOpts = append(remoteOpts, remote.WithTransport(t))
	}
	if err := remote.WriteIndex(tag, idx, remoteOpts...); err != nil {
		return name.Digest{}, fmt.Errorf("push %s: %w", tag, err)
	}
	h, err := idx.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	return tag.Digest(h.String()), nil
}
