package helm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestChartCRDs checks that charts/kanon/files/crds holds exactly the CRD
// files of config/crds (make chart-crds copies them).
func TestChartCRDs(t *testing.T) {
	src, err := filepath.Glob(filepath.Join(root, "config", "crds", "*.yaml"))
	if err != nil || len(src) == 0 {
		t.Fatalf("no CRDs in config/crds: %v", err)
	}
	dst, err := filepath.Glob(filepath.Join(chartDir("kanon"), "files", "crds", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, p := range src {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want[filepath.Base(p)] = b
	}
	for _, p := range dst {
		name := filepath.Base(p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("charts/kanon/files/crds/%s is not in config/crds; run make chart-crds", name)
		case !bytes.Equal(b, w):
			t.Errorf("charts/kanon/files/crds/%s differs from config/crds/%s; run make chart-crds", name, name)
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("config/crds/%s is missing from charts/kanon/files/crds; run make chart-crds", name)
	}
}
