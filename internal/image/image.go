// Package image assembles Kanon's container image without Docker: a
// multi-platform OCI image index whose images each hold one layer (the static
// kanon binary, CA certificates and a non-root user) on an empty base.
//
// Assemble is pure: the same Options give the same bytes and so the same
// digest. Everything that varies between builds (binaries, certificates, the
// timestamp) comes in through Options; nothing is read from the clock or the
// host. Compile cross-builds the binaries, WriteLayout and WriteArchive store
// the index as an OCI layout and a tarball, Push sends it to a registry and
// Check verifies an index (platforms, entrypoint, user, binaries).
package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Fixed properties of every image.
const (
	// BinaryPath is where the kanon binary lives in the image.
	BinaryPath = "/usr/local/bin/kanon"
	// CACertificatesPath is the PEM bundle Go's crypto/x509 reads on Linux.
	CACertificatesPath = "/etc/ssl/certs/ca-certificates.crt"
	// UID and GID of the non-root user the image runs as ("nonroot", as in
	// distroless images). Numeric, so that runAsNonRoot can be verified.
	UID = 65532
	GID = 65532
)

// Entrypoint is the image's entrypoint: the admission controller. Other
// commands run with the entrypoint overridden (command: [kanon, test, ...]).
var Entrypoint = []string{BinaryPath, "serve"}

// User is the image config's User field.
var User = strconv.Itoa(UID) + ":" + strconv.Itoa(GID)

// Label and annotation keys (OCI image spec, annotations.md).
const (
	LabelSource      = "org.opencontainers.image.source"
	LabelVersion     = "org.opencontainers.image.version"
	LabelRevision    = "org.opencontainers.image.revision"
	LabelCreated     = "org.opencontainers.image.created"
	LabelLicenses    = "org.opencontainers.image.licenses"
	LabelTitle       = "org.opencontainers.image.title"
	LabelDescription = "org.opencontainers.image.description"
)

// Options is everything an image index is made from.
type Options struct {
	// Binaries holds one static kanon binary per platform, in index order.
	Binaries []Binary
	// CACertificates is the PEM bundle written to CACertificatesPath.
	CACertificates []byte
	// Created is the timestamp of the images and of every file in them:
	// the commit time or SOURCE_DATE_EPOCH, never the wall clock.
	Created time.Time
	// Version and Revision (the full commit) label the images.
	Version  string
	Revision string
	// Source is the repository URL, Licenses an SPDX expression.
	Source   string
	Licenses string
}

// Binary is a kanon executable for one platform.
type Binary struct {
	Platform v1.Platform
	Data     []byte
}

// PlatformString formats p as os/arch[/variant].
func PlatformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Assemble builds the multi-platform image index described by opts.
func Assemble(opts Options) (v1.ImageIndex, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	labels := opts.labels()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	for _, b := range opts.Binaries {
		img, err := opts.image(b, labels)
		if err != nil {
			return nil, fmt.Errorf("image for %s: %w", PlatformString(b.Platform), err)
		}
		p := b.Platform
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx = mutate.AppendManifests(idx, adds...)
	return mutate.Annotations(idx, labels).(v1.ImageIndex), nil
}

func (o Options) validate() error {
	if len(o.Binaries) == 0 {
		return fmt.Errorf("image: no binaries given")
	}
	seen := map[string]bool{}
	for i, b := range o.Binaries {
		p := PlatformString(b.Platform)
		if b.Platform.OS == "" || b.Platform.Architecture == "" {
			return fmt.Errorf("image: binary %d: platform %q needs an OS and an architecture", i, p)
		}
		if seen[p] {
			return fmt.Errorf("image: platform %s given twice", p)
		}
		seen[p] = true
		if len(b.Data) == 0 {
			return fmt.Errorf("image: binary for %s is empty", p)
		}
	}
	if len(o.CACertificates) == 0 {
		return fmt.Errorf("image: no CA certificates given")
	}
	if o.Created.IsZero() {
		return fmt.Errorf("image: no creation time given (use the commit time or SOURCE_DATE_EPOCH)")
	}
	if o.Version == "" || o.Revision == "" {
		return fmt.Errorf("image: version %q and revision %q must both be set", o.Version, o.Revision)
	}
	return nil
}

func (o Options) labels() map[string]string {
	l := map[string]string{
		LabelTitle:       "kanon",
		LabelDescription: "Kanon, a Kubernetes policy engine that speaks Kyverno's policy language",
		LabelVersion:     o.Version,
		LabelRevision:    o.Revision,
		LabelCreated:     o.created().Format(time.RFC3339),
	}
	if o.Source != "" {
		l[LabelSource] = o.Source
	}
	if o.Licenses != "" {
		l[LabelLicenses] = o.Licenses
	}
	return l
}

func (o Options) created() time.Time { return o.Created.UTC().Truncate(time.Second) }

func (o Options) image(b Binary, labels map[string]string) (v1.Image, error) {
	layerBytes, err := o.layer(b.Data)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: o.created()}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History: v1.History{
			Created:   created,
			CreatedBy: "kanon " + o.Version + ": " + BinaryPath + ", CA certificates, user " + User,
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Created = created
	cf.OS = b.Platform.OS
	cf.Architecture = b.Platform.Architecture
	cf.Variant = b.Platform.Variant
	cf.Config = v1.Config{
		Entrypoint: Entrypoint,
		User:       User,
		WorkingDir: "/",
		Env: []string{
			"PATH=" + path.Dir(BinaryPath),
			"SSL_CERT_FILE=" + CACertificatesPath,
		},
		Labels: labels,
	}
	return mutate.ConfigFile(img, cf)
}

// layer returns the gzipped tar of the image's file system: entries sorted
// by name, owned by root (the home directory by the user), one mtime.
func (o Options) layer(binary []byte) ([]byte, error) {
	type entry struct {
		name  string
		mode  int64
		owned bool // by the non-root user rather than root
		data  []byte
		dir   bool
	}
	dir := func(name string, mode int64, owned bool) entry {
		return entry{name: name + "/", mode: mode, owned: owned, dir: true}
	}
	file := func(name string, mode int64, data []byte) entry {
		return entry{name: name, mode: mode, data: data}
	}
	entries := []entry{
		dir("etc", 0o755, false),
		file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", UID, GID)),
		file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", GID)),
		dir("etc/ssl", 0o755, false),
		dir("etc/ssl/certs", 0o755, false),
		file(CACertificatesPath[1:], 0o644, o.CACertificates),
		dir("home", 0o755, false),
		dir("home/nonroot", 0o700, true),
		dir("tmp", 0o1777, false),
		dir("usr", 0o755, false),
		dir("usr/local", 0o755, false),
		dir("usr/local/bin", 0o755, false),
		file(BinaryPath[1:], 0o755, binary),
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	mtime := o.created()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{
			Name:    e.name,
			Mode:    e.mode,
			ModTime: mtime,
			Format:  tar.FormatUSTAR,
		}
		if e.owned {
			h.Uid, h.Gid = UID, GID
		}
		if e.dir {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, fmt.Errorf("layer entry %s: %w", e.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
