package webhook

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/manifest"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

const requireTeam = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: require-team, generation: 1, uid: u1}
spec:
  validationFailureAction: %s
  rules:
  - name: team
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    validate:
      message: "label team is required"
      pattern: {metadata: {labels: {team: "?*"}}}
`

const addOwner = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: add-owner, generation: 1, uid: u2}
spec:
  rules:
  - name: owner
    match: {any: [{resources: {kinds: [ConfigMap]}}]}
    mutate:
      patchStrategicMerge:
        metadata:
          labels:
            +(owner): "{{ request.userInfo.username }}"
`

const denyDelete = `
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: no-delete, generation: 1, uid: u3}
spec:
  validationFailureAction: Enforce
  rules:
  - name: protect
    match: {any: [{resources: {kinds: [ConfigMap], operations: [DELETE]}}]}
    validate:
      message: "protected ConfigMaps cannot be deleted"
      deny:
        conditions:
          any:
          - {key: "{{ request.oldObject.metadata.labels.protected || '' }}", operator: Equals, value: "true"}
`

func cacheOf(t *testing.T, docs ...string) *policycache.Cache {
	t.Helper()
	c := policycache.New(logr.Discard())
	for _, d := range docs {
		parsed, err := manifest.Decode("test", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		if e := c.Set(parsed[0].Object); e.Err != nil {
			t.Fatalf("policy %s: %v", e.Key, e.Err)
		}
	}
	return c
}

func sprintf(format string, args ...any) string {
	return strings.Replace(format, "%s", args[0].(string), 1)
}

type reviewCase struct {
	op        admissionv1.Operation
	namespace string
	user      string
	groups    []string
	object    string
	old       string
	dryRun    bool
}

func (c reviewCase) body(t *testing.T) []byte {
	t.Helper()
	if c.op == "" {
		c.op = admissionv1.Create
	}
	if c.namespace == "" {
		c.namespace = "default"
	}
	if c.user == "" {
		c.user = "alice"
	}
	dry := c.dryRun
	req := &admissionv1.AdmissionRequest{
		UID:       "uid-1",
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "configmaps"},
		Name:      "cm",
		Namespace: c.namespace,
		Operation: c.op,
		UserInfo:  authenticationv1.UserInfo{Username: c.user, Groups: c.groups},
		DryRun:    &dry,
	}
	if c.object != "" {
		req.Object = runtime.RawExtension{Raw: []byte(c.object)}
	}
	if c.old != "" {
		req.OldObject = runtime.RawExtension{Raw: []byte(c.old)}
	}
	data, err := json.Marshal(admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func post(t *testing.T, h http.Handler, path string, body []byte) (*admissionv1.AdmissionResponse, int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, r)
	raw, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK {
		return nil, rec.Code, string(raw)
	}
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("response is not an AdmissionReview: %v: %s", err, raw)
	}
	return out.Response, rec.Code, string(raw)
}

const (
	noTeam   = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}}`
	withTeam = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default","labels":{"team":"a"}}}`
)

