package crds

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	policyreportv1alpha2 "github.com/kanon-policy/kanon/api/policyreport/v1alpha2"
	"github.com/kanon-policy/kanon/pkg/manifest"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apivalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// crdSchema is the compiled schema of one served CRD version, as the API
// server builds it.
type crdSchema struct {
	crd        *apiextensions.CustomResourceDefinition
	structural *structuralschema.Structural
	validator  validation.SchemaValidator
}

// check runs what the API server does to a created object: prune unknown
// fields (returned, not dropped silently), apply defaults, validate.
func (s *crdSchema) check(obj map[string]any) (pruned []string, errs field.ErrorList) {
	pruned = pruning.PruneWithOptions(obj, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	defaulting.Default(obj, s.structural)
	return pruned, validation.ValidateCustomResource(nil, obj, s.validator)
}

// internal converts a generated CRD to the internal version, defaulted as
// the API server would.
func internal(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) *apiextensions.CustomResourceDefinition {
	t.Helper()
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	out := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, out, nil); err != nil {
		t.Fatalf("%s: converting to internal: %v", crd.Name, err)
	}
	return out
}

// versionSchema returns the schema of a version (the internal version
// keeps a schema shared by all versions at the top).
func versionSchema(t *testing.T, crd *apiextensions.CustomResourceDefinition, version string) *apiextensions.JSONSchemaProps {
	t.Helper()
	v, err := apiextensions.GetSchemaForVersion(crd, version)
	if err != nil || v == nil || v.OpenAPIV3Schema == nil {
		t.Fatalf("%s %s: no schema (%v)", crd.Name, version, err)
	}
	return v.OpenAPIV3Schema
}

// schemas compiles every CRD, keyed by "apiVersion kind".
func schemas(t *testing.T) map[string]*crdSchema {
	t.Helper()
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*crdSchema{}
	for _, obj := range objs {
		crd := internal(t, obj)
		for _, v := range crd.Spec.Versions {
			props := versionSchema(t, crd, v.Name)
			st, err := structuralschema.NewStructural(props)
			if err != nil {
				t.Fatalf("%s %s: structural schema: %v", crd.Name, v.Name, err)
			}
			val, _, err := validation.NewSchemaValidator(props)
			if err != nil {
				t.Fatalf("%s %s: schema validator: %v", crd.Name, v.Name, err)
			}
			out[crd.Spec.Group+"/"+v.Name+" "+crd.Spec.Names.Kind] = &crdSchema{crd: crd, structural: st, validator: val}
		}
	}
	return out
}

func TestObjects(t *testing.T) {
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		scope      apiextensionsv1.ResourceScope
		shortName  string
		categories []string
		status     bool
		columns    []string
	}
	policyColumns := []string{"ADMISSION", "BACKGROUND", "READY", "AGE", "FAILURE POLICY", "VALIDATE", "MUTATE", "GENERATE", "VERIFY IMAGES", "MESSAGE"}
	reportColumns := []string{"Kind", "Name", "Pass", "Fail", "Warn", "Error", "Skip", "Age"}
	wants := map[string]want{
		"clusterpolicies.kyverno.io":          {apiextensionsv1.ClusterScoped, "cpol", []string{"kyverno"}, true, policyColumns},
		"policies.kyverno.io":                 {apiextensionsv1.NamespaceScoped, "pol", []string{"kyverno"}, true, policyColumns},
		"policyreports.wgpolicyk8s.io":        {apiextensionsv1.NamespaceScoped, "polr", nil, false, reportColumns},
		"clusterpolicyreports.wgpolicyk8s.io": {apiextensionsv1.ClusterScoped, "cpolr", nil, false, reportColumns},
	}
	var names []string
	for _, crd := range objs {
		names = append(names, crd.Name)
		w, ok := wants[crd.Name]
		if !ok {
			t.Errorf("unexpected CRD %s", crd.Name)
			continue
		}
		t.Run(crd.Name, func(t *testing.T) {
			if crd.Spec.Scope != w.scope {
				t.Errorf("scope %s, want %s", crd.Spec.Scope, w.scope)
			}
			if !slices.Equal(crd.Spec.Names.ShortNames, []string{w.shortName}) {
				t.Errorf("shortNames %v, want [%s]", crd.Spec.Names.ShortNames, w.shortName)
			}
			if !slices.Equal(crd.Spec.Names.Categories, w.categories) {
				t.Errorf("categories %v, want %v", crd.Spec.Names.Categories, w.categories)
			}
			if len(crd.Spec.Versions) != 1 || !crd.Spec.Versions[0].Storage || !crd.Spec.Versions[0].Served {
				t.Fatalf("want one served storage version, got %+v", crd.Spec.Versions)
			}
			v := crd.Spec.Versions[0]
			if got := v.Subresources != nil && v.Subresources.Status != nil; got != w.status {
				t.Errorf("status subresource %v, want %v", got, w.status)
			}
			var cols []string
			for _, c := range v.AdditionalPrinterColumns {
				cols = append(cols, c.Name)
			}
			if !slices.Equal(cols, w.columns) {
				t.Errorf("printer columns %v, want %v", cols, w.columns)
			}
		})
	}
	if len(names) != len(wants) {
		t.Errorf("CRDs %v, want the %d of %v", names, len(wants), wants)
	}
	// Objects returns copies: changing one does not change the next call.
	objs[0].Name = "changed"
	again, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Name == "changed" {
		t.Error("Objects returned a shared CRD")
	}
}

