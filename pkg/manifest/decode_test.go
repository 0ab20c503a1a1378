package manifest

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

func decodeOne(t *testing.T, src string) map[string]any {
	t.Helper()
	docs, err := Decode("t.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Decode(%q): %v", src, err)
	}
	if len(docs) != 1 {
		t.Fatalf("Decode(%q): %d documents, want 1", src, len(docs))
	}
	return docs[0].Object
}

// TestMatchesSigsYAML compares single documents with sigs.k8s.io/yaml,
// the decoder of kubectl and Kyverno.
func TestMatchesSigsYAML(t *testing.T) {
	cases := []string{
		// YAML 1.1 booleans and nulls.
		"a: [y, Y, yes, Yes, YES, n, N, no, No, NO, on, On, ON, off, Off, OFF, true, True, TRUE, false, False, FALSE]",
		"a: [yEs, oN, tRUE, nO]",
		"a: [~, null, Null, NULL, nULL, '', \"\"]\nb:\nc: ~",
		// Integers.
		"a: [0, -0, +1, 1_000, 0x1F, 0X1f, 0o17, 017, 08, 09.5, 0b101, -0b101, 9223372036854775807, 9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]",
		// Floats.
		"a: [1.0, 1., .5, -.5, +.5, 1e3, 1E3, 1e+3, 1.5e-3, 6.8523015e+5, 685.230_15e+03, 685_230.15, .5e3, ._5, 1e400, .1e400, 0.1, -0.0]",
		"a: [1.2.3, 1e, e3, 1_, _1, 0x, 0b2, 1__0, +, -, ., .., '1']",
		// Timestamps and dates stay strings.
		"a: [2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2002-12-14, 2002-1-2, 1999-99-99]",
		// Strings that look special to other YAML versions.
		"a: [0o, 1:2, 12:30:45, 190:20:30, '012', \"0x1F\", Norway, NO_, .NaNa, .infinity, inf, nan]",
		// Non-string keys become strings.
		"1: a\n-2: b\n1.5: c\n1e3: d\ntrue: e\nno: f\non: g\n0x10: h\n.inf: i\n-.inf: j\n.nan: k\n3.14159265358979: l\n2001-01-01: m\n1e20: n",
		// Explicit tags.
		"a: !!str 123\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ''\nf: !!binary aGVsbG8=\ng: !custom text\nh: !!timestamp 2001-01-01\ni: !!str yes\nj: !!float '1.5'\nk: !<tag:yaml.org,2002:int> '7'\nl: !!binary /w==",
		"a: !!map {b: 1}\nb: !!seq [1]\nc: !foo {x: y}\nd: !!str\ne: !!binary |\n  aGVs\n  bG8=\n",
		// Block scalars.
		"a: |\n  one\n  two\n\nb: |-\n  x\n\n\nc: |+\n  x\n\n\nd: >\n  folded\n  text\n\n  para\ne: >-\n  a\n    b\n  c\nf: |2\n    indented\n",
		"a: >\n  x\n\n\n  y\n\n",
		"a: |\n  last line without break",
		"a: >-\n  last",
		"a: |+\n  keep",
		// Quoting.
		"a: 'it''s'\nb: \"tab\\tnew\\nline \\u00e9 \\x41 \\/ \\\\ \\\"\"\nc: \"multi\n  line\"\nd: 'multi\n\n  line'\ne: plain\n  continued\n\n  para",
		// Merge keys, in the yaml.v2 order.
		"base: &b {x: 1, y: 2}\nm1:\n  <<: *b\n  y: 3\nm2:\n  y: 3\n  <<: *b\nm3:\n  <<: [*b, {x: 5, z: 6}]\nm4:\n  <<: {q: 1}\n  '<<': literal",
		"a: &a {k: 1}\nb: &b {k: 2, j: 2}\nc:\n  <<: [*a, *b]\nd:\n  <<: [*b, *a]",
		// Anchors and aliases are copied.
		"a: &x [1, {b: 2}]\nb: *x\nc: &s str\nd: *s\n*s : aliased-key",
		// Flow style and JSON.
		"{\"a\": 1, \"b\": [true, null, 1.5, \"s\"], \"c\": {\"d\": -2e3}}",
		"{a: 1, b: [x, y], c: {d: e}, 'f': \"g\", h: }",
		"a: [ ]\nb: { }\nc: []\nd: {}",
		// Duplicate keys: last one wins.
		"a: 1\na: 2",
		// Comments and odd spacing.
		"a: 1 # comment\nb:    two   # c\nc: 'x' #c\nd: x#y\ne: x #y\n# full line\nf:\n  # inside\n  g: 1",
		"a:\n- 1\n- - 2\n  - 3\n- k: v\n  l: w\n-\n- ",
		"? complex\n: value\n? [a, b]\n",
		"a: 'unicode: é ✓ 😀'\nb: \"\\U0001F600\"",
		"a: \"\\N\\_\\L\\P\\e\\a\\b\\v\\f\\0\\ \"",
		"a: 1\r\nb: |\r\n  x\r\n  y\r\n",
		"\xef\xbb\xbfa: 1",
	}
	for _, src := range cases {
		// As kubectl and Kyverno read it: split by the apimachinery
		// reader, each piece decoded by sigs.k8s.io/yaml.
		want, wantErr := referenceDecode([]byte(src))
		docs, err := Decode("t.yaml", []byte(src))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: error %v, sigs.k8s.io/yaml error %v", src, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if len(docs) != 1 || len(want) != 1 {
			t.Errorf("%q: %d documents, reference %d", src, len(docs), len(want))
			continue
		}
		if d := firstDiff("", normalize(docs[0].Object), normalize(want[0])); d != "" {
			t.Errorf("%q: differs from sigs.k8s.io/yaml (ours vs theirs): %s", src, d)
		}
	}
}