func TestValidate(t *testing.T) {
	enforce := New(Options{Policies: cacheOf(t, sprintf(requireTeam, "Enforce"), denyDelete)}).Handler()
	audit := New(Options{Policies: cacheOf(t, sprintf(requireTeam, "Audit"))}).Handler()
	filtered, err := config.Parse(map[string]string{"resourceFilters": "[ConfigMap,skipped,*]", "excludeUsernames": "robot", "excludeGroups": "system:nodes"})
	if err != nil {
		t.Fatal(err)
	}
	withConfig := New(Options{Policies: cacheOf(t, sprintf(requireTeam, "Enforce")), Config: func() *config.Config { return filtered }}).Handler()
	tests := []struct {
		name        string
		handler     http.Handler
		path        string
		review      reviewCase
		allowed     bool
		message     []string
		warnings    []string
		noWarnings  bool
		wantPolicy  string
		wantMessage string
	}{
		{name: "enforce denies with Kyverno's message", handler: enforce, path: PathValidateFail, review: reviewCase{object: noTeam},
			message: []string{"resource ConfigMap/default/cm was blocked due to the following policies", "require-team:", "team: 'validation error: label team is required. rule team failed at path /metadata/labels/'"}},
		{name: "compliant object admitted", handler: enforce, path: PathValidateFail, review: reviewCase{object: withTeam}, allowed: true, noWarnings: true},
		{name: "policies of the other failure policy are not evaluated", handler: enforce, path: PathValidateIgnore, review: reviewCase{object: noTeam}, allowed: true},
		{name: "audit admits with a warning", handler: audit, path: PathValidateFail, review: reviewCase{object: noTeam}, allowed: true,
			warnings: []string{"policy require-team.team: validation error: label team is required. rule team failed at path /metadata/labels/"}},
		{name: "dry run evaluated", handler: enforce, path: PathValidateFail, review: reviewCase{object: noTeam, dryRun: true}, message: []string{"was blocked"}},
		{name: "resource filter skips", handler: withConfig, path: PathValidateFail, review: reviewCase{object: noTeam, namespace: "skipped"}, allowed: true},
		{name: "excluded user skips", handler: withConfig, path: PathValidateFail, review: reviewCase{object: noTeam, user: "robot"}, allowed: true},
		{name: "excluded group skips", handler: withConfig, path: PathValidateFail, review: reviewCase{object: noTeam, groups: []string{"system:nodes"}}, allowed: true},
		{name: "default filters skip kube-system", handler: enforce, path: PathValidateFail, review: reviewCase{object: noTeam, namespace: "kube-system"}, allowed: true},
		{name: "delete not evaluated by policies without DELETE", handler: New(Options{Policies: cacheOf(t, sprintf(requireTeam, "Enforce"))}).Handler(), path: PathValidateFail,
			review: reviewCase{op: admissionv1.Delete, old: noTeam}, allowed: true},
		{name: "delete evaluated by policies naming DELETE", handler: enforce, path: PathValidateFail,
			review:  reviewCase{op: admissionv1.Delete, old: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default","labels":{"protected":"true","team":"a"}}}`},
			message: []string{"no-delete:", "protected ConfigMaps cannot be deleted"}},
		{name: "object that is not a JSON object", handler: enforce, path: PathValidateFail, review: reviewCase{object: `[1,2]`}, message: []string{"request.object"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, code, raw := post(t, tc.handler, tc.path, tc.review.body(t))
			if code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, raw)
			}
			if resp.UID != "uid-1" {
				t.Errorf("uid %q", resp.UID)
			}
			if resp.Allowed != tc.allowed {
				t.Fatalf("allowed = %t, want %t: %s", resp.Allowed, tc.allowed, raw)
			}
			for _, m := range tc.message {
				if resp.Result == nil || !strings.Contains(resp.Result.Message, m) {
					t.Errorf("message lacks %q: %s", m, raw)
				}
			}
			got := strings.Join(resp.Warnings, "\n")
			for _, w := range tc.warnings {
				if !strings.Contains(got, w) {
					t.Errorf("warnings lack %q: %q", w, resp.Warnings)
				}
			}
			if tc.noWarnings && len(resp.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", resp.Warnings)
			}
		})
	}
}

