package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/pkg/manifest"
	"sigs.k8s.io/yaml"
)

const violatesAnnotation = "test.kanon.io/violates"

var podsFile = filepath.Join("testdata", "pss", "pods.yaml")

// testResource is one object of testdata/pss/pods.yaml and the policy/rule
// pairs it must fail.
type testResource struct {
	kind, name string
	object     map[string]any
	violates   []string
}

func loadTestResources(t *testing.T) []testResource {
	t.Helper()
	data, err := os.ReadFile(podsFile)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.Decode(podsFile, data)
	if err != nil {
		t.Fatal(err)
	}
	var out []testResource
	for _, d := range docs {
		r := testResource{kind: str(d.Object, "kind"), name: str(d.Object, "metadata", "name"), object: d.Object}
		if v := str(d.Object, "metadata", "annotations", violatesAnnotation); v != "" {
			r.violates = strings.Split(v, ",")
		}
		out = append(out, r)
	}
	return out
}

// ruleName is the name of a Pod rule as it applies to a kind (autogen).
func ruleName(kind, rule string) string {
	switch kind {
	case "Pod":
		return rule
	case "CronJob":
		return "autogen-cronjob-" + rule
	default:
		return "autogen-" + rule
	}
}

// renderPolicies renders kanon-policies with Enforce and the given standard
// into dir/policies.yaml and returns policy name -> rule names.
func renderPolicies(t *testing.T, helm, dir, standard string) map[string][]string {
	t.Helper()
	out, err := template(t, helm, "kanon-policies", "--set", "podSecurityStandard="+standard, "--set", "validationFailureAction=Enforce")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "policies.yaml"), out)
	rendered := map[string][]string{}
	for name, rs := range rules(decode(t, out)) {
		for _, r := range rs {
			rendered[name] = append(rendered[name], str(r, "name"))
		}
	}
	return rendered
}

// TestPodSecurityPolicies renders the Pod Security policies at baseline and
// restricted and runs `kanon test` with a test file built from the
// test.kanon.io/violates annotations of testdata/pss/pods.yaml: each listed
// policy/rule must fail, every other rule of the rendered policies must pass.
func TestPodSecurityPolicies(t *testing.T) {
	helm, kanon := tools(t)
	resources := loadTestResources(t)
	abs, err := filepath.Abs(podsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, standard := range []string{"baseline", "restricted"} {
		t.Run(standard, func(t *testing.T) {
			dir := t.TempDir()
			rendered := renderPolicies(t, helm, dir, standard)
			type key struct{ policy, rule, kind, result string }
			grouped := map[key][]string{}
			for _, r := range resources {
				for policy, rs := range rendered {
					for _, rule := range rs {
						result := "pass"
						if slices.Contains(r.violates, policy+"/"+rule) {
							result = "fail"
						}
						k := key{policy, ruleName(r.kind, rule), r.kind, result}
						grouped[k] = append(grouped[k], r.name)
					}
				}
			}
			var results []map[string]any
			for k, names := range grouped {
				results = append(results, map[string]any{"policy": k.policy, "rule": k.rule, "kind": k.kind, "result": k.result, "resources": names})
			}
			slices.SortFunc(results, func(a, b map[string]any) int {
				return strings.Compare(fmt.Sprint(a["policy"], a["rule"], a["kind"], a["result"]), fmt.Sprint(b["policy"], b["rule"], b["kind"], b["result"]))
			})
			test := map[string]any{
				"apiVersion": "cli.kyverno.io/v1alpha1", "kind": "Test",
				"metadata":  map[string]any{"name": "pod-security-" + standard},
				"policies":  []string{"policies.yaml"},
				"resources": []string{abs},
				"results":   results,
			}
			b, err := yaml.Marshal(test)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "kyverno-test.yaml"), string(b))
			out, code := run(t, kanon, "test", dir, "--remove-color")
			if code != 0 || !strings.Contains(out, "0 tests failed") {
				t.Fatalf("kanon test (exit %d):\n%s", code, out)
			}
		})
	}
}

// failedLine matches `kanon apply`'s "policy P -> resource NS/Kind/Name failed:".
var failedLine = regexp.MustCompile(`^policy (\S+) -> resource \S+ failed:$`)

// ruleLine matches the numbered rule lines under it: "1 - rule message".
var ruleLine = regexp.MustCompile(`^\d+ - (\S+) `)

