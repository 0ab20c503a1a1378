package mutate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/filters/patchstrategicmerge"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

const mergeDeployment = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"wordpress","labels":{"app":"wordpress"}},
"spec":{"replicas":2,"selector":{"matchLabels":{"app":"wordpress"}},"strategy":{"type":"Recreate"},
"template":{"metadata":{"labels":{"app":"wordpress"}},"spec":{
"containers":[{"image":"wordpress:4.8-apache","name":"wordpress","ports":[{"containerPort":80,"name":"wordpress"}],
"volumeMounts":[{"name":"wordpress-persistent-storage","mountPath":"/var/www/html"}],
"env":[{"name":"WORDPRESS_DB_HOST","value":"wordpress-mysql"}]}],
"volumes":[{"name":"wordpress-persistent-storage","persistentVolumeClaim":{"claimName":"wp-pv-claim"}}]}}}}`

const mergePod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[
{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello2","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}]}}`

// Cases ported (as behaviour) from Kyverno's strategicMergePatch_test.go and
// the kinds of patches its mutate tests rely on.
func TestStrategicMerge(t *testing.T) {
	tests := []struct {
		name     string
		resource string
		patch    string
		want     string // "" when an error is expected
		skip     bool   // the error must satisfy IsSkip
		errHas   string
	}{
		{
			name:     "add labels",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			patch:    `{"metadata":{"labels":{"team":"t","app":"b"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"b","team":"t"}},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
		},
		{
			name:     "wordpress: containers and env merged by name, patch elements first",
			resource: mergeDeployment,
			patch: `{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx"},
{"name":"wordpress","env":[{"name":"WORDPRESS_DB_HOST","value":"$(MYSQL_SERVICE)"},{"name":"WORDPRESS_DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"mysql-pass","key":"password"}}}]}],
"initContainers":[{"name":"init-command","image":"debian","command":["echo $(WORDPRESS_SERVICE)","echo $(MYSQL_SERVICE)"]}]}}}}`,
			want: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"wordpress","labels":{"app":"wordpress"}},
"spec":{"replicas":2,"selector":{"matchLabels":{"app":"wordpress"}},"strategy":{"type":"Recreate"},
"template":{"metadata":{"labels":{"app":"wordpress"}},"spec":{
"containers":[{"name":"nginx","image":"nginx"},{"image":"wordpress:4.8-apache","name":"wordpress","ports":[{"containerPort":80,"name":"wordpress"}],
"volumeMounts":[{"name":"wordpress-persistent-storage","mountPath":"/var/www/html"}],
"env":[{"name":"WORDPRESS_DB_HOST","value":"$(MYSQL_SERVICE)"},{"name":"WORDPRESS_DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"mysql-pass","key":"password"}}}]}],
"initContainers":[{"name":"init-command","image":"debian","command":["echo $(WORDPRESS_SERVICE)","echo $(MYSQL_SERVICE)"]}],
"volumes":[{"name":"wordpress-persistent-storage","persistentVolumeClaim":{"claimName":"wp-pv-claim"}}]}}}}`,
		},
		{
			name:     "condition matches first elements of the list",
			resource: mergePod,
			patch:    `{"spec":{"containers":[{"(image)":"gcr.io/google-containers/busybox:*"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[
{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello2","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "condition matches third element of the list",
			resource: mergePod,
			patch:    `{"spec":{"containers":[{"(image)":"gcr.io/google-containers/nginx:*"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[
{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello2","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}],"imagePullSecrets":[{"name":"regcred"}]}}`,
		},
		{
			name:     "conditional element sets a field only on matching containers",
			resource: mergePod,
			patch:    `{"spec":{"containers":[{"(image)":"*:latest","imagePullPolicy":"IfNotPresent"}]}}`,
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[
{"name":"hello","image":"gcr.io/google-containers/busybox:latest","imagePullPolicy":"IfNotPresent"},
{"name":"hello2","image":"gcr.io/google-containers/busybox:latest","imagePullPolicy":"IfNotPresent"},
{"name":"hello3","image":"gcr.io/google-containers/nginx:latest","imagePullPolicy":"IfNotPresent"}]}}`,
		},
		{
			name:     "add-if-not-present adds a missing key",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"1"}}}`,
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":"true"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"1","cluster-autoscaler.kubernetes.io/safe-to-evict":"true"}}}`,
		},
		{
			name:     "add-if-not-present keeps an existing value",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":"false"}}}`,
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":"true"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":"false"}}}`,
		},
		{
			name:     "global anchor holds: annotation added",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":[{"name":"cache","emptyDir":{}}]}}`,
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":"true"}},"spec":{"volumes":[{"<(emptyDir)":{}}]}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"cluster-autoscaler.kubernetes.io/safe-to-evict":"true"}},"spec":{"volumes":[{"name":"cache","emptyDir":{}}]}}`,
		},
		{
			name:     "global anchor fails: skip",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":[{"name":"s","secret":{"secretName":"s"}}]}}`,
			patch:    `{"metadata":{"annotations":{"+(cluster-autoscaler.kubernetes.io/safe-to-evict)":"true"}},"spec":{"volumes":[{"<(emptyDir)":{}}]}}`,
			skip:     true,
		},
		{
			name:     "conditional anchor fails: skip",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"env":"dev"}}}`,
			patch:    `{"metadata":{"labels":{"(env)":"prod","tier":"gold"}}}`,
			skip:     true,
		},
		{
			name:     "conditional anchor on a missing key: skip",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`,
			patch:    `{"metadata":{"labels":{"(env)":"prod","tier":"gold"}}}`,
			skip:     true,
		},
		{
			name:     "conditional anchor holds",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"env":"prod"}}}`,
			patch:    `{"metadata":{"labels":{"(env)":"prod","tier":"gold"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"env":"prod","tier":"gold"}}}`,
		},
		{
			name:     "$patch: delete removes a container by name",
			resource: mergePod,
			patch:    `{"spec":{"containers":[{"name":"hello2","$patch":"delete"}]}}`,
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[
{"name":"hello","image":"gcr.io/google-containers/busybox:latest"},
{"name":"hello3","image":"gcr.io/google-containers/nginx:latest"}]}}`,
		},
		{
			name:     "$patch: delete removes a map",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{"securityContext":{"runAsUser":1000}}}`,
			patch:    `{"spec":{"securityContext":{"$patch":"delete"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"}},"spec":{}}`,
		},
		{
			name:     "$patch: replace replaces a map",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b","c":"d"}}}`,
			patch:    `{"metadata":{"labels":{"$patch":"replace","x":"y"}}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"x":"y"}}}`,
		},
		{
			name:     "$patch: replace replaces a list",
			resource: mergePod,
			patch:    `{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"nginx"}]}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hello"},"spec":{"containers":[{"name":"only","image":"nginx"}]}}`,
		},
		{
			name:     "top-level $patch: delete is an error",
			resource: mergePod,
			patch:    `{"$patch":"delete"}`,
			errHas:   "deletes the resource",
		},
		{
			name:     "null removes a field",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"1","b":"2"}},"spec":{"nodeName":"n1","hostNetwork":true}}`,
			patch:    `{"metadata":{"annotations":{"a":null}},"spec":{"nodeName":null}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"b":"2"}},"spec":{"hostNetwork":true}}`,
		},
		{
			name:     "volumes merged by name, nested maps merged",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":[{"name":"cache","emptyDir":{"sizeLimit":"1Gi"}},{"name":"cfg","configMap":{"name":"c"}}]}}`,
			patch:    `{"spec":{"volumes":[{"name":"cache","emptyDir":{"medium":"Memory"}},{"name":"tmp","hostPath":{"path":"/tmp"}}]}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"volumes":[{"name":"cache","emptyDir":{"sizeLimit":"1Gi","medium":"Memory"}},{"name":"tmp","hostPath":{"path":"/tmp"}},{"name":"cfg","configMap":{"name":"c"}}]}}`,
		},
		{
			name:     "env and volumeMounts inside a container merged by key",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"volumeMounts":[{"name":"v","mountPath":"/data"}]}]}}`,
			patch:    `{"spec":{"containers":[{"name":"c","env":[{"name":"B","value":"3"}],"volumeMounts":[{"name":"v","mountPath":"/data","readOnly":true}]}]}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"B","value":"3"},{"name":"A","value":"1"}],"volumeMounts":[{"name":"v","mountPath":"/data","readOnly":true}]}]}}`,
		},
		{
			name:     "ports merged by containerPort",
			resource: mergeDeployment,
			patch:    `{"spec":{"template":{"spec":{"containers":[{"name":"wordpress","ports":[{"containerPort":80,"hostPort":8080}]}]}}}}`,
			want: `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"wordpress","labels":{"app":"wordpress"}},
"spec":{"replicas":2,"selector":{"matchLabels":{"app":"wordpress"}},"strategy":{"type":"Recreate"},
"template":{"metadata":{"labels":{"app":"wordpress"}},"spec":{
"containers":[{"image":"wordpress:4.8-apache","name":"wordpress","ports":[{"containerPort":80,"name":"wordpress","hostPort":8080}],
"volumeMounts":[{"name":"wordpress-persistent-storage","mountPath":"/var/www/html"}],
"env":[{"name":"WORDPRESS_DB_HOST","value":"wordpress-mysql"}]}],
"volumes":[{"name":"wordpress-persistent-storage","persistentVolumeClaim":{"claimName":"wp-pv-claim"}}]}}}}`,
		},
		{
			name:     "scalar lists are replaced",
			resource: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","args":["a","b"]}]}}`,
			patch:    `{"spec":{"containers":[{"name":"c","args":["z"]}]}}`,
			want:     `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","args":["z"]}]}}`,
		},
		{
			name:     "numbers and string look-alikes keep their types",
			resource: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"n":"1","b":"true","z":"null"},"x":{"i":9007199254740993,"f":1.5}}`,
			patch:    `{"data":{"y":"yes","o":"0x10"},"x":{"g":2.25,"j":3,"e":1e30,"k":"010"}}`,
			want:     `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"n":"1","b":"true","z":"null","y":"yes","o":"0x10"},"x":{"i":9007199254740993,"f":1.5,"g":2.25,"j":3,"e":1e30,"k":"010"}}`,
		},
		{
			name:     "empty patch leaves the resource unchanged",
			resource: mergeDeployment,
			patch:    `{}`,
			want:     mergeDeployment,
		},
		{
			name:     "patch that is not a map is an error",
			resource: mergePod,
			patch:    `[{"a":1}]`,
			errHas:   "must be a map",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode(t, tt.resource).(map[string]any)
			pat := decode(t, tt.patch)
			resCopy, patCopy := deepCopy(res), deepCopy(pat)
			got, err := StrategicMerge(res, pat)
			if !reflect.DeepEqual(res, resCopy) || !reflect.DeepEqual(pat, patCopy) {
				t.Fatal("inputs modified")
			}
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error, got %v", got)
				}
				if IsSkip(err) != tt.skip {
					t.Fatalf("IsSkip(%v) = %v, want %v", err, IsSkip(err), tt.skip)
				}
				if tt.errHas != "" && !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error %q does not contain %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want := decode(t, tt.want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %s\nwant %s", mustJSON(got), mustJSON(want))
			}
			// Same result as Kyverno's JSON round trip through kyaml.
			if ref, err := referenceMerge(tt.resource, pat, res); err != nil {
				t.Fatalf("reference: %v", err)
			} else if !reflect.DeepEqual(got, ref) {
				t.Fatalf("differs from the JSON round trip:\ngot %s\nref %s", mustJSON(got), mustJSON(ref))
			}
		})
	}
}

// referenceMerge merges the way Kyverno does, through JSON text: the resource
// JSON and the pre-processed patch JSON are parsed as YAML, merged with the
// filter, printed as YAML, decoded and re-encoded as JSON.
func referenceMerge(resource string, patch any, res map[string]any) (map[string]any, error) {
	pre, err := PreprocessStrategicMerge(patch, res)
	if err != nil {
		return nil, err
	}
	pb, err := json.Marshal(pre)
	if err != nil {
		return nil, err
	}
	initKustomizeSchema()
	pn, err := kyaml.Parse(string(pb))
	if err != nil {
		return nil, err
	}
	rn, err := kyaml.Parse(resource)
	if err != nil {
		return nil, err
	}
	nodes, err := patchstrategicmerge.Filter{Patch: pn}.Filter([]*kyaml.RNode{rn})
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 {
		return nil, fmt.Errorf("filter returned %d nodes", len(nodes))
	}
	s, err := nodes[0].String()
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := kyaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

func TestStrategicMergeConcurrent(t *testing.T) {
	res := decode(t, mergeDeployment).(map[string]any)
	pat := decode(t, `{"metadata":{"labels":{"+(team)":"t"}},"spec":{"template":{"spec":{"containers":[{"(name)":"*","imagePullPolicy":"Always","env":[{"name":"X","value":"1"}]},{"name":"sidecar","image":"envoy"}],"volumes":[{"name":"tmp","emptyDir":{}}]}}}}`)
	want, err := StrategicMerge(res, pat)
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range rounds {
				got, err := StrategicMerge(res, pat)
				if err != nil {
					errs <- err
					return
				}
				if !reflect.DeepEqual(got, want) {
					errs <- fmt.Errorf("got %s, want %s", mustJSON(got), mustJSON(want))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkStrategicMerge(b *testing.B) {
	res := decode(b, mergeDeployment).(map[string]any)
	pat := decode(b, `{"metadata":{"labels":{"+(team)":"t"}},"spec":{"template":{"spec":{"containers":[{"(name)":"*","imagePullPolicy":"Always"},{"name":"sidecar","image":"envoy"}],"volumes":[{"name":"tmp","emptyDir":{}}]}}}}`)
	if _, err := StrategicMerge(res, pat); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := StrategicMerge(res, pat); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzStrategicMerge checks that the direct node conversion gives what
// Kyverno's JSON round trip gives, and that inputs are never modified.
func FuzzStrategicMerge(f *testing.F) {
	f.Add(mergeDeployment, `{"spec":{"template":{"spec":{"containers":[{"(name)":"*","imagePullPolicy":"Always"},{"name":"x","image":"y"}]}}}}`)
	f.Add(mergePod, `{"spec":{"containers":[{"name":"hello2","$patch":"delete"}],"n":1.0,"f":0.5,"s":"0x1F"}}`)
	f.Add(`{"kind":"Pod","metadata":{"labels":{"a":"b"}},"x":[1,2.5,"3",null,true]}`, `{"metadata":{"labels":{"$patch":"replace","c":null}},"x":[{"a":1}]}`)
	f.Fuzz(func(t *testing.T, r, p string) {
		var resAny, pat any
		if sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(r), &resAny) != nil ||
			sigsjson.UnmarshalCaseSensitivePreserveInts([]byte(p), &pat) != nil {
			return
		}
		res, ok := resAny.(map[string]any)
		if !ok || res == nil {
			return
		}
		resCopy, patCopy := deepCopy(res), deepCopy(pat)
		got, err := StrategicMerge(res, pat)
		if !reflect.DeepEqual(res, resCopy) || !reflect.DeepEqual(pat, patCopy) {
			t.Fatal("inputs modified")
		}
		rb, _ := json.Marshal(res)
		ref, rerr := referenceMerge(string(rb), pat, res)
		if err != nil || rerr != nil {
			return // error texts and nil-results differ by construction
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("differs from the JSON round trip:\ngot %s\nref %s", mustJSON(got), mustJSON(ref))
		}
	})
}
