package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/metrics"
	"github.com/kanon-policy/kanon/pkg/manifest"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

const benchPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
"containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":8080}],
"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"runAsUser":1000}}]}}`

// BenchmarkValidatePodSecurity is one validating review of a compliant Pod
// against the 12 Pod Security policies of the corpus, through the whole
// handler (decode, filters, evaluation, metrics, encode), without TLS.
func BenchmarkValidatePodSecurity(b *testing.B) {
	corpus := os.Getenv("KANON_CORPUS")
	if corpus == "" {
		corpus = filepath.Join("..", "..", "..", "shared", "corpus")
	}
	files, _ := filepath.Glob(filepath.Join(corpus, "policies", "pod-security", "*", "*", "*.yaml"))
	c := policycache.New(logr.Discard())
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs, err := manifest.Decode(f, data)
		if err != nil {
			continue
		}
		for _, d := range docs {
			if d.Object["kind"] == "ClusterPolicy" {
				if e := c.Set(d.Object); e.Err == nil {
					n++
				}
			}
		}
	}
	if n < 12 {
		b.Skipf("found %d Pod Security policies under %s", n, corpus)
	}
	h := New(Options{Policies: c, Metrics: metrics.New("bench")}).Handler()
	small, _ := json.Marshal(admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{UID: "u", Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
			Resource: metav1.GroupVersionResource{Version: "v1", Resource: "pods"}, Namespace: "default", Name: "web",
			Operation: admissionv1.Create, UserInfo: authenticationv1.UserInfo{Username: "alice"}, Object: runtime.RawExtension{Raw: []byte(benchPod)}}})
	// A review as the API server sends it: a defaulted Pod with managed
	// fields, a projected service-account volume, several containers.
	apiServer, err := os.ReadFile(filepath.Join("..", "..", "pkg", "jsonvalue", "testdata", "admission-review-pod.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		body []byte
	}{{"small Pod", small}, {"API-server Pod", apiServer}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				r := httptest.NewRequest(http.MethodPost, PathValidateFail, bytes.NewReader(bc.body))
				r.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Body.String())
				}
			}
		})
	}
}
