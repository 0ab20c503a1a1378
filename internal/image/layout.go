package image

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotations on the layout's index.json entry that name the image for
// runtimes importing the layout or its tarball: containerd (ctr import, k3s,
// kind load image-archive) and Docker read the full name, OCI tools the tag.
const (
	AnnotationImageName = "io.containerd.image.name"
	AnnotationRefName   = "org.opencontainers.image.ref.name"
)

// WriteLayout writes idx as an OCI image layout into dir, which must not
// exist or be empty, and names it ref.
func WriteLayout(dir string, idx v1.ImageIndex, ref name.Tag) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("OCI layout %s: directory is not empty", dir)
	}
	top := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	top = mutate.AppendManifests(top, mutate.IndexAddendum{
		Add: idx,
		Descriptor: v1.Descriptor{Annotations: map[string]string{
			AnnotationImageName: ref.Name(),
			AnnotationRefName:   ref.TagStr(),
		}},
	})
	if _, err := layout.Write(dir, top); err != nil {
		return fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	return nil
}

// ReadLayout returns the image index stored by WriteLayout in dir and its name.
func ReadLayout(dir string) (v1.ImageIndex, name.Tag, error) {
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, name.Tag{}, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	m, err := top.IndexManifest()
	if err != nil {
		return nil, name.Tag{}, fmt.Errorf("OCI layout %s: index.json: %w", dir, err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].MediaType != types.OCIImageIndex {
		return nil, name.Tag{}, fmt.Errorf("OCI layout %s: index.json must list exactly one image index, found %d entries", dir, len(m.Manifests))
	}
	d := m.Manifests[0]
	ref, err := name.NewTag(d.Annotations[AnnotationImageName])
	if err != nil {
		return nil, name.Tag{}, fmt.Errorf("OCI layout %s: annotation %s: %w", dir, AnnotationImageName, err)
	}
	idx, err := top.ImageIndex(d.Digest)
	if err != nil {
		return nil, name.Tag{}, fmt.Errorf("OCI layout %s: %w", dir, err)
	}
	return idx, ref, nil
}

// WriteArchive writes the OCI layout in dir as a tar stream (an
// "oci-archive"): entries in lexical order, owned by root, mode 0755 for
// directories and 0644 for files, all with mtime, so equal layouts give
// equal archives.
func WriteArchive(w io.Writer, dir string, mtime time.Time) error {
	tw := tar.NewWriter(w)
	mtime = mtime.UTC().Truncate(time.Second)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: mtime, Format: tar.FormatUSTAR}
		var data []byte
		switch {
		case d.IsDir():
			h.Typeflag, h.Mode, h.Name = tar.TypeDir, 0o755, h.Name+"/"
		case d.Type().IsRegular():
			if data, err = os.ReadFile(p); err != nil {
				return err
			}
			h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, int64(len(data))
		default:
			return fmt.Errorf("%s: not a regular file or directory", p)
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("archive of %s: %w", dir, err)
	}
	return tw.Close()
}