func TestMutate(t *testing.T) {
	h := New(Options{Policies: cacheOf(t, addOwner)}).Handler()
	resp, code, raw := post(t, h, PathMutateFail, reviewCase{object: noTeam}.body(t))
	if code != http.StatusOK || !resp.Allowed {
		t.Fatalf("HTTP %d: %s", code, raw)
	}
	if resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch {
		t.Fatalf("no JSON patch: %s", raw)
	}
	var ops []map[string]any
	if err := json.Unmarshal(resp.Patch, &ops); err != nil {
		t.Fatal(err)
	}
	if len(ops) != 1 || ops[0]["op"] != "add" || ops[0]["path"] != "/metadata/labels" {
		t.Fatalf("patch %s", resp.Patch)
	}
	if v := ops[0]["value"].(map[string]any)["owner"]; v != "alice" {
		t.Errorf("owner label %v", v)
	}
	// Nothing to change: no patch.
	resp, _, raw = post(t, h, PathMutateFail, reviewCase{object: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","labels":{"owner":"bob"}}}`}.body(t))
	if !resp.Allowed || resp.Patch != nil {
		t.Errorf("unexpected patch: %s", raw)
	}
}

// stuck is a Policies whose snapshot never comes back in time (or panics).
type stuck struct {
	delay time.Duration
	panic bool
}

func (s stuck) Snapshot() *policycache.Snapshot {
	if s.panic {
		panic("boom")
	}
	time.Sleep(s.delay)
	return &policycache.Snapshot{}
}

func TestBoundedEvaluation(t *testing.T) {
	tests := []struct {
		name      string
		policies  Policies
		path      string
		allowed   bool
		want      string
		closeConn bool
	}{
		{"timeout under Fail denies", stuck{delay: 1200 * time.Millisecond}, PathValidateFail + "?timeout=500ms", false, "did not finish within 450ms (failurePolicy Fail: denied)", true},
		{"timeout under Ignore admits with a warning", stuck{delay: 1200 * time.Millisecond}, PathValidateIgnore + "?timeout=500ms", true, "(failurePolicy Ignore: admitted)", true},
		{"panic under Fail denies", stuck{panic: true}, PathValidateFail, false, "internal error while evaluating policies: boom", false},
		{"panic under Ignore admits", stuck{panic: true}, PathMutateIgnore, true, "internal error while evaluating policies: boom", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A real HTTP/1.1 server: the timeout answer must reach the
			// client while the evaluation is still running.
			srv := httptest.NewServer(New(Options{Policies: tc.policies}).Handler())
			defer srv.Close()
			start := time.Now()
			resp, err := srv.Client().Post(srv.URL+tc.path, "application/json", bytes.NewReader(reviewCase{object: noTeam}.body(t)))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > time.Second {
				t.Errorf("answered after %s", time.Since(start))
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
			}
			if resp.Close != tc.closeConn {
				t.Errorf("Connection: close is %t, want %t (the connection is busy until the evaluation ends)", resp.Close, tc.closeConn)
			}
			var out admissionv1.AdmissionReview
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("response is not an AdmissionReview: %v: %s", err, raw)
			}
			if out.Response.Allowed != tc.allowed || !strings.Contains(string(raw), tc.want) {
				t.Errorf("allowed=%t, body %s; want allowed=%t and %q", out.Response.Allowed, raw, tc.allowed, tc.want)
			}
		})
	}
}

