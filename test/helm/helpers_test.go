package helm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/pkg/manifest"
)

// root is the repository root, relative to this package.
const root = "../.."

func chartDir(name string) string { return filepath.Join(root, "charts", name) }

// tools returns the helm and kanon binaries, or skips the test when the
// environment does not provide them (make test-charts does).
func tools(t *testing.T) (helm, kanon string) {
	t.Helper()
	helm, kanon = os.Getenv("KANON_HELM"), os.Getenv("KANON_BIN")
	if helm == "" || kanon == "" {
		t.Skip("KANON_HELM and KANON_BIN are not set; run make test-charts")
	}
	for _, p := range []string{helm, kanon} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%v", err)
		}
	}
	return helm, kanon
}

// run runs a command and returns its combined output and exit code.
func run(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out.String(), 0
}

// template renders a chart with helm template and returns the output.
func template(t *testing.T, helm, chart string, args ...string) (string, error) {
	t.Helper()
	full := append([]string{"template", "kanon", chartDir(chart), "--namespace", "kanon"}, args...)
	out, code := run(t, helm, full...)
	if code != 0 {
		return out, fmt.Errorf("helm %s: exit %d:\n%s", strings.Join(full, " "), code, out)
	}
	return out, nil
}

// decode splits rendered output into objects.
func decode(t *testing.T, rendered string) []map[string]any {
	t.Helper()
	docs, err := manifest.Decode("rendered", []byte(rendered))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(docs))
	for i, d := range docs {
		out[i] = d.Object
	}
	return out
}

// get walks a path of map keys and list indexes through a decoded object.
func get(obj any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := obj.(map[string]any)
			if !ok {
				return nil
			}
			obj = m[k]
		case int:
			l, ok := obj.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			obj = l[k]
		}
	}
	return obj
}

func str(obj any, path ...any) string {
	s, _ := get(obj, path...).(string)
	return s
}

// find returns the objects of a kind, by name.
func find(docs []map[string]any, kind string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, d := range docs {
		if d["kind"] == kind {
			out[str(d, "metadata", "name")] = d
		}
	}
	return out
}

// one returns the only object of a kind, failing the test otherwise.
func one(t *testing.T, docs []map[string]any, kind string) map[string]any {
	t.Helper()
	all := find(docs, kind)
	if len(all) != 1 {
		t.Fatalf("want one %s, got %d", kind, len(all))
	}
	for _, d := range all {
		return d
	}
	return nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
