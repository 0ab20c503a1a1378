package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// noopWebhook is the yardstick for the apiserver mode: a validating webhook
// that admits every Pod without looking at it. The difference between no
// webhook and this one is what any webhook costs the API server on this
// machine; the difference between this one and Kanon is Kanon's own cost.
type noopWebhook struct {
	server *httptest.Server
}

const noopName = "bench-noop-webhook"

func startNoopWebhook(ctx context.Context, c *cluster) (*noopWebhook, error) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var review admissionv1.AdmissionReview
		if err := json.Unmarshal(body, &review); err != nil || review.Request == nil {
			http.Error(w, "bad review", http.StatusBadRequest)
			return
		}
		out, _ := json.Marshal(admissionv1.AdmissionReview{TypeMeta: review.TypeMeta,
			Response: &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}))
	srv.StartTLS()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	fail := admissionregistrationv1.Fail
	none := admissionregistrationv1.SideEffectClassNone
	timeout := int32(10)
	url := srv.URL + "/"
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: noopName},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         "noop.bench.kanon.io",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
			}},
			FailurePolicy: &fail, SideEffects: &none, TimeoutSeconds: &timeout, AdmissionReviewVersions: []string{"v1"},
		}},
	}
	if _, err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Create(ctx, cfg, metav1.CreateOptions{}); err != nil {
		srv.Close()
		return nil, err
	}
	time.Sleep(2 * time.Second) // the API server's webhook informer catches up
	return &noopWebhook{server: srv}, nil
}

func (n *noopWebhook) stop(ctx context.Context, c *cluster) error {
	defer n.server.Close()
	if err := c.kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, noopName, metav1.DeleteOptions{}); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	return nil
}
