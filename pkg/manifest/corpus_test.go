package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// corpusDir finds shared/corpus beside the repository root by walking up
// from the package directory. It skips the test when there is none.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, c := range []string{
			filepath.Join(dir, "shared", "corpus"),
			filepath.Join(dir, "..", "shared", "corpus"),
		} {
			if st, err := os.Stat(c); err == nil && st.IsDir() {
				return filepath.Clean(c)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/corpus not found")
		}
		dir = parent
	}
}

// corpusFiles lists the .yaml and .yml files of the corpus.
func corpusFiles(t testing.TB) []string {
	root := corpusDir(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// normalize turns every number into a float64, for comparisons with
// decoders that have another number policy.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normalize(e)
		}
		return s
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// referenceDecode decodes a source the way Kubernetes tooling does: the
// apimachinery YAML reader splits it, sigs.k8s.io/yaml decodes each piece.
func referenceDecode(data []byte) ([]any, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []any
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			return out, err
		}
		if v == nil {
			continue
		}
		out = append(out, expandReference(v)...)
	}
}

func expandReference(v any) []any {
	m, ok := v.(map[string]any)
	if !ok {
		return []any{v}
	}
	items, isList, err := listItems(m)
	if err != nil || !isList {
		return []any{v}
	}
	var out []any
	for _, it := range items {
		out = append(out, expandReference(it)...)
	}
	return out
}

func TestCorpusMatchesSigsYAML(t *testing.T) {
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("no corpus files")
	}
	var docs, both, compared int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, refErr := referenceDecode(data)
		got, err := Decode(f, data)
		if refErr != nil || err != nil {
			if (refErr == nil) != (err == nil) {
				t.Errorf("%s: reference error %v, our error %v", f, refErr, err)
			} else {
				both++
			}
			continue
		}
		compared++
		if len(got) != len(want) {
			t.Errorf("%s: %d documents, reference has %d", f, len(got), len(want))
			continue
		}
		for i := range got {
			docs++
			if g, w := normalize(got[i].Object), normalize(want[i]); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: document %d differs (got vs want): %s", f, i, firstDiff("", g, w))
			}
		}
	}
	t.Logf("%d files: %d compared (%d documents), %d rejected by both", len(files), compared, docs, both)
}

// TestCorpusLines checks that each document's Line points at the start of
// its object: the first content line after its separator.
func TestCorpusLines(t *testing.T) {
	for _, f := range corpusFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := Decode(f, data)
		if err != nil {
			continue
		}
		lines := strings.Split(string(data), "\n")
		for _, d := range docs {
			if d.Line < 1 || d.Line > len(lines) {
				t.Errorf("%s: document %d: line %d out of range", f, d.Index, d.Line)
				continue
			}
			l := strings.TrimSpace(strings.TrimPrefix(lines[d.Line-1], "---"))
			if l == "" || strings.HasPrefix(l, "#") {
				t.Errorf("%s: document %d: line %d is %q", f, d.Index, d.Line, lines[d.Line-1])
			}
		}
	}
}

func errorsAs(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// firstDiff describes the first difference between two decoded values.
func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: %T vs %T", path, a, b)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := firstDiff(path+"."+k, x[k], y[k]); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %#v vs %#v", path, a, b)
		}
		for i := range x {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %#v vs %#v", path, a, b)
	}
	return ""
}