// TestValid validates every CRD as the API server does on create: the
// internal validation (which includes the structural schema rules) and
// the structural checks on the schema alone.
func TestValid(t *testing.T) {
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range objs {
		t.Run(obj.Name, func(t *testing.T) {
			crd := internal(t, obj)
			for _, e := range apivalidation.ValidateCustomResourceDefinition(context.Background(), crd) {
				t.Errorf("invalid CRD: %v", e)
			}
			for _, v := range crd.Spec.Versions {
				st, err := structuralschema.NewStructural(versionSchema(t, crd, v.Name))
				if err != nil {
					t.Fatalf("%s: %v", v.Name, err)
				}
				for _, e := range structuralschema.ValidateStructural(field.NewPath("spec", "versions").Key(v.Name).Child("schema", "openAPIV3Schema"), st) {
					t.Errorf("not structural: %v", e)
				}
			}
		})
	}
}

// TestSize keeps every CRD small enough for client-side `kubectl apply`,
// which stores the whole object as JSON in the
// kubectl.kubernetes.io/last-applied-configuration annotation; all
// annotations of an object share a 256 KiB limit.
func TestSize(t *testing.T) {
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	const limit = 256<<10 - 16<<10 // leave room for labels and other annotations
	for _, crd := range objs {
		data, err := json.Marshal(crd)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > limit {
			t.Errorf("%s: %d bytes of JSON, over %d: shorten descriptions or document server-side apply", crd.Name, len(data), limit)
		}
	}
}