func TestMalformedReviews(t *testing.T) {
	h := New(Options{Policies: cacheOf(t)}).Handler()
	tests := []struct {
		name, method, contentType, body, want string
	}{
		{"GET", http.MethodGet, "application/json", "", "POSTed"},
		{"wrong content type", http.MethodPost, "text/plain", "{}", "Content-Type must be application/json"},
		{"empty", http.MethodPost, "application/json", "  ", "empty request body"},
		{"syntax", http.MethodPost, "application/json", `{"apiVersion":`, "malformed AdmissionReview"},
		{"type", http.MethodPost, "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":[]}}`, `field "request.uid"`},
		{"not a review", http.MethodPost, "application/json", `{"apiVersion":"v1","kind":"Pod"}`, "expected apiVersion admission.k8s.io/v1 kind AdmissionReview"},
		{"no request", http.MethodPost, "application/json", `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`, "has no request"},
		{"too large", http.MethodPost, "application/json", strings.Repeat(" ", MaxBodySize+1), "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(tc.method, PathValidateFail, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.contentType)
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("got %d %q, want 400 with %q", rec.Code, rec.Body.String(), tc.want)
			}
		})
	}
}

func TestValidatePolicy(t *testing.T) {
	known := map[string]bool{"Pod": true, "ConfigMap": true}
	h := New(Options{Policies: cacheOf(t), KnownKind: func(k string) bool { return known[k] }}).Handler()
	policy := func(rule string) string {
		return `{"apiVersion":"kyverno.io/v1","kind":"ClusterPolicy","metadata":{"name":"p"},"spec":{"rules":[` + rule + `]}}`
	}
	tests := []struct {
		name    string
		object  string
		allowed bool
		want    string
	}{
		{"valid", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"m","pattern":{"spec":{"=(hostNetwork)":false}}}}`), true, ""},
		{"no rule type", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]}}`), false, "spec.rules[0]: a rule needs one of validate, mutate, generate or verifyImages"},
		{"invalid JMESPath", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"{{ a. }}","deny":{}}}`), false, "spec.rules[0].validate.message: invalid JMESPath"},
		{"malformed anchor", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"m","pattern":{"spec":{"(hostNetwork":false}}}}`), false, `spec.rules[0].validate.pattern.spec.(hostNetwork: malformed anchor`},
		{"unknown kind", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pdo"]}}]},"validate":{"message":"m","pattern":{"spec":{}}}}`), false, `spec.rules[0].match.any[0].resources.kinds[0]: kind "Pdo" is not served`},
		{"request-only variable in background", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"{{ request.userInfo.username }}","pattern":{"spec":{}}}}`), false, "spec.rules[0].validate.message: variable {{ request.userInfo.username }} is not allowed when spec.background is true"},
		{"user info in match in background", policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]},"clusterRoles":["x"]}]},"validate":{"message":"m","pattern":{"spec":{}}}}`), false, "spec.rules[0].match.any[0]: user information"},
		{"request-only variable without background", strings.Replace(policy(`{"name":"r","match":{"any":[{"resources":{"kinds":["Pod"]}}]},"validate":{"message":"{{ request.userInfo.username }}","pattern":{"spec":{}}}}`), `"spec":{`, `"spec":{"background":false,`, 1), true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := &admissionv1.AdmissionRequest{UID: "p1", Kind: metav1.GroupVersionKind{Group: "kyverno.io", Version: "v1", Kind: "ClusterPolicy"},
				Operation: admissionv1.Create, Object: runtime.RawExtension{Raw: []byte(tc.object)}}
			body, _ := json.Marshal(admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Request: req})
			resp, code, raw := post(t, h, PathPolicyValidate, body)
			if code != http.StatusOK {
				t.Fatalf("HTTP %d %s", code, raw)
			}
			msg := raw
			if resp.Result != nil {
				msg = resp.Result.Message
			}
			if resp.Allowed != tc.allowed || (tc.want != "" && !strings.Contains(msg, tc.want)) {
				t.Errorf("allowed=%t %s; want allowed=%t with %q", resp.Allowed, raw, tc.allowed, tc.want)
			}
		})
	}
}

// TestBusyServerAnswersInTime: when every evaluation slot stays busy for a
// review's whole budget, that review still gets the failure policy's
// answer in time.
func TestBusyServerAnswersInTime(t *testing.T) {
	s := New(Options{Policies: stuck{delay: 1200 * time.Millisecond}})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	body := reviewCase{object: noTeam}.body(t)
	var wg sync.WaitGroup
	busy := cap(s.slots)
	for range busy {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := srv.Client().Post(srv.URL+PathValidateIgnore+"?timeout=5s", "application/json", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let them take every slot
	start := time.Now()
	resp, err := srv.Client().Post(srv.URL+PathValidateFail+"?timeout=300ms", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("answered after %s with every slot busy", took)
	}
	if !strings.Contains(string(raw), "did not finish within 270ms (failurePolicy Fail: denied)") {
		t.Errorf("answer %s", raw)
	}
	wg.Wait()
}
