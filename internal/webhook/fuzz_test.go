package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// FuzzReview posts arbitrary bodies to the validating and mutating
// endpoints: every answer is a 400 or an AdmissionReview, never a panic
// or a hang.
func FuzzReview(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","kind":{"version":"v1","kind":"ConfigMap"},"operation":"CREATE","namespace":"default","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"DELETE","oldObject":{"metadata":{"labels":{"team":1e400}}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","object":"x"}}`))
	c := policycache.New(logr.Discard())
	for _, p := range []string{sprintf(requireTeam, "Enforce"), addOwner} {
		docs, err := manifest.Decode("fuzz", []byte(p))
		if err != nil {
			f.Fatal(err)
		}
		c.Set(docs[0].Object)
	}
	h := New(Options{Policies: c}).Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{PathValidateFail, PathMutateIgnore, PathPolicyValidate} {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("%s: HTTP %d %s", path, rec.Code, rec.Body.String())
			}
			if rec.Code == http.StatusOK && !bytes.Contains(rec.Body.Bytes(), []byte(`"response":{"uid":`)) {
				t.Fatalf("%s: 200 without a response: %s", path, rec.Body.String())
			}
		}
	})
}
