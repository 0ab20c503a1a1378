package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"io"
	"iter"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var testCreated = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// fakeOptions has placeholder binaries: enough for everything but the ELF
// checks, which the KANON_TEST_IMAGE test runs on real builds.
func fakeOptions() Options {
	var bins []Binary
	for _, p := range DefaultPlatforms() {
		bins = append(bins, Binary{Platform: p, Data: []byte("kanon for " + PlatformString(p))})
	}
	return Options{
		Binaries:       bins,
		CACertificates: MozillaRoots(),
		Created:        testCreated,
		Version:        "v0.1.0",
		Revision:       "0123456789abcdef0123456789abcdef01234567",
		Source:         "https://github.com/kanon-policy/kanon",
		Licenses:       "Apache-2.0",
	}
}

func digestOf(t *testing.T, opts Options) v1.Hash {
	t.Helper()
	idx, err := Assemble(opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAssembleIsDeterministic(t *testing.T) {
	base := digestOf(t, fakeOptions())
	if again := digestOf(t, fakeOptions()); again != base {
		t.Fatalf("same options, different digests: %s, %s", base, again)
	}
	changes := []struct {
		name   string
		change func(*Options)
	}{
		{name: "time", change: func(o *Options) { o.Created = o.Created.Add(time.Second) }},
		{name: "binary", change: func(o *Options) { o.Binaries[2].Data = []byte("other") }},
		{name: "order", change: func(o *Options) { slices.Reverse(o.Binaries) }},
		{name: "version", change: func(o *Options) { o.Version = "v0.1.1" }},
		{name: "certificates", change: func(o *Options) { o.CACertificates = o.CACertificates[:len(o.CACertificates)/2] }},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			opts := fakeOptions()
			c.change(&opts)
			if digestOf(t, opts) == base {
				t.Errorf("changing the %s keeps digest %s", c.name, base)
			}
		})
	}
	t.Run("time zone and sub-second", func(t *testing.T) {
		opts := fakeOptions()
		opts.Created = testCreated.In(time.FixedZone("CET", 3600)).Add(300 * time.Millisecond)
		if got := digestOf(t, opts); got != base {
			t.Errorf("the same second in another zone changes the digest")
		}
	})
}

func TestAssembleContents(t *testing.T) {
	opts := fakeOptions()
	idx, err := Assemble(opts)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
		t.Errorf("index media type %s", mt)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Annotations[LabelVersion] != "v0.1.0" || m.Annotations[LabelSource] == "" {
		t.Errorf("index annotations %v", m.Annotations)
	}
	if len(m.Manifests) != 3 {
		t.Fatalf("%d manifests", len(m.Manifests))
	}
	for i, d := range m.Manifests {
		p := opts.Binaries[i].Platform
		t.Run(PlatformString(p), func(t *testing.T) {
			if !d.Platform.Equals(p) || d.MediaType != types.OCIManifestSchema1 {
				t.Errorf("descriptor %+v", d)
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			c := cf.Config
			if !slices.Equal(c.Entrypoint, []string{"/usr/local/bin/kanon", "serve"}) || c.User != "65532:65532" {
				t.Errorf("entrypoint %q user %q", c.Entrypoint, c.User)
			}
			if !cf.Platform().Equals(p) || !cf.Created.Equal(testCreated) {
				t.Errorf("config platform %v created %v", cf.Platform(), cf.Created)
			}
			wantLabels := map[string]string{
				LabelSource: opts.Source, LabelVersion: "v0.1.0", LabelRevision: opts.Revision,
				LabelLicenses: "Apache-2.0", LabelCreated: "2026-11-01T12:00:00Z",
			}
			for k, v := range wantLabels {
				if c.Labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
				}
			}
			layers, err := img.Layers()
			if err != nil || len(layers) != 1 {
				t.Fatalf("layers %d, %v", len(layers), err)
			}
			if mt, _ := layers[0].MediaType(); mt != types.OCILayer {
				t.Errorf("layer media type %s", mt)
			}
			checkLayer(t, layers[0], opts.Binaries[i].Data)
		})
	}
}

func checkLayer(t *testing.T, l v1.Layer, binary []byte) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	for h, data := range tarEntries(t, rc) {
		names = append(names, h.Name)
		if !h.ModTime.Equal(testCreated) {
			t.Errorf("%s: mtime %v", h.Name, h.ModTime)
		}
		owner := 0
		if h.Name == "home/nonroot/" {
			owner = UID
		}
		if h.Uid != owner || h.Gid != owner || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q)", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		switch h.Name {
		case "usr/local/bin/kanon":
			if h.Mode != 0o755 || !bytes.Equal(data, binary) {
				t.Errorf("binary mode %o, %d bytes", h.Mode, len(data))
			}
		case "etc/passwd":
			if !strings.Contains(string(data), "nonroot:x:65532:65532:") {
				t.Errorf("passwd %q", data)
			}
		case "tmp/":
			if h.Mode != 0o1777 {
				t.Errorf("tmp mode %o", h.Mode)
			}
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("entries not sorted: %v", names)
	}
	for _, want := range []string{"etc/ssl/certs/ca-certificates.crt", "usr/local/bin/kanon", "etc/group", "home/nonroot/"} {
		if !slices.Contains(names, want) {
			t.Errorf("layer lacks %s: %v", want, names)
		}
	}
}

