package manifest

import (
	"fmt"
	"os"
	"reflect"
	"testing"
)

// decodeBothWays decodes data with and without the fast paths.
func decodeBothWays(data []byte) (fast, slow []Document, fastErr, slowErr error) {
	fast, fastErr = Decode("f", data)
	fastPaths = false
	defer func() { fastPaths = true }()
	slow, slowErr = Decode("f", data)
	return
}

// checkFastPath fails if a fast path decodes a chunk of data differently
// from the general parser. It returns how many chunks took a fast path.
func checkFastPath(t testing.TB, data []byte) int {
	t.Helper()
	hits := 0
	for _, ch := range splitDocuments(data) {
		v, line, items, ok := fastDecode(ch, nil)
		if !ok {
			continue
		}
		hits++
		d := decoder{source: "f"}
		fastPaths = false
		d.chunk(ch)
		fastPaths = true
		f := decoder{source: "f"}
		f.add(v, line, items)
		if fe, de := fmt.Sprint(f.errs), fmt.Sprint(d.errs); fe != de {
			t.Fatalf("fast path errors %s, parser errors %s:\n%q", fe, de, ch.data)
		}
		if !reflect.DeepEqual(f.docs, d.docs) {
			if len(f.docs) == len(d.docs) {
				for i := range f.docs {
					if f.docs[i].Line != d.docs[i].Line {
						t.Fatalf("document %d: fast line %d, parser line %d:\n%q", i, f.docs[i].Line, d.docs[i].Line, ch.data)
					}
					if diff := firstDiff("", f.docs[i].Object, d.docs[i].Object); diff != "" {
						t.Fatalf("fast path differs (fast vs parser) %s:\n%q", diff, ch.data)
					}
				}
			}
			t.Fatalf("fast path differs:\n fast %#v\n parser %#v\n%q", f.docs, d.docs, ch.data)
		}
	}
	return hits
}

func TestFastPathMatchesParserOnCorpus(t *testing.T) {
	var chunks, hits int
	for _, f := range corpusFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		chunks += len(splitDocuments(data))
		hits += checkFastPath(t, data)
	}
	t.Logf("fast path took %d of %d documents", hits, chunks)
}

func TestFastPathCases(t *testing.T) {
	cases := []string{
		"a: 1\nb: two\nc:\n  d: [x, 'y', \"z\", 1, 2.5, true, null]\n  e: []\n  f: {}\n",
		"a:\n- x\n- y: 1\n  z: 2\n-\n  w: 3\n- - n\n  - m\n-\n- |\n  lit\nb: c\n",
		"a: |\n  one\n\n  two\n\n\nb: >\n  f1\n  f2\n\n  f3\nc: |-\n  s\nd: |+\n  k\n\ne: >-\n\n  lead\n  x\n",
		"a: |\n    deeper\n  # not a comment? no: less indented ends it\nb: 1\n",
		"a: |\n  x\n   \n  y\n",
		"a: 'it''s' # c\nb: \"q\\\"\\n\\t\\u00e9\\x41\\U0001F600\" #c\n\"c d\": 1\n'e': 2\n",
		"y: yes\nn: no\non: 1\n1: a\n1.5: b\n~x: 3\nnull_: 4\n",
		"items:\n- kind: A\n-\n  kind: B\n- kind: C\nkind: List\napiVersion: v1\n",
		"  a: 1\n  b:\n    c: 2\n",
		"a: -1\nb: -x\nc: x:y\nd: a#b\ne: 'a' \nf: http://x.y/z\n",
		"a: [\"CREATE\", \"UPDATE\"]\nb: [ a , b ]\nc: [32,94]\n",
		`{"apiVersion": "v1", "kind": "List", "items": [{"a": 1}, {"b": [1, 2.5, -3e2, true, false, null, "s\u00e9\n"]}]}`,
		"---\n{\n  \"a\": {\"b\": []},\n  \"c\": \"\\\\\"\n}\n",
		"# c\n---\na: 1\n",
		"a: 1 # comment: with colon\nb: text with 'quotes' and \"dq\"\n",
		"key with spaces: v\nk2 :   v2\n",
	}
	for _, c := range cases {
		if checkFastPath(t, []byte(c)) == 0 && c != "# c\n---\na: 1\n" {
			t.Errorf("fast path not taken for %q", c)
		}
	}
}