// exampleDocs returns the documents of every YAML file under dir whose
// "apiVersion kind" has a schema.
func exampleDocs(t *testing.T, dir string, all map[string]*crdSchema) []manifest.Document {
	t.Helper()
	var docs []manifest.Document
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), ".chainsaw-test") {
			return filepath.SkipDir // partial objects that e2e tests assert on
		}
		if err != nil || d.IsDir() || (!strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml")) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		got, err := manifest.Decode(p, data)
		if err != nil {
			return nil // not ours to judge; pkg/manifest tests decoding
		}
		for _, doc := range got {
			if all[key(doc.Object)] != nil {
				docs = append(docs, doc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func key(obj map[string]any) string {
	av, _ := obj["apiVersion"].(string)
	k, _ := obj["kind"].(string)
	return av + " " + k
}

// TestExamples proves our own example policies are accepted as they are:
// no field is pruned (which the API server would do silently) and none is
// rejected.
func TestExamples(t *testing.T) {
	all := schemas(t)
	docs := exampleDocs(t, filepath.Join("..", "..", "examples"), all)
	if len(docs) == 0 {
		t.Fatal("no policies found under examples/")
	}
	for _, doc := range docs {
		name, _ := doc.Object["metadata"].(map[string]any)["name"].(string)
		t.Run(name, func(t *testing.T) {
			pruned, errs := all[key(doc.Object)].check(doc.Object)
			if len(pruned) > 0 {
				t.Errorf("%s: fields the API server would drop: %v", doc.Source, pruned)
			}
			for _, e := range errs {
				t.Errorf("%s: %v", doc.Source, e)
			}
		})
	}
}

// TestDefaults checks the defaults the API server fills in.
func TestDefaults(t *testing.T) {
	all := schemas(t)
	obj := policy(t)
	if _, errs := all[key(obj)].check(obj); len(errs) > 0 {
		t.Fatal(errs)
	}
	spec := obj["spec"].(map[string]any)
	for _, f := range []string{"admission", "background"} {
		if spec[f] != true {
			t.Errorf("spec.%s = %v, want the default true", f, spec[f])
		}
	}
}

// policy is a small valid ClusterPolicy that the cases below break.
func policy(t *testing.T) map[string]any {
	t.Helper()
	docs, err := manifest.Decode("policy.yaml", []byte(`
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: p
spec:
  rules:
  - name: r
    match:
      any:
      - resources:
          kinds: [Pod]
    validate:
      message: m
      pattern:
        spec:
          =(hostNetwork): false
`))
	if err != nil {
		t.Fatal(err)
	}
	return docs[0].Object
}

func TestRejected(t *testing.T) {
	all := schemas(t)
	tests := []struct {
		name  string
		edit  func(obj map[string]any)
		field string // the path of the expected error
		typ   field.ErrorType
	}{
		{
			name:  "boolean given a string",
			edit:  func(o map[string]any) { spec(o)["background"] = "yes" },
			field: "spec.background",
			typ:   field.ErrorTypeTypeInvalid,
		},
		{
			name:  "rule name given a number",
			edit:  func(o map[string]any) { rule(o)["name"] = int64(5) },
			field: "spec.rules[0].name",
			typ:   field.ErrorTypeTypeInvalid,
		},
		{
			name:  "rule without a name",
			edit:  func(o map[string]any) { delete(rule(o), "name") },
			field: "spec.rules[0].name",
			typ:   field.ErrorTypeRequired,
		},
		{
			name:  "failure action outside the enum",
			edit:  func(o map[string]any) { rule(o)["validate"].(map[string]any)["failureAction"] = "Deny" },
			field: "spec.rules[0].validate.failureAction",
			typ:   field.ErrorTypeNotSupported,
		},
		{
			name:  "kinds given a string",
			edit:  func(o map[string]any) { resources(o)["kinds"] = "Pod" },
			field: "spec.rules[0].match.any[0].resources.kinds",
			typ:   field.ErrorTypeTypeInvalid,
		},
		{
			name:  "missing spec",
			edit:  func(o map[string]any) { delete(o, "spec") },
			field: "spec",
			typ:   field.ErrorTypeRequired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := policy(t)
			tt.edit(obj)
			_, errs := all[key(obj)].check(obj)
			for _, e := range errs {
				if e.Field == tt.field && e.Type == tt.typ {
					return
				}
			}
			t.Errorf("want a %s error at %s, got %v", tt.typ, tt.field, errs)
		})
	}
}

func spec(o map[string]any) map[string]any { return o["spec"].(map[string]any) }
func rule(o map[string]any) map[string]any {
	return spec(o)["rules"].([]any)[0].(map[string]any)
}
func resources(o map[string]any) map[string]any {
	return rule(o)["match"].(map[string]any)["any"].([]any)[0].(map[string]any)["resources"].(map[string]any)
}

// corpusDir finds shared/corpus beside the repository, or skips the test.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skip("shared/corpus not found")
	}
	return dir
}

// TestCorpus validates the Kyverno library and CLI-suite policies of the
// conformance corpus: Kyverno's own policies must be accepted by our CRDs
// and keep every field.
func TestCorpus(t *testing.T) {
	all := schemas(t)
	docs := exampleDocs(t, corpusDir(t), all)
	if len(docs) < 100 {
		t.Fatalf("only %d policies found in the corpus", len(docs))
	}
	for _, doc := range docs {
		pruned, errs := all[key(doc.Object)].check(doc.Object)
		if len(pruned) > 0 {
			t.Errorf("%s: document %d: fields the API server would drop: %v", doc.Source, doc.Index, pruned)
		}
		for _, e := range errs {
			t.Errorf("%s: document %d: %v", doc.Source, doc.Index, e)
		}
	}
	t.Logf("%d policies accepted", len(docs))
}

// TestUnknownFieldsReported shows that a misspelt field is caught by the
// pruning check rather than silently dropped.
func TestUnknownFieldsReported(t *testing.T) {
	all := schemas(t)
	obj := policy(t)
	v := rule(obj)["validate"].(map[string]any)
	v["patern"] = v["pattern"]
	pruned, errs := all[key(obj)].check(obj)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !slices.Equal(pruned, []string{"spec.rules[0].validate.patern"}) {
		t.Errorf("pruned %v, want [spec.rules[0].validate.patern]", pruned)
	}
}

// TestGoTypes checks that what the Go types marshal, status and reports
// included, is what the CRDs accept.
func TestGoTypes(t *testing.T) {
	all := schemas(t)
	now := metav1.NewTime(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	policy := &kyvernov1.ClusterPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: kyvernov1.SchemeGroupVersion.String(), Kind: "ClusterPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: "p"},
		Spec: kyvernov1.Spec{Rules: []kyvernov1.Rule{{
			Name:       "r",
			Match:      kyvernov1.MatchResources{Any: kyvernov1.ResourceFilters{{Resources: kyvernov1.ResourceDescription{Kinds: []string{"Pod"}}}}},
			Validation: &kyvernov1.Validation{Message: "m", RawPattern: &apiextensionsv1.JSON{Raw: []byte(`{"metadata":{"labels":{"team":"?*"}}}`)}},
		}}},
		Status: kyvernov1.PolicyStatus{
			Conditions: []metav1.Condition{{Type: kyvernov1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Succeeded", Message: "Ready", LastTransitionTime: now}},
			Autogen:    kyvernov1.AutogenStatus{Rules: []kyvernov1.Rule{{Name: "autogen-r"}}},
			RuleCount:  kyvernov1.RuleCountStatus{Validate: 1},
			ValidatingAdmissionPolicy: &kyvernov1.ValidatingAdmissionPolicyStatus{
				Message: "not generated: the rule uses a pattern",
			},
		},
	}
	report := &policyreportv1alpha2.PolicyReport{
		TypeMeta:   metav1.TypeMeta{APIVersion: policyreportv1alpha2.SchemeGroupVersion.String(), Kind: "PolicyReport"},
		ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "default"},
		Scope:      &corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Name: "nginx", Namespace: "default"},
		Summary:    policyreportv1alpha2.Summary{Fail: 1},
		Results: []policyreportv1alpha2.Result{{
			Source: "kyverno", Policy: "p", Rule: "r", Result: policyreportv1alpha2.StatusFail,
			Timestamp: metav1.Timestamp{Seconds: now.Unix()}, Description: "m",
			Properties: map[string]string{"process": "background scan"},
		}},
	}
	for _, obj := range []runtime.Object{policy, report} {
		t.Run(obj.GetObjectKind().GroupVersionKind().Kind, func(t *testing.T) {
			data, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			normalize(m)
			pruned, errs := all[key(m)].check(m)
			if len(pruned) > 0 {
				t.Errorf("fields the API server would drop: %v", pruned)
			}
			for _, e := range errs {
				t.Error(e)
			}
		})
	}
}

// normalize turns the float64 numbers of encoding/json into int64 where
// they are whole, as the API server's decoder does.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = normalize(e)
		}
	case []any:
		for i, e := range v {
			v[i] = normalize(e)
		}
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
	}
	return v
}

// TestScheme registers both groups in a scheme and checks that every
// kind is known with its list.
func TestScheme(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := kyvernov1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := policyreportv1alpha2.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	objs, err := Objects()
	if err != nil {
		t.Fatal(err)
	}
	for _, crd := range objs {
		for _, v := range crd.Spec.Versions {
			for _, kind := range []string{crd.Spec.Names.Kind, crd.Spec.Names.ListKind} {
				gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: kind}
				if !scheme.Recognizes(gvk) {
					t.Errorf("%s: %s is not in the scheme", crd.Name, gvk)
				}
			}
		}
	}
}
