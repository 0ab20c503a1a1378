package test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"github.com/kanon-policy/kanon/pkg/manifest"
	"sigs.k8s.io/yaml"
)

// expectedFiles loads and caches the expected resource files of a test
// (patchedResources, generatedResource).
type expectedFiles struct {
	dir   string
	cache map[string][]manifest.Document
}

func (e *expectedFiles) load(name string) ([]manifest.Document, error) {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(e.dir, name)
	}
	if docs, ok := e.cache[path]; ok {
		return docs, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		return nil, err
	}
	if e.cache == nil {
		e.cache = map[string][]manifest.Document{}
	}
	e.cache[path] = docs
	return docs, nil
}

// errNotInManifest is returned when the expected file holds no object with
// the actual object's identity.
type errNotInManifest struct{ name string }

func (e errNotInManifest) Error() string {
	return fmt.Sprintf("resource with name %s not found in manifest", e.name)
}

// compareResource compares actual with the object of the same apiVersion,
// kind, namespace and name in the expected file. ok is false with a reason
// (Resource diff / Resource error) and a message when they differ.
func (e *expectedFiles) compareResource(file, what string, actual map[string]any) (ok bool, reason, message string, err error) {
	docs, err := e.load(file)
	if err != nil {
		return false, report.ReasonResourceError, fmt.Sprintf("error: failed to load %s resource (%v)", what, err), nil
	}
	am := processor.ResourceMeta(actual)
	var expected map[string]any
	for _, d := range docs {
		m := processor.ResourceMeta(d.Object)
		if m.APIVersion == am.APIVersion && m.Kind == am.Kind && m.Name == am.Name && sameNamespace(m.Namespace, am.Namespace) {
			expected = d.Object
			break
		}
	}
	if expected == nil {
		return false, report.ReasonResourceError, "", errNotInManifest{name: am.Name}
	}
	want, got := tidy(fixLabels(jmespath.Normalize(expected))), tidy(fixLabels(jmespath.Normalize(actual)))
	if want, ok := want.(map[string]any); ok {
		if meta, ok := want["metadata"].(map[string]any); ok {
			if _, has := meta["namespace"]; !has {
				// The expected file may leave the namespace out.
				if gm, ok := got.(map[string]any)["metadata"].(map[string]any); ok {
					delete(gm, "namespace")
				}
			}
		}
	}
	if reflect.DeepEqual(want, got) {
		return true, report.ReasonOk, "", nil
	}
	word := "patched"
	if what == "GeneratedResource" {
		word = "generated"
	}
	return false, report.ReasonResourceDiff, fmt.Sprintf("Patched resource didn't match the %s resource in the test result\n\n%s", word, lineDiff(toYAML(want), toYAML(got))), nil
}

func sameNamespace(a, b string) bool {
	norm := func(s string) string {
		if s == "" {
			return "default"
		}
		return s
	}
	return a == b || norm(a) == norm(b)
}

// fixLabels removes generate.kyverno.io/* labels, which depend on the run.
func fixLabels(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	meta, ok := m["metadata"].(map[string]any)
	if !ok {
		return v
	}
	labels, ok := meta["labels"].(map[string]any)
	if !ok {
		return v
	}
	for k := range labels {
		if strings.HasPrefix(k, "generate.kyverno.io/") {
			delete(labels, k)
		}
	}
	return v
}

// tidy returns a deep copy without null values and empty maps or lists, so
// that "key: {}" and a missing key compare equal, as in Kyverno.
func tidy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			e = tidy(e)
			if e == nil {
				continue
			}
			out[k] = e
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(t) == 0 {
			return nil
		}
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = tidy(e)
		}
		return out
	}
	return v
}

func toYAML(v any) []string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return []string{fmt.Sprint(v)}
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// lineDiff renders a unified-style diff of two line lists: "- " lines are
// only in expected, "+ " lines only in actual.
func lineDiff(want, got []string) string {
	n, m := len(want), len(got)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	b.WriteString("--- expected\n+++ actual\n")
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			b.WriteString("  " + want[i] + "\n")
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			b.WriteString("+ " + got[j] + "\n")
			j++
		default:
			b.WriteString("- " + want[i] + "\n")
			i++
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