// TestRestrictedOnePodAtATime applies the restricted policies with Enforce to
// each test resource alone with `kanon apply`: compliant ones are admitted
// (exit 0, no failure), every violating one is rejected by exactly the
// policy/rule pairs it is annotated with.
func TestRestrictedOnePodAtATime(t *testing.T) {
	helm, kanon := tools(t)
	dir := t.TempDir()
	renderPolicies(t, helm, dir, "restricted")
	policiesFile := filepath.Join(dir, "policies.yaml")
	for _, r := range loadTestResources(t) {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			b, err := yaml.Marshal(r.object)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, r.name+".yaml")
			writeFile(t, file, string(b))
			out, code := run(t, kanon, "apply", policiesFile, "-r", file)
			var got []string
			policy := ""
			for _, line := range strings.Split(out, "\n") {
				if m := failedLine.FindStringSubmatch(line); m != nil {
					policy = m[1]
				} else if m := ruleLine.FindStringSubmatch(line); m != nil && policy != "" {
					got = append(got, policy+"/"+m[1])
				} else {
					policy = ""
				}
			}
			var want []string
			for _, v := range r.violates {
				p, rule, _ := strings.Cut(v, "/")
				want = append(want, p+"/"+ruleName(r.kind, rule))
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("failed rules = %v, want %v\n%s", got, want, out)
			}
			if wantExit := len(want) > 0; (code != 0) != wantExit {
				t.Errorf("exit code %d, want rejection = %v\n%s", code, wantExit, out)
			}
			if strings.Contains(out, "error: ") && !strings.Contains(out, "error: 0") {
				t.Errorf("rules answered error:\n%s", out)
			}
		})
	}
}

// TestChartWorkloadsAreRestricted checks that the kanon chart's own
// Deployment and cleanup Job meet the restricted standard, with our
// policies.
func TestChartWorkloadsAreRestricted(t *testing.T) {
	helm, kanon := tools(t)
	dir := t.TempDir()
	renderPolicies(t, helm, dir, "restricted")
	out, err := template(t, helm, "kanon", "--set", "crds.install=false")
	if err != nil {
		t.Fatal(err)
	}
	var workloads []string
	for _, d := range decode(t, out) {
		if d["kind"] == "Deployment" || d["kind"] == "Job" {
			b, err := yaml.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			workloads = append(workloads, string(b))
		}
	}
	if len(workloads) != 2 {
		t.Fatalf("want the Deployment and the Job, got %d workloads", len(workloads))
	}
	file := filepath.Join(dir, "workloads.yaml")
	writeFile(t, file, strings.Join(workloads, "---\n"))
	res, code := run(t, kanon, "apply", filepath.Join(dir, "policies.yaml"), "-r", file)
	if code != 0 || !strings.Contains(res, "fail: 0, warn: 0, error: 0") {
		t.Fatalf("kanon apply (exit %d):\n%s", code, res)
	}
}

// TestCorpusPodSecurity runs the Kyverno corpus's Pod Security tests
// (../shared/corpus/policies/pod-security, KANON_CORPUS) against our
// policies of the same names: Kyverno's expected results must hold for
// Kanon's policies too.
func TestCorpusPodSecurity(t *testing.T) {
	helm, kanon := tools(t)
	corpus := os.Getenv("KANON_CORPUS")
	if corpus == "" {
		t.Skip("KANON_CORPUS is not set")
	}
	if _, err := os.Stat(filepath.Join(corpus, "policies", "pod-security")); err != nil {
		t.Fatalf("KANON_CORPUS: %v", err)
	}
	dir := t.TempDir()
	rendered := renderPolicies(t, helm, dir, "restricted")
	policiesFile := filepath.Join(dir, "policies.yaml")
	tests, err := filepath.Glob(filepath.Join(corpus, "policies", "pod-security", "*", "*", ".kyverno-test", "kyverno-test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, path := range tests {
		name := filepath.Base(filepath.Dir(filepath.Dir(path)))
		if rendered[name] == nil {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var test map[string]any
		if err := yaml.Unmarshal(data, &test); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		test["policies"] = []string{policiesFile}
		var resources []string
		for _, r := range test["resources"].([]any) {
			resources = append(resources, filepath.Join(filepath.Dir(path), r.(string)))
		}
		test["resources"] = resources
		b, err := yaml.Marshal(test)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "corpus", name, "kyverno-test.yaml"), string(b))
		ran++
	}
	if ran < 10 {
		t.Fatalf("only %d corpus tests match our policies", ran)
	}
	out, code := run(t, kanon, "test", filepath.Join(dir, "corpus"), "--remove-color")
	if code != 0 || !strings.Contains(out, " 0 tests failed") {
		t.Fatalf("kanon test (exit %d):\n%s", code, out)
	}
}
