package image

import (
	"archive/tar"
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Summary describes one platform's image in a checked index.
type Summary struct {
	Platform string
	Manifest v1.Hash
	// LayerSize is the compressed size of the image's layer, BinarySize the
	// size of the kanon binary in it.
	LayerSize  int64
	BinarySize int64
}

// Check verifies that idx is a Kanon image index for exactly the platforms
// want, in order: OCI media types, each image's platform, entrypoint,
// non-root numeric user and labels, its CA bundle, and that its kanon binary
// is a static executable for that platform (see CheckBinary).
func Check(idx v1.ImageIndex, want []v1.Platform) ([]Summary, error) {
	mt, err := idx.MediaType()
	if err != nil {
		return nil, err
	}
	if mt != types.OCIImageIndex {
		return nil, fmt.Errorf("index media type %s, want %s", mt, types.OCIImageIndex)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(m.Manifests) != len(want) {
		return nil, fmt.Errorf("index lists %d images, want %d", len(m.Manifests), len(want))
	}
	var out []Summary
	for i, d := range m.Manifests {
		p := want[i]
		if d.Platform == nil || !d.Platform.Equals(p) {
			return nil, fmt.Errorf("index entry %d: platform %v, want %s", i, d.Platform, PlatformString(p))
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", PlatformString(p), err)
		}
		s, err := checkImage(img, p)
		if err != nil {
			return nil, fmt.Errorf("%s image %s: %w", PlatformString(p), d.Digest, err)
		}
		s.Manifest = d.Digest
		out = append(out, s)
	}
	return out, nil
}

func checkImage(img v1.Image, p v1.Platform) (Summary, error) {
	s := Summary{Platform: PlatformString(p)}
	mt, err := img.MediaType()
	if err != nil {
		return s, err
	}
	if mt != types.OCIManifestSchema1 {
		return s, fmt.Errorf("manifest media type %s, want %s", mt, types.OCIManifestSchema1)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return s, err
	}
	if got := cf.Platform(); got == nil || !got.Equals(p) {
		return s, fmt.Errorf("config platform %v", got)
	}
	if !slices.Equal(cf.Config.Entrypoint, Entrypoint) {
		return s, fmt.Errorf("entrypoint %q, want %q", cf.Config.Entrypoint, Entrypoint)
	}
	uid, _, _ := strings.Cut(cf.Config.User, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		return s, fmt.Errorf("user %q: want a numeric non-root uid", cf.Config.User)
	}
	for _, l := range []string{LabelSource, LabelVersion, LabelRevision, LabelCreated} {
		if cf.Config.Labels[l] == "" {
			return s, fmt.Errorf("label %s missing", l)
		}
	}
	layers, err := img.Layers()
	if err != nil {
		return s, err
	}
	if len(layers) != 1 {
		return s, fmt.Errorf("%d layers, want 1", len(layers))
	}
	if s.LayerSize, err = layers[0].Size(); err != nil {
		return s, err
	}
	files, err := readFiles(layers[0], BinaryPath[1:], CACertificatesPath[1:])
	if err != nil {
		return s, err
	}
	bin := files[BinaryPath[1:]]
	s.BinarySize = int64(len(bin))
	if err := CheckBinary(bin, p); err != nil {
		return s, fmt.Errorf("%s: %w", BinaryPath, err)
	}
	if _, err := CheckCertificates(CACertificatesPath, files[CACertificatesPath[1:]]); err != nil {
		return s, err
	}
	return s, nil
}

// readFiles returns the named regular files of a layer; each must be there.
func readFiles(l v1.Layer, names ...string) (map[string][]byte, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
		if h.Typeflag == tar.TypeReg && slices.Contains(names, h.Name) {
			if files[h.Name], err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("layer %s: %w", h.Name, err)
			}
		}
	}
	for _, n := range names {
		if _, ok := files[n]; !ok {
			return nil, fmt.Errorf("layer has no file /%s", n)
		}
	}
	return files, nil
}

var elfMachines = map[string]struct {
	machine elf.Machine
	class   elf.Class
}{
	"amd64": {elf.EM_X86_64, elf.ELFCLASS64},
	"arm64": {elf.EM_AARCH64, elf.ELFCLASS64},
	"arm":   {elf.EM_ARM, elf.ELFCLASS32},
}

// CheckBinary verifies that data is a static Linux executable for p: the ELF
// machine and class, no program interpreter or shared libraries, and a Go
// build for p's GOOS/GOARCH/GOARM with cgo off and -trimpath. (-trimpath
// keeps -ldflags out of the build information, so the version stamp is not
// visible there.)
func CheckBinary(data []byte, p v1.Platform) error {
	want, ok := elfMachines[p.Architecture]
	if !ok {
		return fmt.Errorf("no ELF machine known for %s", PlatformString(p))
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not an ELF file: %w", err)
	}
	defer f.Close()
	if f.Machine != want.machine || f.Class != want.class || f.Type != elf.ET_EXEC {
		return fmt.Errorf("ELF %s %s %s, want %s %s %s", f.Type, f.Class, f.Machine, elf.ET_EXEC, want.class, want.machine)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("dynamically linked (has a program interpreter)")
		}
	}
	bi, err := buildinfo.Read(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("no Go build information: %w", err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	wantSettings := map[string]string{"GOOS": p.OS, "GOARCH": p.Architecture, "CGO_ENABLED": "0", "-trimpath": "true"}
	if p.Architecture == "arm" {
		wantSettings["GOARM"] = strings.TrimPrefix(p.Variant, "v")
	}
	for k, v := range wantSettings {
		if settings[k] != v {
			return fmt.Errorf("built with %s=%q, want %q", k, settings[k], v)
		}
	}
	return nil
}
