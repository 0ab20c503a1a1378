// Command image builds and pushes Kanon's multi-platform container image
// without Docker (see docs/image.md). `make image` and `make image-push` run
// it:
//
//	go run ./hack/image build --version v0.1.0 --commit <sha> --epoch <unix> [--out dist]
//	go run ./hack/image push [--layout dist/oci] --repository host/repo [--insecure]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/kanon-policy/kanon/internal/image"
)

const usage = `usage:
  image build --version V --commit SHA --epoch UNIX [--out DIR] [--repository REPO] [--tag TAG]
              [--platforms linux/amd64,...] [--ca-certs FILE] [--license SPDX]
  image push  --repository REPO [--tag TAG] [--layout DIR] [--insecure]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = build(ctx, os.Args[2:])
	case "push":
		err = push(ctx, os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

type buildFlags struct {
	out, repository, tag, version, commit, platforms, caCerts, license, source string
	epoch                                                                      int64
}

func build(ctx context.Context, args []string) error {
	f := buildFlags{}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.StringVar(&f.out, "out", "dist", "output directory")
	fs.StringVar(&f.repository, "repository", "ghcr.io/kanon-policy/kanon", "image repository the layout and tarball are named after")
	fs.StringVar(&f.tag, "tag", "", "image tag (default: --version)")
	fs.StringVar(&f.version, "version", "", "version to stamp and label (git describe)")
	fs.StringVar(&f.commit, "commit", "", "full commit to stamp and label")
	fs.Int64Var(&f.epoch, "epoch", -1, "build time as Unix seconds: SOURCE_DATE_EPOCH or the commit time")
	fs.StringVar(&f.platforms, "platforms", "linux/amd64,linux/arm64,linux/arm/v7", "comma-separated platforms")
	fs.StringVar(&f.caCerts, "ca-certs", "", "PEM bundle for /etc/ssl/certs (default: Mozilla's roots from golang.org/x/crypto/x509roots/fallback)")
	fs.StringVar(&f.license, "license", "Apache-2.0", "SPDX licence expression for the licenses label")
	fs.StringVar(&f.source, "source", "https://github.com/kanon-policy/kanon", "source repository URL label")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.version == "" || f.commit == "" || f.epoch < 0 {
		return fmt.Errorf("build needs --version, --commit and --epoch (make image sets them)")
	}
	if f.tag == "" {
		f.tag = f.version
	}
	ref, err := name.NewTag(f.repository + ":" + f.tag)
	if err != nil {
		return fmt.Errorf("--repository %q --tag %q: %w", f.repository, f.tag, err)
	}
	var platforms []v1.Platform
	for _, s := range strings.Split(f.platforms, ",") {
		p, err := image.ParsePlatform(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		platforms = append(platforms, p)
	}
	certs, certsFrom, err := caCertificates(f.caCerts)
	if err != nil {
		return err
	}
	created := time.Unix(f.epoch, 0).UTC()
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	clean := treeClean(root)
	start := time.Now()
	bins, err := image.Compile(ctx, image.CompileOptions{
		Dir: root, Package: "./cmd/kanon", OutDir: filepath.Join(f.out, "bin"), Platforms: platforms,
		Version: f.version, Commit: f.commit, Date: created.Format(time.RFC3339),
		Reuse: clean,
	})
	if err != nil {
		return err
	}
	compiled := time.Since(start)
	idx, err := image.Assemble(image.Options{
		Binaries: bins, CACertificates: certs, Created: created,
		Version: f.version, Revision: f.commit, Source: f.source, Licenses: f.license,
	})
	if err != nil {
		return err
	}
	summaries, err := image.Check(idx, platforms)
	if err != nil {
		return fmt.Errorf("built image fails its checks: %w", err)
	}
	layoutDir := filepath.Join(f.out, "oci")
	if err := os.RemoveAll(layoutDir); err != nil {
		return err
	}
	if err := image.WriteLayout(layoutDir, idx, ref); err != nil {
		return err
	}
	archive := filepath.Join(f.out, "kanon-image.tar")
	if err := writeArchive(archive, layoutDir, created); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(f.out, "kanon-image.digest"), []byte(digest.String()+"\n"), 0o644); err != nil {
		return err
	}
	reuse := "rebuilt (source tree has changes)"
	if clean {
		reuse = "reused when the commit is unchanged"
	}
	fmt.Printf("binaries   %s, %s in %s\n", f.version, reuse, compiled.Round(100*time.Millisecond))
	fmt.Printf("ca-certs   %s\n", certsFrom)
	for _, s := range summaries {
		fmt.Printf("%-12s %s  layer %s  binary %s\n", s.Platform, s.Manifest, mib(s.LayerSize), mib(s.BinarySize))
	}
	fmt.Printf("image      %s@%s\n", ref, digest)
	fmt.Printf("written    %s/ (OCI layout), %s, %s/kanon-image.digest in %s\n", layoutDir, archive, f.out, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// caCertificates returns the bundle for the image and where it came from.
func caCertificates(file string) ([]byte, string, error) {
	if file == "" {
		certs := image.MozillaRoots()
		n, err := image.CheckCertificates("x509roots/fallback", certs)
		return certs, fmt.Sprintf("%d Mozilla roots from golang.org/x/crypto/x509roots/fallback", n), err
	}
	certs, err := os.ReadFile(file)
	if err != nil {
		return nil, "", fmt.Errorf("--ca-certs: %w", err)
	}
	n, err := image.CheckCertificates(file, certs)
	return certs, fmt.Sprintf("%d certificates from %s", n, file), err
}

func writeArchive(path, layoutDir string, mtime time.Time) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := image.WriteArchive(out, layoutDir, mtime); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// treeClean reports whether the git checkout at dir has no changes, untracked
// files included: only then does its commit describe the sources.
func treeClean(dir string) bool {
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=normal")
	cmd.Dir = dir
	out, err := cmd.Output()
	return err == nil && len(strings.TrimSpace(string(out))) == 0
}

func push(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("push", flag.ContinueOnError)
	layoutDir := fs.String("layout", "dist/oci", "OCI layout written by build")
	repository := fs.String("repository", "", "registry/repository to push to, e.g. localhost:5000/kanon")
	tag := fs.String("tag", "", "tag (default: the layout's tag)")
	insecure := fs.Bool("insecure", false, "allow plain HTTP and unverified TLS (local registries)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *repository == "" {
		return fmt.Errorf("push needs --repository (make image-push REGISTRY=host/repo)")
	}
	idx, ref, err := image.ReadLayout(*layoutDir)
	if err != nil {
		return err
	}
	if *tag == "" {
		*tag = ref.TagStr()
	}
	pushed, err := image.Push(ctx, idx, *repository+":"+*tag, image.PushOptions{Insecure: *insecure})
	if err != nil {
		return err
	}
	fmt.Printf("pushed     %s:%s\n           %s\n", *repository, *tag, pushed)
	return nil
}

func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }
