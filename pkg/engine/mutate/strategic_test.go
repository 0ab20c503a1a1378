package mutate

import (
	"reflect"
	"strings"
	"testing"

	sigsjson "sigs.k8s.io/json"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %q: %v", s, err)
	}
	return v
}

// Cases ported (as behaviour) from Kyverno's strategicPreprocessing_test.go,
// plus Kanon-specific ones.
func TestPreprocessStrategicMerge(t *testing.T) {
	tests := []struct {
		name     string
		patch    string
		resource string
		want     string // expected patch; "" when an error is expected
		skip     bool   // the error must satisfy IsSkip
		errHas   string // substring of the error
	}{
		{
			name:     "add-if-not-present kept, global anchor only element removed",
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":"true"}},"spec":{"volumes":[{"<(emptyDir)":{}}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"static-web","labels":{"role":"myrole"}},"spec":{"containers":[{"name":"web","image":"1nginx"}],"volumes":[{"emptyDir":{},"name":"cache-volume"},{"secret":{"secretName":"default-token-6gplg"},"name":"default-token-6gplg"}]}}`,
			want:     `{"metadata":{"annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":"true"}}}`,
		},
		{
			name:     "null value kept",
			patch:    `{"metadata":null}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[{"name":"hello","image":"busybox"}]}}`,
			want:     `{"metadata":null}`,
		},
		{
			name:     "conditional name wildcard copies resource name",
			patch:    `{"spec":{"containers":[{"(name)":"*","image":"gcr.io/google-containers/busybox:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[{"name":"hello","image":"busybox"}]}}`,
			want:     `{"spec":{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "two conditions, new field inserted",
			patch:    `{"spec":{"containers":[{"(name)":"*","(image)":"gcr.io/google-containers/busybox:*","new_filed":"must be inserted"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello2"},"spec":{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"}]}}`,
			want:     `{"spec":{"containers":[{"name":"hello","new_filed":"must be inserted"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "condition-only element removed (exact)",
			patch:    `{"spec":{"containers":[{"(image)":"gcr.io/google-containers/busybox:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello2"},"spec":{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"}]}}`,
			want:     `{"spec":{"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "condition-only element removed (wildcard)",
			patch:    `{"spec":{"containers":[{"(image)":"gcr.io/google-containers/busybox:*"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello2"},"spec":{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"}]}}`,
			want:     `{"spec":{"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "condition-only element removed, one container does not match",
			patch:    `{"spec":{"containers":[{"(image)":"gcr.io/google-containers/busybox:*"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},{"name":"hello2","image":"gcr.io/google-containers/busybox:latest"},{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}]}}`,
			want:     `{"spec":{"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "global anchor passes, add-if-not-present on two maps",
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":true},"labels":{"+(add-labels)":"add"}},"spec":{"volumes":[{"<(hostPath)":{"path":"*"}}]}}`,
			resource: `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"nginx"},"spec":{"containers":[{"name":"nginx","image":"nginx:latest","imagePullPolicy":"Never","volumeMounts":[{"mountPath":"/cache","name":"cache-volume"}]}],"volumes":[{"name":"cache-volume","hostPath":{"path":"/data","type":"Directory"}}]}}`,
			want:     `{"metadata":{"annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":true},"labels":{"add-labels":"add"}}}`,
		},
		{
			name:     "add-if-not-present dropped when present",
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":true}},"spec":{"volumes":[{"<(hostPath)":{"path":"*"}}]}}`,
			resource: `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"nginx","annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":"false"}},"spec":{"containers":[{"name":"nginx","image":"nginx:latest"}],"volumes":[{"name":"cache-volume","hostPath":{"path":"/data","type":"Directory"}}]}}`,
			want:     `{}`,
		},
		{
			name:     "all add-if-not-present keys already present",
			patch:    `{"metadata":{"annotations":{"+(alb.ingress.kubernetes.io/backend-protocol)":"HTTPS","+(alb.ingress.kubernetes.io/healthcheck-protocol)":"HTTPS","+(alb.ingress.kubernetes.io/scheme)":"internal","+(alb.ingress.kubernetes.io/target-type)":"ip","+(kubernetes.io/ingress.class)":"alb"}}}`,
			resource: `{"apiVersion":"extensions/v1beta1","kind":"Ingress","metadata":{"annotations":{"alb.ingress.kubernetes.io/backend-protocol":"HTTPS","alb.ingress.kubernetes.io/healthcheck-protocol":"HTTPS","alb.ingress.kubernetes.io/scheme":"internal","alb.ingress.kubernetes.io/target-type":"ip","external-dns.alpha.kubernetes.io/hostname":"argo","kubernetes.io/ingress.class":"test"},"labels":{"app":"argocd-server"},"name":"argocd","namespace":"default"}}`,
			want:     `{}`,
		},
		{
			name:     "add-if-not-present inside anchored list element",
			patch:    `{"spec":{"template":{"spec":{"containers":[{"(name)":"*","resources":{"limits":{"+(memory)":"300Mi","+(cpu)":"100"}}}]}}}}`,
			resource: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"qos-demo"},"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:latest","resources":{"limits":{"cpu":"50m"}}}]}}}}`,
			want:     `{"spec":{"template":{"spec":{"containers":[{"resources":{"limits":{"memory":"300Mi"}},"name":"nginx"}]}}}}`,
		},
		{
			name:     "conditional list anchor and per-container patch",
			patch:    `{"metadata":{"annotations":{"+(annotation1)":"atest1","+(annotation2)":"atest2"},"labels":{"+(label1)":"test1"}},"spec":{"(volumes)":[{"(hostPath)":{"path":"/var/run/docker.sock"}}],"containers":[{"(image)":"*:latest","command":["ls"],"imagePullPolicy":"Always"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"annotation1":"atest2"},"labels":{"label1":"test2","label2":"test2"},"name":"check-root-user"},"spec":{"containers":[{"command":["ll"],"image":"nginx:latest","imagePullPolicy":"Never","name":"nginx"},{"image":"busybox:latest","imagePullPolicy":"Never","name":"busybox"}],"volumes":[{"hostPath":{"path":"/var/run/docker.sock"},"name":"test-volume"}]}}`,
			want:     `{"metadata":{"annotations":{"annotation2":"atest2"}},"spec":{"containers":[{"command":["ls"],"imagePullPolicy":"Always","name":"nginx"},{"command":["ls"],"imagePullPolicy":"Always","name":"busybox"}]}}`,
		},
		{
			name:     "single add-if-not-present present",
			patch:    `{"metadata":{"annotations":{"+(annotation1)":"atest1"}}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"annotation1":"atest2"},"labels":{"label1":"test2"},"name":"check-root-user"}}`,
			want:     `{}`,
		},
		{
			name:     "null value in nested map kept",
			patch:    `{"metadata":{"annotations":{"annotation1":null}}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"annotation1":"atest2"},"name":"check-root-user"}}`,
			want:     `{"metadata":{"annotations":{"annotation1":null}}}`,
		},
		{
			name:     "global anchor nested in list element passes",
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":true}},"spec":{"volumes":[{"hostPath":{"<(path)":"*data"}}]}}`,
			resource: `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"nginx"},"spec":{"containers":[{"name":"nginx","image":"nginx:latest"}],"volumes":[{"name":"cache-volume","hostPath":{"path":"/data","type":"Directory"}}]}}`,
			want:     `{"metadata":{"annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":true}}}`,
		},
		{
			name:     "plain map plus two anchored lists",
			patch:    `{"spec":{"securityContext":{"runAsNonRoot":true},"initContainers":[{"(name)":"*","securityContext":{"runAsNonRoot":true}}],"containers":[{"(name)":"*","securityContext":{"runAsNonRoot":true}}]}}`,
			resource: `{"spec":{"initContainers":[{"name":"initbusy","image":"busybox:1.28","command":["sleep","9999"]}],"containers":[{"image":"busybox:1.28","name":"busybox","command":["sleep","9999"]}],"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["foo","bar"]}]},"topologyKey":"kubernetes.io/hostname"}]}}}}`,
			want:     `{"spec":{"securityContext":{"runAsNonRoot":true},"initContainers":[{"name":"initbusy","securityContext":{"runAsNonRoot":true}}],"containers":[{"name":"busybox","securityContext":{"runAsNonRoot":true}}]}}`,
		},
		{
			name:     "several elements match except one",
			patch:    `{"containers":[{"(name)":"hello?","image":"gcr.io/google-containers/busybox:1"}]}`,
			resource: `{"containers":[{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},{"name":"hello2","image":"gcr.io/google-containers/busybox:latest"},{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}]}`,
			want:     `{"containers":[{"name":"hello2","image":"gcr.io/google-containers/busybox:1"},{"name":"hello3","image":"gcr.io/google-containers/busybox:1"}]}`,
		},
		{
			name:     "non-existing condition key skips",
			patch:    `{"metadata":{"labels":{"(key1)":"value1"}},"spec":{"containers":[{"name":"busybox","image":"gcr.io/google-containers/busybox:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[{"name":"hello","image":"busybox"}]}}`,
			skip:     true,
			errHas:   `condition failed: could not found "key1" key in the resource`,
		},
		{
			name:     "nested conditionals with add-if-not-present",
			patch:    `{"spec":{"template":{"spec":{"volumes":[{"(emptyDir)":{"+(sizeLimit)":"20Mi"},"name":"*"}]}}}}`,
			resource: `{"spec":{"template":{"spec":{"volumes":[{"emptyDir":{},"name":"vol02"}]}}}}`,
			want:     `{"spec":{"template":{"spec":{"volumes":[{"emptyDir":{"sizeLimit":"20Mi"},"name":"vol02"}]}}}}`,
		},
		// Kanon cases.
		{
			name:     "top-level condition mismatch skips",
			patch:    `{"metadata":{"labels":{"(app)":"web","env":"prod"}}}`,
			resource: `{"metadata":{"labels":{"app":"db"}}}`,
			skip:     true,
			errHas:   "condition failed: app:",
		},
		{
			name:     "top-level condition match strips anchor",
			patch:    `{"metadata":{"labels":{"(app)":"web","env":"prod"}}}`,
			resource: `{"metadata":{"labels":{"app":"web"}}}`,
			want:     `{"metadata":{"labels":{"env":"prod"}}}`,
		},
		{
			name:     "global anchor mismatch in every element skips",
			patch:    `{"spec":{"containers":[{"<(imagePullPolicy)":"Always","(name)":"*","env":[{"name":"A","value":"1"}]}]}}`,
			resource: `{"spec":{"containers":[{"name":"a","imagePullPolicy":"Never"},{"name":"b","imagePullPolicy":"IfNotPresent"}]}}`,
			skip:     true,
			errHas:   "global condition failed",
		},
		{
			name:     "global anchor passes on one element",
			patch:    `{"spec":{"containers":[{"<(imagePullPolicy)":"Always"}],"x":1}}`,
			resource: `{"spec":{"containers":[{"name":"a","imagePullPolicy":"Never"},{"name":"b","imagePullPolicy":"Always"}]}}`,
			want:     `{"spec":{"x":1}}`,
		},
		{
			name:     "global anchor on an absent list skips",
			patch:    `{"spec":{"volumes":[{"<(hostPath)":{"path":"*"}}],"x":1}}`,
			resource: `{"spec":{}}`,
			skip:     true,
		},
		{
			name:     "conditional element on an absent list is dropped",
			patch:    `{"spec":{"volumes":[{"(hostPath)":{"path":"*"},"y":2}],"x":1}}`,
			resource: `{"spec":{}}`,
			want:     `{"spec":{"x":1}}`,
		},
		{
			name:     "top-level global anchor mismatch skips",
			patch:    `{"spec":{"<(replicas)":"3","paused":true}}`,
			resource: `{"spec":{"replicas":2}}`,
			skip:     true,
			errHas:   "global condition failed",
		},
		{
			name:     "scalars compare as text",
			patch:    `{"spec":{"(hostNetwork)":"true","(replicas)":3,"dnsPolicy":"Default"}}`,
			resource: `{"spec":{"hostNetwork":true,"replicas":"3"}}`,
			want:     `{"spec":{"dnsPolicy":"Default"}}`,
		},
		{
			name:     "operators in nested conditions",
			patch:    `{"spec":{"containers":[{"resources":{"limits":{"(memory)":">1Gi"}},"x":1}]}}`,
			resource: `{"spec":{"containers":[{"name":"big","resources":{"limits":{"memory":"2Gi"}}},{"name":"small","resources":{"limits":{"memory":"512Mi"}}}]}}`,
			want:     `{"spec":{"containers":[{"name":"big","x":1}]}}`,
		},
		{
			// As in Kyverno, a map-valued condition with plain content is
			// checked and then kept (without the anchor) in the patch.
			name:     "map-valued condition content stays in the patch",
			patch:    `{"spec":{"containers":[{"(resources)":{"limits":{"memory":">1Gi"}},"x":1}]}}`,
			resource: `{"spec":{"containers":[{"name":"big","resources":{"limits":{"memory":"2Gi"}}},{"name":"small","resources":{"limits":{"memory":"512Mi"}}}]}}`,
			want:     `{"spec":{"containers":[{"name":"big","resources":{"limits":{"memory":">1Gi"}},"x":1}]}}`,
		},
		{
			name:     "resource element without name is not targeted",
			patch:    `{"spec":{"items":[{"(k)":"v","x":1}]}}`,
			resource: `{"spec":{"items":[{"k":"v"}]}}`,
			want:     `{}`,
		},
		{
			name:     "add-if-not-present in a conditional element is resolved per element",
			patch:    `{"spec":{"containers":[{"(name)":"*","resources":{"limits":{"+(cpu)":"1","+(memory)":"1Gi"}}}]}}`,
			resource: `{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"2"}}},{"name":"b"}]}}`,
			want:     `{"spec":{"containers":[{"name":"a","resources":{"limits":{"memory":"1Gi"}}},{"name":"b","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}`,
		},
		{
			name:     "add-if-not-present beside a condition is not used up by a non-matching element",
			patch:    `{"spec":{"containers":[{"(name)":"web","+(imagePullPolicy)":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"name":"side","imagePullPolicy":"Never"},{"name":"web"}]}}`,
			want:     `{"spec":{"containers":[{"name":"web","imagePullPolicy":"Always"}]}}`,
		},
		{
			name:     "add-if-not-present in a conditional element whose key exists adds nothing",
			patch:    `{"spec":{"containers":[{"(name)":"web","+(imagePullPolicy)":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"name":"web","imagePullPolicy":"Never"}]}}`,
			want:     `{}`,
		},
		{
			name:     "plain name with add-if-not-present patches only that element",
			patch:    `{"spec":{"containers":[{"name":"b","image":"new","resources":{"requests":{"+(cpu)":"1"}}}]}}`,
			resource: `{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y","resources":{"requests":{"cpu":"2"}}},{"name":"c"}]}}`,
			want:     `{"spec":{"containers":[{"name":"b","image":"new"}]}}`,
		},
		{
			name:     "plain name with add-if-not-present and no such element adds it",
			patch:    `{"spec":{"initContainers":[{"name":"init","+(image)":"busybox"}]}}`,
			resource: `{"spec":{"containers":[{"name":"a"}]}}`,
			want:     `{"spec":{"initContainers":[{"name":"init","image":"busybox"}]}}`,
		},
		{
			name:     "plain name with a failing condition is dropped",
			patch:    `{"spec":{"containers":[{"name":"a","(image)":"*:latest","imagePullPolicy":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:latest"}]}}`,
			want:     `{}`,
		},
		{
			name:     "empty maps are dropped from the patch",
			patch:    `{"spec":{"volumes":[{"name":"cache","emptyDir":{}}]}}`,
			resource: `{"spec":{}}`,
			want:     `{"spec":{"volumes":[{"name":"cache"}]}}`,
		},
		{
			name:     "add-if-not-present of a whole map",
			patch:    `{"metadata":{"+(labels)":{"a":"b"}}}`,
			resource: `{"metadata":{"name":"x"}}`,
			want:     `{"metadata":{"labels":{"a":"b"}}}`,
		},
		{
			name:     "list of maps against a map is an error",
			patch:    `{"spec":[{"(a)":"b"}]}`,
			resource: `{"spec":{"a":"b"}}`,
			errHas:   "cannot patch a list onto a map",
		},
		{
			name:   "non-map patch is an error",
			patch:  `[1]`,
			errHas: "must be a map",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			patch := decode(t, tt.patch)
			var resource any
			if tt.resource != "" {
				resource = decode(t, tt.resource)
			}
			before := deepCopy(patch)
			got, err := PreprocessStrategicMerge(patch, resource)
			if !reflect.DeepEqual(before, patch) {
				t.Fatalf("input patch was modified")
			}
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want error, got %v", got)
				}
				if IsSkip(err) != tt.skip {
					t.Errorf("IsSkip(%v) = %v, want %v", err, IsSkip(err), tt.skip)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Errorf("error %q does not contain %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if want := decode(t, tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestDeleteAnchors(t *testing.T) {
	tests := []struct {
		name, in, want string
		del            bool
	}{
		{
			name: "condition element removed from list",
			in:   `{"spec":{"containers":[{"(name)":"*","image":"busybox:latest"},{"image":"busybox:latest","name":"hello"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			want: `{"spec":{"containers":[{"image":"busybox:latest","name":"hello"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name: "anchor with content becomes plain key",
			in:   `{"(a)":{"b":1},"(c)":"x"}`,
			want: `{"a":{"b":1}}`,
		},
		{
			name: "only conditions",
			in:   `{"(a)":"x","<(b)":"y"}`,
			want: `{}`,
			del:  true,
		},
		{
			name: "empty list kept",
			in:   `{"a":[]}`,
			want: `{"a":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, del := deleteAnchors(decode(t, tt.in), false, false)
			if del != tt.del {
				t.Errorf("delete = %v, want %v", del, tt.del)
			}
			if want := decode(t, tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestIsSkip(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"condition", &ConditionError{Err: errMismatch}, true},
		{"global", &ConditionError{Global: true, Err: errMismatch}, true},
		{"other", errMismatch, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSkip(tt.err); got != tt.want {
				t.Errorf("IsSkip = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzPreprocessStrategicMerge(f *testing.F) {
	f.Add(`{"spec":{"containers":[{"(name)":"*","+(x)":1,"<(image)":"a*"}]}}`, `{"spec":{"containers":[{"name":"a","image":"ab"},{"name":"b"}]}}`)
	f.Add(`{"metadata":{"+(labels)":{"(a)":"b"}}}`, `{"metadata":null}`)
	f.Add(`{"a":[{"(b)":[{"(c)":"d"}]},1,"(e)"]}`, `{"a":[{"b":[{"c":"d","name":"n"}],"name":"m"}]}`)
	f.Add(`{"spec":{"containers":[{"(name)":"*","resources":{"requests":{"+(memory)":"100Mi","+(cpu)":"100m"}}}]}}`, `{"spec":{"containers":[{"name":"a","resources":{"requests":{"memory":"1Gi"}}},{"name":"b"}]}}`)
	f.Add(`{"spec":{"containers":[{"(name)":"web","+(imagePullPolicy)":"Always"}]}}`, `{"spec":{"containers":[{"name":"side","imagePullPolicy":"Never"},{"name":"web"}]}}`)
	f.Add(`{"spec":{"volumes":[{"<(emptyDir)":{}}],"+(x)":[{"(y)":1}]}}`, `{"spec":{"volumes":[{"name":"v","hostPath":{}}]}}`)
	f.Add(`{"a":[[{"(b)":1}]],"(c)":"1-3"}`, `{"a":[[{"b":1}]],"c":2}`)
	f.Fuzz(func(t *testing.T, p, r string) {
		var patch, resource any
		if sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(p), &patch) != nil {
			return
		}
		if sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(r), &resource) != nil {
			return
		}
		pc, rc := deepCopy(patch), deepCopy(resource)
		got1, err1 := PreprocessStrategicMerge(patch, resource)
		if !reflect.DeepEqual(pc, patch) || !reflect.DeepEqual(rc, resource) {
			t.Fatal("inputs modified")
		}
		got2, err2 := PreprocessStrategicMerge(patch, resource)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(got1, got2) {
			t.Fatalf("not deterministic: %v / %v", err1, err2)
		}
		if err1 == nil && got1 == nil {
			t.Fatal("nil patch without error")
		}
		if err1 != nil && !IsSkip(err1) && got1 != nil {
			t.Fatalf("error %v with a patch %v", err1, got1)
		}
	})
}

func decodeQuiet(s string) any {
	var v any
	if sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(s), &v) != nil {
		return nil
	}
	return v
}
