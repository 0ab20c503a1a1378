package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// breaks are the ways a violating Pod breaks the Pod Security policies,
// cycled through; each breaks at least one baseline control, and leaving
// the restricted settings out breaks several restricted ones too.
var breaks = []func(*corev1.Pod){
	func(p *corev1.Pod) {
		sc := p.Spec.Containers[0].SecurityContext
		sc.Privileged, sc.AllowPrivilegeEscalation = ptr.To(true), nil
	},
	func(p *corev1.Pod) {
		p.Spec.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_ADMIN", "SYS_TIME"}
	},
	func(p *corev1.Pod) { p.Spec.HostNetwork = true; p.Spec.Containers[0].Ports[0].HostPort = 8080 },
	func(p *corev1.Pod) { p.Spec.Containers[0].SecurityContext = nil; p.Spec.SecurityContext = nil },
	func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"}}})
	},
}

// benchPod is a two-container Pod (an init container and an app) that
// passes every baseline and restricted control; violating (index into
// breaks, or -1) makes it break some.
func benchPod(name, namespace string, violating int) *corev1.Pod {
	restricted := func() *corev1.SecurityContext {
		return &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}
	}
	p := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace,
			Labels:      map[string]string{"app.kubernetes.io/name": "bench", "app.kubernetes.io/part-of": "kanon-bench", "tier": "backend"},
			Annotations: map[string]string{"kanon.dev/bench": "admission"}},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](10001), RunAsGroup: ptr.To[int64](10001), FSGroup: ptr.To[int64](10001),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			InitContainers: []corev1.Container{{
				Name: "migrate", Image: "registry.example.com/bench/migrate:1.4.2", Command: []string{"/migrate", "--once"},
				SecurityContext: restricted(),
			}},
			Containers: []corev1.Container{{
				Name: "app", Image: "registry.example.com/bench/app:1.4.2", Args: []string{"--listen=:8080", "--log-format=json"},
				Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Env:             []corev1.EnvVar{{Name: "MODE", Value: "production"}, {Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}},
				VolumeMounts:    []corev1.VolumeMount{{Name: "cache", MountPath: "/cache"}, {Name: "config", MountPath: "/etc/app", ReadOnly: true}},
				SecurityContext: restricted(),
			}},
			Volumes: []corev1.Volume{
				{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}}}},
			},
		},
	}
	if violating >= 0 {
		breaks[violating%len(breaks)](p)
	}
	return p
}

// defaulted returns the Pod as the API server would hand it to a webhook:
// dry-run created in Kanon's namespace (excluded from Kanon's webhooks), so
// it has the API server's defaults, its UID and managed fields; then moved
// to namespace.
func (c *cluster) defaulted(ctx context.Context, p *corev1.Pod, namespace string) ([]byte, error) {
	p = p.DeepCopy()
	p.Namespace = kanonNamespace
	out, err := c.kube.CoreV1().Pods(kanonNamespace).Create(ctx, p, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return nil, fmt.Errorf("dry-run creating Pod %s: %w", p.Name, err)
	}
	out.Namespace = namespace
	out.APIVersion, out.Kind = "v1", "Pod"
	return json.Marshal(out)
}

// review is a pre-built AdmissionReview body and the answer it should get.
// Its Pod is named namePlaceholder, overwritten per request (withName) so
// every review names a new Pod, as real traffic does: events about
// distinct Pods are not folded into one series.
type review struct {
	body      []byte
	violating bool
	names     []int // offsets of namePlaceholder's digits in body
}

// namePlaceholder is the Pod name in a pre-built review; its digits are
// replaced by a request number.
const namePlaceholder = "bench-pod-000000000"

// withName returns a copy of the review's body naming Pod n.
func (r review) withName(n int) []byte {
	out := make([]byte, len(r.body))
	copy(out, r.body)
	digits := fmt.Appendf(nil, "%09d", n%1_000_000_000)
	for _, at := range r.names {
		copy(out[at:], digits)
	}
	return out
}

// buildReviews makes n compliant and n violating CREATE reviews.
func (c *cluster) buildReviews(ctx context.Context, n int, namespace string) (compliant, violating []review, err error) {
	for i := 0; i < 2*n; i++ {
		v := -1
		if i >= n {
			v = i - n
		}
		obj, err := c.defaulted(ctx, benchPod(namePlaceholder, namespace, v), namespace)
		if err != nil {
			return nil, nil, err
		}
		r := admissionv1.AdmissionReview{
			TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
			Request: &admissionv1.AdmissionRequest{
				UID:             types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", i)),
				Kind:            metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
				Resource:        metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
				RequestKind:     &metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
				RequestResource: &metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
				Name:            namePlaceholder,
				Namespace:       namespace,
				Operation:       admissionv1.Create,
				UserInfo:        authenticationv1.UserInfo{Username: "system:serviceaccount:" + namespace + ":deployer", Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated"}},
				Object:          runtime.RawExtension{Raw: obj},
				Options:         runtime.RawExtension{Raw: []byte(`{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions","fieldManager":"kanon-bench"}`)},
				DryRun:          ptr.To(false),
			},
		}
		body, err := json.Marshal(r)
		if err != nil {
			return nil, nil, err
		}
		rv := review{body: body, violating: v >= 0}
		prefix := []byte(namePlaceholder[:len(namePlaceholder)-9])
		for at := 0; ; {
			i := bytes.Index(body[at:], prefix)
			if i < 0 {
				break
			}
			at += i + len(prefix)
			rv.names = append(rv.names, at)
		}
		if v < 0 {
			compliant = append(compliant, rv)
		} else {
			violating = append(violating, rv)
		}
	}
	return compliant, violating, nil
}