// TestErrorsLikeSigsYAML checks that what sigs.k8s.io/yaml rejects is
// rejected here too.
func TestErrorsLikeSigsYAML(t *testing.T) {
	cases := []string{
		"a: .nan", "a: [.inf]", "a: -.Inf",
		"~: x", "null: x", "[a]: x", "{a: b}: x", "? [a]\n: x",
		"18446744073709551615: x",
		"a: !!int x", "a: !!float x", "a: !!bool 1", "a: !!null x", "a: !!int 1.5", "a: !!timestamp x",
		"a: !!binary '*'",
		"a: &x [*x]", "a: &x {b: *x}", "a: &x {<<: *x}",
		"a: *unknown",
		"a:\n  <<: 1", "a:\n  <<: [1]", "b: &s x\na:\n  <<: *s", "a:\n  <<: ~",
		"a: b: c", "a: 'x", "a: \"\\ud83d\\ude00\"", "a:\n\tb: 1", "- a\nb: c",
		"a: \"\\q\"",
	}
	for _, src := range cases {
		var want any
		wantErr := yaml.Unmarshal([]byte(src), &want)
		if wantErr == nil {
			t.Errorf("%q: sigs.k8s.io/yaml accepts it: %v", src, want)
		}
		if _, err := Decode("t.yaml", []byte(src)); err == nil {
			t.Errorf("%q: no error", src)
		} else if _, ok := errorsAs(err); !ok {
			t.Errorf("%q: error %v is not an *Error", src, err)
		}
	}
}

func TestNumberPolicy(t *testing.T) {
	obj := decodeOne(t, "i: 42\nneg: -7\nh: 0x10\nf: 1.5\ng: 1.0\ne: 1e3\nbig: 9223372036854775808\ns: '42'\nj: [1, 2.5]")
	want := map[string]any{
		"i": int64(42), "h": int64(16), "f": 1.5, "g": 1.0, "e": 1000.0,
		"big": 9223372036854775808.0, "s": "42", "j": []any{int64(1), 2.5}, "neg": int64(-7),
	}
	if !reflect.DeepEqual(obj, want) {
		t.Errorf("got %#v\nwant %#v", obj, want)
	}
	// The same through JSON.
	obj = decodeOne(t, `{"i": 42, "f": 1.5, "g": 1.0, "e": 1e3, "big": 9223372036854775808, "s": "42", "j": [1, 2.5], "neg": -7, "h": 16}`)
	if !reflect.DeepEqual(obj, want) {
		t.Errorf("JSON: got %#v\nwant %#v", obj, want)
	}
}

func TestSplitting(t *testing.T) {
	src := strings.Join([]string{
		"# leading comment",    // 1
		"---",                  // 2
		"a: 0",                 // 3
		"--- # with a comment", // 4
		"# only a comment",     // 5
		"---",                  // 6
		"",                     // 7
		"b: 2",                 // 8
		"---",                  // 9
		"---\t",                // 10
		"---   ",               // 11
		"  # indented comment", // 12
		"c: 5",                 // 13
		"f: |",                 // 14
		"  ----",               // 15
		"--- {d: 6}",           // 16
		"...",                  // 17
		"--- !!map",            // 18
		"e: 7",                 // 19
		"---",                  // 20
		"null",                 // 21
		"---",                  // 22
		"~",                    // 23
	}, "\n")
	docs, err := Decode("s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Index, Line int
		Keys        string
	}
	var g []got
	for _, d := range docs {
		var keys []string
		for k := range d.Object {
			keys = append(keys, k)
		}
		g = append(g, got{d.Index, d.Line, strings.Join(keys, ",")})
	}
	want := []got{{0, 3, "a"}, {2, 8, "b"}, {5, 13, "c,f"}, {6, 16, "d"}, {7, 18, "e"}}
	if len(g) == 2 || !reflect.DeepEqual(g[:2], want[:2]) || len(g) != len(want) {
		t.Fatalf("got %+v\nwant %+v", g, want)
	}
	for i := range want {
		if g[i].Index != want[i].Index || g[i].Line != want[i].Line {
			t.Errorf("document %d: got %+v, want %+v", i, g[i], want[i])
		}
	}
	if docs[2].Object["f"] != "----\n" {
		t.Errorf("f = %q", docs[2].Object["f"])
	}
}

