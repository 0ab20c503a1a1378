package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
)

const policyWithTypo = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-labels
spec:
  validationFailureAction: Enforce
  rules:
  - name: check-team
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: "label team is required"
      patern:
        metadata:
          labels:
            team: "?*"
  - name: second
    match:
      any:
      - resources:
          kind: [Pod]
    validate:
      pattern: {spec: {}}
    Exclude: {}
colour: blue
Spec: {}
`

func TestIntoUnknownFields(t *testing.T) {
	docs, err := Decode("policies/x.yaml", []byte("---\n"+policyWithTypo))
	if err != nil {
		t.Fatal(err)
	}
	var p kyvernov1.ClusterPolicy
	warnings, err := Into(docs[0], &p)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(warnings)
	want := []string{
		`policies/x.yaml: document 0: unknown field "Spec" (did you mean "spec"?)`,
		`policies/x.yaml: document 0: unknown field "colour"`,
		`policies/x.yaml: document 0: unknown field "spec.rules[0].validate.patern"`,
		`policies/x.yaml: document 0: unknown field "spec.rules[1].Exclude" (did you mean "exclude"?)`,
		`policies/x.yaml: document 0: unknown field "spec.rules[1].match.any[0].resources.kind"`,
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(warnings, "\n"), strings.Join(want, "\n"))
	}
	// The known fields are decoded.
	if p.Name != "require-labels" || len(p.Spec.Rules) != 2 || p.Spec.Rules[0].Match.Any[0].Resources.Kinds[0] != "Pod" ||
		p.Spec.Rules[0].Validation.Message != "label team is required" {
		t.Errorf("decoded %+v", p)
	}
}

func TestIntoTypeErrors(t *testing.T) {
	src := `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: p
  labels: [a]
spec:
  background: "yes"
  webhookTimeoutSeconds: 1.5
  rules:
  - name: ok
  - name: bad
    match:
      any:
      - resources:
          kinds: Pod
    validate:
      foreach: {list: x}