// tarEntries yields each header of a tar stream with the entry's content.
func tarEntries(t *testing.T, r io.Reader) iter.Seq2[*tar.Header, []byte] {
	t.Helper()
	return func(yield func(*tar.Header, []byte) bool) {
		tr := tar.NewReader(r)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if !yield(h, data) {
				return
			}
		}
	}
}

func TestAssembleErrors(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Options)
		wantErr string
	}{
		{name: "no binaries", change: func(o *Options) { o.Binaries = nil }, wantErr: "no binaries"},
		{name: "platform twice", change: func(o *Options) { o.Binaries[1].Platform = o.Binaries[0].Platform }, wantErr: "platform linux/amd64 given twice"},
		{name: "platform without arch", change: func(o *Options) { o.Binaries[0].Platform.Architecture = "" }, wantErr: "needs an OS and an architecture"},
		{name: "empty binary", change: func(o *Options) { o.Binaries[2].Data = nil }, wantErr: "binary for linux/arm/v7 is empty"},
		{name: "no certificates", change: func(o *Options) { o.CACertificates = nil }, wantErr: "no CA certificates"},
		{name: "no time", change: func(o *Options) { o.Created = time.Time{} }, wantErr: "SOURCE_DATE_EPOCH"},
		{name: "no revision", change: func(o *Options) { o.Revision = "" }, wantErr: "must both be set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fakeOptions()
			tt.change(&opts)
			_, err := Assemble(opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestPushPullInMemoryRegistry(t *testing.T) {
	idx, err := Assemble(fakeOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := pushAndPull(t, idx)
	m, err := want.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range m.Manifests {
		if !d.Platform.Equals(DefaultPlatforms()[i]) {
			t.Errorf("pulled entry %d: platform %v", i, d.Platform)
		}
	}
}

// pushAndPull pushes idx to an in-memory registry on loopback, pulls it
// back by tag and checks the digest survived.
func pushAndPull(t *testing.T, idx v1.ImageIndex) v1.ImageIndex {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	pushed, err := Push(context.Background(), idx, host+"/kanon:v0.1.0", PushOptions{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(host + "/kanon:v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	got, err := pulled.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want || pushed.DigestStr() != want.String() {
		t.Fatalf("pulled %s, pushed %s, built %s", got, pushed, want)
	}
	// Force every blob through the registry, not a local cache.
	m, err := pulled.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		img, err := pulled.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			rc, err := l.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, rc); err != nil {
				t.Fatalf("%s: layer: %v", PlatformString(*d.Platform), err)
			}
			rc.Close()
		}
	}
	return pulled
}

func TestPushBadReference(t *testing.T) {
	idx, err := Assemble(fakeOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, err = Push(context.Background(), idx, "Not A Ref", PushOptions{})
	if err == nil || !strings.Contains(err.Error(), `image reference "Not A Ref"`) {
		t.Errorf("error %v", err)
	}
}

func TestLayoutAndArchive(t *testing.T) {
	idx, err := Assemble(fakeOptions())
	if err != nil {
		t.Fatal(err)
	}
	ref := name.MustParseReference("ghcr.io/kanon-policy/kanon:v0.1.0").(name.Tag)
	dir := filepath.Join(t.TempDir(), "oci")
	if err := WriteLayout(dir, idx, ref); err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(dir, idx, ref); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second WriteLayout into the same directory: %v", err)
	}
	back, gotRef, err := ReadLayout(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	if got, _ := back.Digest(); got != want || gotRef.String() != ref.String() {
		t.Errorf("read back %s %s, want %s %s", got, gotRef, want, ref)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"io.containerd.image.name":"ghcr.io/kanon-policy/kanon:v0.1.0"`, `"org.opencontainers.image.ref.name":"v0.1.0"`} {
		if !strings.Contains(string(index), s) {
			t.Errorf("index.json lacks %s: %s", s, index)
		}
	}

	var a, b bytes.Buffer
	if err := WriteArchive(&a, dir, testCreated); err != nil {
		t.Fatal(err)
	}
	// Another copy of the layout, with other modes and times, archives the same.
	dir2 := filepath.Join(t.TempDir(), "oci")
	if err := WriteLayout(dir2, idx, ref); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir2, "index.json"), time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir2, "oci-layout"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteArchive(&b, dir2, testCreated); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two archives of equal layouts differ")
	}
	var names []string
	for h := range tarEntries(t, &a) {
		names = append(names, h.Name)
	}
	if !slices.IsSorted(names) || !slices.Contains(names, "index.json") || !slices.Contains(names, "oci-layout") || !slices.Contains(names, "blobs/sha256/"+want.Hex) {
		t.Errorf("archive entries %v", names)
	}
}

func TestReadLayoutErrors(t *testing.T) {
	empty := t.TempDir()
	if _, _, err := ReadLayout(empty); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty directory: %v", err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "index.json"), []byte(`{"schemaVersion":2,"manifests":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadLayout(bad); err == nil || !strings.Contains(err.Error(), "exactly one image index, found 0") {
		t.Errorf("no entries: %v", err)
	}
}

func TestCheckRejectsFakeBinaries(t *testing.T) {
	idx, err := Assemble(fakeOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(idx, DefaultPlatforms()[:2]); err == nil || !strings.Contains(err.Error(), "3 images, want 2") {
		t.Errorf("platform count: %v", err)
	}
	_, err = Check(idx, DefaultPlatforms())
	if err == nil || !strings.Contains(err.Error(), "linux/amd64 image") || !strings.Contains(err.Error(), "not an ELF file") {
		t.Errorf("fake binary: %v", err)
	}
}

// elfHeader is a bare ELF header: enough for debug/elf, nothing more.
func elfHeader(t *testing.T, class elf.Class, machine elf.Machine) []byte {
	t.Helper()
	var buf bytes.Buffer
	ident := [elf.EI_NIDENT]byte{0x7f, 'E', 'L', 'F', byte(class), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)}
	var h any
	if class == elf.ELFCLASS64 {
		h = elf.Header64{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT), Ehsize: 64}
	} else {
		h = elf.Header32{Ident: ident, Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT), Ehsize: 52}
	}
	if err := binary.Write(&buf, binary.LittleEndian, h); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckBinary(t *testing.T) {
	arm := v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	tests := []struct {
		name     string
		data     []byte
		platform v1.Platform
		wantErr  string
	}{
		{name: "not ELF", data: []byte("#!/bin/sh\n"), platform: amd64, wantErr: "not an ELF file"},
		{name: "arm64 binary in the amd64 image", data: elfHeader(t, elf.ELFCLASS64, elf.EM_AARCH64), platform: amd64, wantErr: "want ET_EXEC ELFCLASS64 EM_X86_64"},
		{name: "64-bit binary in the arm image", data: elfHeader(t, elf.ELFCLASS64, elf.EM_ARM), platform: arm, wantErr: "want ET_EXEC ELFCLASS32 EM_ARM"},
		{name: "right machine, not Go", data: elfHeader(t, elf.ELFCLASS32, elf.EM_ARM), platform: arm, wantErr: "no Go build information"},
		{name: "unknown architecture", data: elfHeader(t, elf.ELFCLASS64, elf.EM_RISCV), platform: v1.Platform{OS: "linux", Architecture: "riscv64"}, wantErr: "no ELF machine known for linux/riscv64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckBinary(tt.data, tt.platform)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in      string
		want    v1.Platform
		wantErr string
	}{
		{in: "linux/amd64", want: v1.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm/v7", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{in: "linux/arm64/v8", want: v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{in: "linux/arm", wantErr: "arm needs a variant"},
		{in: "linux/arm/v5", wantErr: "not supported"},
		{in: "windows/amd64", wantErr: "only linux images"},
		{in: "linux", wantErr: "want os/arch"},
		{in: "linux/amd64/v1/x", wantErr: "want os/arch"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePlatform(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equals(tt.want) {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}

func TestCertificates(t *testing.T) {
	roots := MozillaRoots()
	n, err := CheckCertificates("mozilla", roots)
	if err != nil || n < 100 {
		t.Fatalf("Mozilla roots: %d, %v", n, err)
	}
	if !bytes.Equal(roots, MozillaRoots()) {
		t.Error("MozillaRoots is not stable")
	}
	first, _, _ := bytes.Cut(roots, []byte("-----END CERTIFICATE-----\n"))
	one := append(first, "-----END CERTIFICATE-----\n"...)
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "empty", data: nil, wantErr: "f.pem: no PEM certificates"},
		{name: "private key", data: []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), wantErr: `PEM block 1 is a "PRIVATE KEY"`},
		{name: "garbage certificate", data: append(slices.Clone(one), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"...), wantErr: "PEM block 2"},
		{name: "trailing junk", data: append(slices.Clone(one), "junk"...), wantErr: "4 bytes after certificate 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CheckCertificates("f.pem", tt.data); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}