func TestDirectives(t *testing.T) {
	// The apimachinery reader cuts "%YAML 1.1" from its document and fails;
	// a directive belongs to the document after it.
	obj := decodeOne(t, "# c\n%YAML 1.1\n---\na: 1\n")
	if obj["a"] != int64(1) {
		t.Errorf("got %v", obj)
	}
}

func TestEmptySources(t *testing.T) {
	for _, src := range []string{"", "\n", "# c\n", "---", "---\n---\n", "--- # c\n# d\n...\n", "null", "~\n---\n"} {
		docs, err := Decode("e.yaml", []byte(src))
		if err != nil || len(docs) != 0 {
			t.Errorf("%q: %v, %v", src, docs, err)
		}
	}
}

func TestErrorLineIsAbsolute(t *testing.T) {
	src := "a: 1\n---\nb: 2\n---\n# third document\nkind: Pod\nmetadata:\n  name: x\n  labels: a: b\n"
	_, err := Decode("policies/x.yaml", []byte(src))
	want := "policies/x.yaml: document 2 (line 6): yaml: line 9: mapping values are not allowed in this context"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	e, ok := errorsAs(err)
	if !ok || e.Source != "policies/x.yaml" || e.Index != 2 || e.Line != 6 {
		t.Errorf("error fields: %+v", e)
	}

	// Another kind of parser error, in the middle of a file.
	src = "a: 1\n---\nb:\n  - x\n c: d\n"
	_, err = Decode("y.yaml", []byte(src))
	// The parser names the line of the mapping it was parsing.
	want = "y.yaml: document 1 (line 3): yaml: line 3: did not find expected key"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}

	// Errors found after parsing carry the line of the node.
	src = "a: 1\n---\nkind: X\nspec:\n  v: .nan\n"
	_, err = Decode("z.yaml", []byte(src))
	want = "z.yaml: document 1 (line 3): yaml: line 5: .nan is not a valid JSON number"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestBrokenDocumentsDoNotHideOthers(t *testing.T) {
	src := "a: 1\n---\nb: [\n---\nc: 3\n---\n- not a map\n---\nd: 4\n"
	docs, err := Decode("m.yaml", []byte(src))
	if len(docs) != 3 {
		t.Errorf("got %d documents, want 3", len(docs))
	}
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"m.yaml: document 1 (line 3): yaml: line 4: did not find expected node content",
		"m.yaml: document 3 (line 7): expected a mapping (an object with apiVersion and kind), found a sequence",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestNotAMapping(t *testing.T) {
	for src, want := range map[string]string{
		"---\n- a\n- b\n":  "n.yaml: document 0 (line 2): expected a mapping (an object with apiVersion and kind), found a sequence",
		"a: 1\n---\nhello": "n.yaml: document 1 (line 3): expected a mapping (an object with apiVersion and kind), found the string \"hello\"",
		"42":               "n.yaml: document 0 (line 1): expected a mapping (an object with apiVersion and kind), found the number 42",
		"[1, 2]":           "n.yaml: document 0 (line 1): expected a mapping (an object with apiVersion and kind), found a sequence",
	} {
		_, err := Decode("n.yaml", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", src, err, want)
		}
	}
}

func TestLists(t *testing.T) {
	src := `apiVersion: v1
kind: Namespace
metadata: {name: first}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
- apiVersion: v1
  kind: Pod
  metadata: {name: b}
---
apiVersion: v1
kind: PodList
metadata: {resourceVersion: "1"}
items:

  - apiVersion: v1
    kind: Pod
    metadata: {name: c}
---
apiVersion: apps/v1
kind: DeploymentList
items: []
---
apiVersion: v1
kind: List
---
apiVersion: example.com/v1
kind: AllowList
spec: {}
`
	docs, err := Decode("l.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d:%d:%s", d.Index, d.Line, d.Object["kind"]))
	}
	want := []string{"0:1:Namespace", "1:8:Pod", "1:11:Pod", "2:20:Pod", "3:24:DeploymentList", "5:31:AllowList"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}

	_, err = Decode("l.yaml", []byte("apiVersion: v1\nkind: List\nitems:\n- a: 1\n- just a string\n"))
	if err == nil || err.Error() != `l.yaml: document 0 (line 5): item 1 of the List is the string "just a string", not a mapping` {
		t.Errorf("got %v", err)
	}
	_, err = Decode("l.yaml", []byte("apiVersion: v1\nkind: List\nitems: {a: 1}\n"))
	if err == nil || !strings.Contains(err.Error(), "items of the List is a mapping, not a list") {
		t.Errorf("got %v", err)
	}
	// JSON List.
	docs, err = Decode("l.json", []byte(`{"apiVersion": "v1", "kind": "List", "items": [{"kind": "A"}, {"kind": "B"}]}`))
	if err != nil || len(docs) != 2 || docs[1].Object["kind"] != "B" {
		t.Errorf("JSON List: %v, %v", docs, err)
	}
}

