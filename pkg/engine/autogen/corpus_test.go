package autogen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"sigs.k8s.io/yaml"
)

const corpusRoot = "/work/shared/corpus"

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// loadCorpusPolicies reads every ClusterPolicy/Policy under dir, skipping the
// Kyverno CLI and chainsaw test folders and the Artifact Hub metadata.
func loadCorpusPolicies(t *testing.T, dir string) map[string]*kyvernov1.ClusterPolicy {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	out := map[string]*kyvernov1.ClusterPolicy{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".kyverno-test" || d.Name() == ".chainsaw-test" {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "artifacthub-pkg.yml" || !strings.HasSuffix(d.Name(), ".yaml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, doc := range docSeparator.Split(string(data), -1) {
			if len(bytes.TrimSpace([]byte(doc))) == 0 {
				continue
			}
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Errorf("%s[%d]: %v", path, i, err)
				continue
			}
			if meta.APIVersion != "kyverno.io/v1" || (meta.Kind != "ClusterPolicy" && meta.Kind != "Policy") {
				continue
			}
			var p kyvernov1.ClusterPolicy
			if err := yaml.Unmarshal([]byte(doc), &p); err != nil {
				t.Errorf("%s[%d]: %v", path, i, err)
				continue
			}
			rel, _ := filepath.Rel(dir, path)
			out[rel+"#"+p.Name] = &p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every Pod Security Standards policy of the corpus is auto-generated for all
// controllers: each rule gets autogen-<rule> (six controllers, pod part under
// spec.template) and autogen-cronjob-<rule> (CronJob, under
// spec.jobTemplate.spec.template).
func TestCorpusPodSecurityPolicies(t *testing.T) {
	policies := loadCorpusPolicies(t, filepath.Join(corpusRoot, "policies", "pod-security"))
	if len(policies) == 0 {
		t.Fatal("no policy found in the corpus")
	}
	for name, p := range policies {
		t.Run(name, func(t *testing.T) {
			before := generic(t, p.Spec)
			got := Rules(p.Annotations, &p.Spec)
			byName := map[string]kyvernov1.Rule{}
			for _, r := range got {
				byName[r.Name] = r
			}
			if len(got) != 2*len(p.Spec.Rules) {
				t.Errorf("got %d rules %v for %d policy rules", len(got), ruleNames(got), len(p.Spec.Rules))
			}
			for _, src := range p.Spec.Rules {
				for _, variant := range []struct {
					prefix, key string
					kinds       []any
				}{
					{"autogen", "template", allTemplateGVKs},
					{"autogen-cronjob", "jobTemplate", []any{"batch/v1/CronJob"}},
				} {
					gen, ok := byName[RuleName(variant.prefix, src.Name)]
					if !ok {
						t.Errorf("missing %s", RuleName(variant.prefix, src.Name))
						continue
					}
					g := generic(t, gen)
					kinds := at(g, "match", "any", 0, "resources", "kinds")
					if kinds == nil {
						kinds = at(g, "match", "resources", "kinds")
					}
					if !reflect.DeepEqual(kinds, variant.kinds) {
						t.Errorf("%s: kinds %v", gen.Name, kinds)
					}
					if src.Validation == nil || gen.Validation == nil {
						t.Errorf("%s: validate expected", gen.Name)
						continue
					}
					if src.Validation.Message != "" && gen.Validation.Message == "" {
						t.Errorf("%s: message lost", gen.Name)
					}
					switch v := at(g, "validate"); {
					case at(v, "pattern") != nil:
						if at(v, "pattern", "spec", variant.key) == nil {
							t.Errorf("%s: pattern not wrapped: %v", gen.Name, at(v, "pattern"))
						}
					case at(v, "anyPattern") != nil:
						for i, item := range at(v, "anyPattern").([]any) {
							if at(item, "spec", variant.key) == nil {
								t.Errorf("%s: anyPattern[%d] not wrapped", gen.Name, i)
							}
						}
					case at(v, "deny") != nil:
						raw := string(gen.Validation.Deny.RawAnyAllConditions.Raw)
						if strings.Contains(raw, "request.object.spec") && !strings.Contains(raw, "request.object.spec.template.spec") &&
							!strings.Contains(raw, "request.object.spec.jobTemplate.spec.template.spec") {
							t.Errorf("%s: deny conditions not rewritten: %s", gen.Name, raw)
						}
					case at(v, "foreach") != nil:
						want := map[string]string{"template": "request.object.spec.template.spec", "jobTemplate": "request.object.spec.jobTemplate.spec.template.spec"}[variant.key]
						for i, fe := range gen.Validation.ForEachValidation {
							if strings.Contains(fe.List, "request.object.spec") && !strings.HasPrefix(fe.List, want) {
								t.Errorf("%s: foreach[%d].list not rewritten: %s", gen.Name, i, fe.List)
							}
						}
					case at(v, "podSecurity") != nil:
						if !reflect.DeepEqual(at(v, "podSecurity"), at(generic(t, src.Validation), "podSecurity")) {
							t.Errorf("%s: podSecurity changed", gen.Name)
						}
					default:
						t.Errorf("%s: unexpected validate %v", gen.Name, v)
					}
				}
			}
			if after := generic(t, p.Spec); !reflect.DeepEqual(before, after) {
				t.Fatal("input policy was modified")
			}
		})
	}
}

// Policies of the whole corpus must translate without failing, and the
// documented annotation values must be honoured.
func TestCorpusAllPolicies(t *testing.T) {
	policies := loadCorpusPolicies(t, filepath.Join(corpusRoot, "policies"))
	generated := 0
	for name, p := range policies {
		got := Rules(p.Annotations, &p.Spec)
		generated += len(got)
		if p.Annotations[AnnotationControllers] == "none" && len(got) != 0 {
			t.Errorf("%s: autogen disabled but got %v", name, ruleNames(got))
		}
		for _, r := range got {
			if !IsAutogenRuleName(r.Name) || len(r.Name) > 63 {
				t.Errorf("%s: bad generated rule name %q", name, r.Name)
			}
		}
	}
	if generated == 0 {
		t.Fatal("nothing generated from the corpus")
	}
}
