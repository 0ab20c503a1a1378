package cleanup

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func validating(name string, labels map[string]string) *admissionregistrationv1.ValidatingWebhookConfiguration {
	return &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func mutating(name string, labels map[string]string) *admissionregistrationv1.MutatingWebhookConfiguration {
	return &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

var managed = map[string]string{webhookconfig.ManagedByLabel: webhookconfig.ManagedByValue}

func deployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "kanon-admission-controller", Namespace: "kanon"},
		Spec:       appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "kanon"}}},
	}
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kanon", Labels: map[string]string{"app": "kanon"}}}
}

func TestWebhooks(t *testing.T) {
	tests := []struct {
		name    string
		objects []runtime.Object
		opts    Options
		// podsGoneAfter is the number of pod lists that still see the pods.
		podsGoneAfter int
		forbidDelete  string
		wantErr       string
		wantOut       []string
		wantKept      []string
		wantGone      []string
		wantScaled    bool
	}{
		{
			name: "deletes labelled and well-known configurations, keeps others",
			objects: []runtime.Object{
				validating(webhookconfig.ResourceValidatingName, managed),
				validating(webhookconfig.PolicyValidatingName, nil),
				validating("kanon-extra-validating", managed),
				validating("someone-else", nil),
				mutating(webhookconfig.ResourceMutatingName, managed),
				mutating("someone-else-mutating", map[string]string{webhookconfig.ManagedByLabel: "other"}),
			},
			wantOut: []string{
				"deleted validatingwebhookconfiguration kanon-extra-validating",
				"deleted validatingwebhookconfiguration " + webhookconfig.PolicyValidatingName,
				"deleted mutatingwebhookconfiguration " + webhookconfig.ResourceMutatingName,
			},
			wantGone: []string{"kanon-extra-validating", webhookconfig.ResourceValidatingName, webhookconfig.PolicyValidatingName, webhookconfig.ResourceMutatingName},
			wantKept: []string{"someone-else", "someone-else-mutating"},
		},
		{
			name:    "nothing to delete",
			wantOut: nil,
		},
		{
			name:          "scales the deployment and waits for its pods",
			objects:       []runtime.Object{deployment(), pod("kanon-admission-controller-1"), validating(webhookconfig.ResourceValidatingName, managed)},
			opts:          Options{Namespace: "kanon", Deployment: "kanon-admission-controller", Timeout: 5 * time.Second},
			podsGoneAfter: 2,
			wantScaled:    true,
			wantOut:       []string{"deployment kanon/kanon-admission-controller scaled to 0", "pods of kanon/kanon-admission-controller stopped", "deleted validatingwebhookconfiguration " + webhookconfig.ResourceValidatingName},
			wantGone:      []string{webhookconfig.ResourceValidatingName},
		},
		{
			name:          "pods that do not stop: configurations are still deleted, the error says so",
			objects:       []runtime.Object{deployment(), pod("kanon-admission-controller-1"), validating(webhookconfig.ResourceValidatingName, managed)},
			opts:          Options{Namespace: "kanon", Deployment: "kanon-admission-controller", Timeout: 50 * time.Millisecond},
			podsGoneAfter: 1 << 30,
			wantScaled:    true,
			wantErr:       "1 pod(s) of kanon/kanon-admission-controller still present after 50ms",
			wantGone:      []string{webhookconfig.ResourceValidatingName},
		},
		{
			name:    "missing deployment is not an error",
			objects: []runtime.Object{validating(webhookconfig.ResourceValidatingName, managed)},
			opts:    Options{Namespace: "kanon", Deployment: "kanon-admission-controller", Timeout: time.Second},
			wantOut: []string{"deployment kanon/kanon-admission-controller not found; nothing to stop"},
		},
		{
			name:    "deployment without namespace",
			opts:    Options{Deployment: "kanon-admission-controller"},
			wantErr: "--namespace (or $POD_NAMESPACE) is required with --deployment",
		},
		{
			name:         "delete forbidden",
			objects:      []runtime.Object{mutating(webhookconfig.ResourceMutatingName, managed), validating(webhookconfig.ResourceValidatingName, managed)},
			forbidDelete: "mutatingwebhookconfigurations",
			wantErr:      "delete mutatingwebhookconfiguration " + webhookconfig.ResourceMutatingName,
			wantGone:     []string{webhookconfig.ResourceValidatingName},
			wantKept:     []string{webhookconfig.ResourceMutatingName},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := fake.NewClientset(tc.objects...)
			scaled := false
			client.PrependReactor("update", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
				if a.GetSubresource() != "scale" {
					return false, nil, nil
				}
				s := a.(k8stesting.UpdateAction).GetObject().(*autoscalingv1.Scale)
				scaled = s.Spec.Replicas == 0
				return true, s, nil
			})
			lists := 0
			client.PrependReactor("list", "pods", func(k8stesting.Action) (bool, runtime.Object, error) {
				lists++
				if lists > tc.podsGoneAfter {
					return true, &corev1.PodList{}, nil
				}
				return false, nil, nil
			})
			if tc.forbidDelete != "" {
				client.PrependReactor("delete", tc.forbidDelete, func(a k8stesting.Action) (bool, runtime.Object, error) {
					return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: tc.forbidDelete}, "x", nil)
				})
			}
			var out bytes.Buffer
			opts := tc.opts
			opts.Client, opts.Out, opts.Interval = client, &out, 10*time.Millisecond
			err := Webhooks(context.Background(), opts)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
			for _, line := range tc.wantOut {
				if !strings.Contains(out.String(), line+"\n") {
					t.Errorf("output lacks %q:\n%s", line, out.String())
				}
			}
			if scaled != tc.wantScaled {
				t.Errorf("scaled to zero = %v, want %v", scaled, tc.wantScaled)
			}
			exists := func(name string) bool {
				_, verr := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(context.Background(), name, metav1.GetOptions{})
				_, merr := client.AdmissionregistrationV1().MutatingWebhookConfigurations().Get(context.Background(), name, metav1.GetOptions{})
				return verr == nil || merr == nil
			}
			for _, name := range tc.wantGone {
				if exists(name) {
					t.Errorf("%s still exists", name)
				}
			}
			for _, name := range tc.wantKept {
				if !exists(name) {
					t.Errorf("%s was deleted", name)
				}
			}
		})
	}
}
