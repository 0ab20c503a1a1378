package image

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestImageEndToEnd cross-compiles kanon for every platform twice, checks
// the two index digests are equal, pushes the index to an in-memory registry,
// pulls it back and checks it: platforms, entrypoint, user, and each image's
// binary (ELF machine, static, Go build settings). With KANON_IMAGE_LAYOUT
// it also checks the layout `make image` wrote. Slow (minutes on a cold
// build cache), so it only runs with KANON_TEST_IMAGE=1: `make test-image`.
func TestImageEndToEnd(t *testing.T) {
	if os.Getenv("KANON_TEST_IMAGE") == "" {
		t.Skip("set KANON_TEST_IMAGE=1 (make test-image): cross-compiles kanon for three platforms, twice")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	const commit = "0123456789abcdef0123456789abcdef01234567"
	build := func() ([]Binary, v1.ImageIndex) {
		start := time.Now()
		bins, err := Compile(t.Context(), CompileOptions{
			Dir: root, Package: "./cmd/kanon", OutDir: t.TempDir(), Platforms: DefaultPlatforms(),
			Version: "v0.0.0-imagetest", Commit: commit, Date: testCreated.Format(time.RFC3339),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("cross-compiled %d platforms in %s", len(bins), time.Since(start).Round(time.Millisecond))
		opts := fakeOptions()
		opts.Binaries = bins
		idx, err := Assemble(opts)
		if err != nil {
			t.Fatal(err)
		}
		return bins, idx
	}
	bins1, first := build()
	bins2, second := build()
	d1, _ := first.Digest()
	d2, _ := second.Digest()
	if d1 != d2 {
		for i := range bins1 {
			if !bytes.Equal(bins1[i].Data, bins2[i].Data) {
				t.Errorf("%s: the two binaries differ (were sources edited during the test?)", PlatformString(bins1[i].Platform))
			}
		}
		t.Fatalf("two builds of the same sources: digests %s and %s", d1, d2)
	}
	t.Logf("both builds: %s", d1)
	for _, b := range bins1 {
		if !bytes.Contains(b.Data, []byte(commit)) || !bytes.Contains(b.Data, []byte("v0.0.0-imagetest")) {
			t.Errorf("%s: version and commit are not stamped into the binary", PlatformString(b.Platform))
		}
	}
	check := func(name string, idx v1.ImageIndex) {
		summaries, err := Check(pushAndPull(t, idx), DefaultPlatforms())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, s := range summaries {
			t.Logf("%s %-12s layer %8d B  binary %8d B", name, s.Platform, s.LayerSize, s.BinarySize)
		}
	}
	check("test build", first)
	if dir := os.Getenv("KANON_IMAGE_LAYOUT"); dir != "" {
		idx, ref, err := ReadLayout(dir)
		if err != nil {
			t.Fatal(err)
		}
		check(ref.String(), idx)
	}
}
