package jsonvalue

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kanon-policy/kanon/pkg/manifest"
)

// reviewJSON is an AdmissionReview of a Pod (about 5 KB) as the API server
// sends it: compact JSON.
func reviewJSON(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "admission-review-pod.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// podJSON is the Pod of reviewJSON on its own, indented.
func podJSON(tb testing.TB) []byte {
	tb.Helper()
	var review struct {
		Request struct {
			Object json.RawMessage `json:"object"`
		} `json:"request"`
	}
	if err := json.Unmarshal(reviewJSON(tb), &review); err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, review.Request.Object, "", "  "); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func corpusDir() string {
	if dir := os.Getenv("KANON_CORPUS"); dir != "" {
		return dir
	}
	return filepath.Join("..", "..", "..", "shared", "corpus")
}

// corpusDocuments returns the JSON files of the corpus as they are and
// every document of its YAML files as JSON, compact and indented.
func corpusDocuments(tb testing.TB) map[string][]byte {
	tb.Helper()
	docs := map[string][]byte{}
	root := corpusDir()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		name, _ := filepath.Rel(root, path)
		switch filepath.Ext(path) {
		case ".json":
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			docs[name] = data
		case ".yaml", ".yml":
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			decoded, err := manifest.Decode(name, data)
			if err != nil {
				return nil // the corpus holds deliberately broken files
			}
			for i, d := range decoded {
				compact, err := json.Marshal(d.Object)
				if err != nil {
					return err
				}
				docs[name+"#"+strconv.Itoa(i)] = compact
				var indented bytes.Buffer
				_ = json.Indent(&indented, compact, "", "\t")
				docs[name+"#"+strconv.Itoa(i)+" indented"] = indented.Bytes()
			}
		}
		return nil
	})
	if err != nil {
		tb.Skipf("corpus under %s: %v", root, err)
	}
	return docs
}

// TestDocuments compares Decode with encoding/json on real-looking
// documents: the AdmissionReview and Pod of testdata, and the corpus.
func TestDocuments(t *testing.T) {
	docs := map[string][]byte{
		"admission review":          reviewJSON(t),
		"pod":                       podJSON(t),
		"admission review indented": func() []byte { d, _ := os.ReadFile(filepath.Join("testdata", "admission-review-pod.json")); return d }(),
	}
	for name, data := range docs {
		t.Run(name, func(t *testing.T) { agree(t, data) })
	}
	corpus := corpusDocuments(t)
	if len(corpus) < 100 {
		t.Skipf("found %d documents under %s", len(corpus), corpusDir())
	}
	for name, data := range corpus {
		t.Run(name, func(t *testing.T) { agree(t, data) })
	}
	t.Logf("%d corpus documents", len(corpus))
}