func TestSourceSizeLimit(t *testing.T) {
	data := make([]byte, MaxSourceSize+1)
	_, err := Decode("big.yaml", data)
	if err == nil || !strings.Contains(err.Error(), "big.yaml: source is 67108865 bytes, more than the limit of 64 MiB") {
		t.Errorf("got %v", err)
	}
}

func TestAliasBomb(t *testing.T) {
	bomb := `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`
	start := time.Now()
	_, err := Decode("bomb.yaml", []byte(bomb))
	if err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}

	// Merge keys through aliases are bounded the same way.
	var b strings.Builder
	b.WriteString("a0: &a0 {x: 1, y: 2, z: 3}\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "a%d: &a%d\n  <<: [*a%d, *a%d, *a%d]\n  k%d: v\n", i, i, i-1, i-1, i-1, i)
	}
	if _, err := Decode("merge-bomb.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
		t.Errorf("merge bomb: got %v", err)
	}

	// Modest use of anchors is fine.
	obj := decodeOne(t, bomb[:strings.Index(bomb, "d:")])
	if n := len(obj["c"].([]any)); n != 9 {
		t.Errorf("got %d", n)
	}
}

func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		"a: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"a: " + strings.Repeat("{b: ", 20000) + "1" + strings.Repeat("}", 20000),
		strings.Repeat("- ", 20000) + "x",
	} {
		if _, err := Decode("deep.yaml", []byte(src)); err == nil {
			t.Errorf("no error for %.20q", src)
		}
	}
	// Aliases can nest deeper than the text: still bounded.
	var b strings.Builder
	b.WriteString("a0: &a0 " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n")
	for i := 1; i < 5; i++ {
		fmt.Fprintf(&b, "a%d: &a%d %s*a%d%s\n", i, i, strings.Repeat("[", 5000), i-1, strings.Repeat("]", 5000))
	}
	if _, err := Decode("deep.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "nesting exceeds") {
		t.Errorf("got %v", err)
	}
	// A long chain of merges.
	b.Reset()
	b.WriteString("a0: &a0 {x: 1}\n")
	for i := 1; i < 20000; i++ {
		fmt.Fprintf(&b, "a%d: &a%d {<<: *a%d}\n", i, i, i-1)
	}
	if _, err := Decode("chain.yaml", []byte(b.String())); err == nil {
		t.Errorf("merge chain: no error")
	}
}

func TestLargeJSON(t *testing.T) {
	items := make([]any, 20000)
	for i := range items {
		items[i] = map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("cm-%d", i), "labels": map[string]any{"a": "b"}},
			"data":     map[string]any{"k": strings.Repeat("v", 100), "n": "1"},
		}
	}
	for _, indent := range []bool{false, true} {
		var data []byte
		var err error
		list := map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
		if indent {
			data, err = json.MarshalIndent(list, "", "  ")
		} else {
			data, err = json.Marshal(list)
		}
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		docs, err := Decode("big.json", data)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != len(items) {
			t.Fatalf("%d documents", len(docs))
		}
		if !reflect.DeepEqual(docs[123].Object, items[123]) {
			t.Errorf("item 123: %#v", docs[123].Object)
		}
		t.Logf("%d bytes of JSON (indented: %v) in %v", len(data), indent, time.Since(start))
	}
}

func TestNaNNeverInOutput(t *testing.T) {
	docs, _ := Decode("x", []byte("a: 1\nb: [.nan]\n---\nc: .inf\n"))
	if len(docs) != 0 {
		t.Errorf("%v", docs)
	}
	_ = math.NaN
}