`
	docs, err := Decode("policies/y.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var p kyvernov1.ClusterPolicy
	_, err = Into(docs[0], &p)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`policies/y.yaml: document 0 (line 1): metadata.labels: expected an object, found a sequence`,
		`policies/y.yaml: document 0 (line 1): spec.background: expected a boolean, found the string "yes"`,
		`policies/y.yaml: document 0 (line 1): spec.rules[1].match.any[0].resources.kinds: expected a list, found the string "Pod"`,
		`policies/y.yaml: document 0 (line 1): spec.rules[1].validate.foreach: expected a list, found a mapping`,
		`policies/y.yaml: document 0 (line 1): spec.webhookTimeoutSeconds: expected an integer, found the number 1.5`,
	}
	if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("error:\n%s\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	if _, ok := errorsAs(err); !ok {
		t.Errorf("not an *Error: %T", err)
	}

	// Values that the field's own decoder refuses.
	docs, _ = Decode("t.yaml", []byte("metadata:\n  creationTimestamp: yesterday\n"))
	if _, err := Into(docs[0], &p); err == nil || !strings.Contains(err.Error(), "metadata.creationTimestamp: ") {
		t.Errorf("got %v", err)
	}
	if _, err := Into(docs[0], p); err == nil {
		t.Error("no error for a non-pointer")
	}
}

func TestIntoNumbers(t *testing.T) {
	var out struct {
		I   int32          `json:"i"`
		F   float64        `json:"f"`
		G   float32        `json:"g"`
		U   uint8          `json:"u"`
		Any map[string]any `json:"any"`
	}
	docs, _ := Decode("n.yaml", []byte("i: 7\nf: 2\ng: 1.5\nu: 3.0\nany: {big: 9007199254740993, x: 0.5}\n"))
	if _, err := Into(docs[0], &out); err != nil {
		t.Fatal(err)
	}
	if out.I != 7 || out.F != 2 || out.G != 1.5 || out.U != 3 || out.Any["big"] != int64(9007199254740993) || out.Any["x"] != 0.5 {
		t.Errorf("got %+v", out)
	}
	docs, _ = Decode("n.yaml", []byte("i: 3000000000\nu: -1\n"))
	_, err := Into(docs[0], &out)
	if err == nil || !strings.Contains(err.Error(), "i: 3000000000 is out of range for int32") ||
		!strings.Contains(err.Error(), "u: expected a non-negative integer, found the number -1") {
		t.Errorf("got %v", err)
	}
}

// TestCorpusPolicies decodes every kyverno.io/v1 ClusterPolicy and Policy
// of the corpus into the API types. Unknown fields are failures, except
// the ones listed in missingPolicyFields, which the API lacks for now.
func TestCorpusPolicies(t *testing.T) {
	n := 0
	seen := map[string][]string{}
	for _, f := range corpusFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := Decode(f, data)
		if err != nil {
			continue
		}
		for _, d := range docs {
			if d.Object["apiVersion"] != "kyverno.io/v1" {
				continue
			}
			var warnings []string
			switch d.Object["kind"] {
			case "ClusterPolicy":
				var p kyvernov1.ClusterPolicy
				warnings, err = Into(d, &p)
			case "Policy":
				var p kyvernov1.Policy
				warnings, err = Into(d, &p)
			default:
				continue
			}
			n++
			if err != nil {
				t.Errorf("%v", err)
			}
			for _, w := range warnings {
				field := unknownFieldPattern(w)
				if missingPolicyFields[field] {
					seen[field] = append(seen[field], rel(f))
					continue
				}
				t.Errorf("%s", w)
			}
		}
	}
	logMissing(t, seen)
	t.Logf("%d policies", n)
}

// TestCorpusTests decodes every kyverno-test.yaml and test.yaml of the
// corpus into v1alpha1.Test.
func TestCorpusTests(t *testing.T) {
	n := 0
	seen := map[string][]string{}
	for _, f := range corpusFiles(t) {
		if base := filepath.Base(f); base != "kyverno-test.yaml" && base != "test.yaml" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := Decode(f, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, d := range docs {
			var test v1alpha1.Test
			warnings, err := Into(d, &test)
			n++
			if err != nil {
				t.Errorf("%v", err)
			}
			for _, w := range warnings {
				field := unknownFieldPattern(w)
				if caseTyposInTests[field] || missingTestFields[field] {
					seen[field] = append(seen[field], rel(f))
					continue
				}
				t.Errorf("%s", w)
			}
		}
	}
	logMissing(t, seen)
	t.Logf("%d tests", n)
}

// missingPolicyFields and missingTestFields are the fields that corpus
// documents use and the API types lack (paths with indices as [*]).
var (
	missingPolicyFields = map[string]bool{}
	missingTestFields   = map[string]bool{}
)

// caseTyposInTests are fields of corpus tests written in the wrong case.
// Kyverno reads tests with sigs.k8s.io/yaml, whose encoding/json matches
// field names regardless of case, so for Kyverno they are not typos.
var caseTyposInTests = map[string]bool{
	"results[*].isMUtatingPolicy": true,
}

// unknownFieldPattern extracts the field path of an unknown-field warning,
// with list indices replaced by [*].
func unknownFieldPattern(w string) string {
	i := strings.Index(w, `unknown field "`)
	if i < 0 {
		return w
	}
	p := w[i+len(`unknown field "`):]
	p = p[:strings.IndexByte(p, '"')]
	var b strings.Builder
	for j := 0; j < len(p); j++ {
		if p[j] == '[' {
			k := strings.IndexByte(p[j:], ']')
			if k > 0 {
				b.WriteString("[*]")
				j += k
				continue
			}
		}
		b.WriteByte(p[j])
	}
	return b.String()
}

func rel(f string) string {
	if i := strings.Index(f, "shared/corpus/"); i >= 0 {
		return f[i+len("shared/corpus/"):]
	}
	return f
}

func logMissing(t *testing.T, seen map[string][]string) {
	fields := make([]string, 0, len(seen))
	for f := range seen {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		t.Logf("tolerated unknown field %s: %d uses, e.g. %s", f, len(seen[f]), seen[f][0])
	}
}
