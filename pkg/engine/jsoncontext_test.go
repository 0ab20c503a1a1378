package engine

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/kanon-policy/kanon/pkg/engine/match"
)

// TestLazyRequestContext checks that a context that prepares the request
// (normalization, images) as queries read it answers every query as a
// context prepared in full up front does, whatever the order of queries,
// writes and child contexts.
func TestLazyRequestContext(t *testing.T) {
	newRequest := func() *Request {
		return &Request{
			Object: map[string]any{
				"apiVersion": "v1",
				"kind":       "Pod",
				"metadata":   map[string]any{"name": "p", "namespace": "ns", "labels": map[string]any{"app": "x"}, "annotations": map[string]any(nil)},
				"spec": map[string]any{
					"terminationGracePeriodSeconds": int64(30),
					"containers": []any{
						map[string]any{"name": "a", "image": "nginx:1.2", "ports": []any{map[string]any{"containerPort": int64(80)}}},
						map[string]any{"name": "b", "image": "ghcr.io/x/y@sha256:" + sha, "securityContext": map[string]any{"runAsUser": int64(0)}},
					},
					"volumes": []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}},
				},
			},
			User:   &match.UserInfo{Username: "system:serviceaccount:ns:sa", Groups: []string{"g"}},
			Values: map[string]any{"request.kind": map[string]any{"kind": "Pod", "n": int64(1)}, "dictionary.data.env": "prod"},
		}
	}
	type step struct {
		query string
		set   string // setPath of value
		value any
		child bool // continue in a child context
	}
	q := func(expr string) step { return step{query: expr} }
	cases := []struct {
		name  string
		steps []step
	}{
		{name: "paths then whole", steps: []step{
			q("request.object.spec.containers[].ports[].containerPort"),
			q("request.object.spec.terminationGracePeriodSeconds > `10`"),
			q("request.object.metadata.annotations"),
			q("request.object"),
			q("@"),
		}},
		{name: "whole first", steps: []step{q("request"), q("request.object.spec.containers[1].securityContext.runAsUser")}},
		{name: "values and user", steps: []step{
			q("request.kind.n"), q("request.userInfo"), q("request.roles"), q("serviceAccountName"), q("dictionary.data"),
		}},
		{name: "images", steps: []step{
			q("images.containers.a.tag"), {child: true}, q("images.containers.b.digest"), q("sort(keys(@))"),
		}},
		{name: "images replaced by a value", steps: []step{
			{child: true}, {set: "images.extra", value: int64(2)}, q("images"), q("images.extra == `2`"),
		}},
		{name: "request value in a child", steps: []step{
			q("request.object.metadata.name"), {child: true}, {set: "request.object.metadata.name", value: "q"},
			q("request.object.metadata.name"), q("request.object.spec.terminationGracePeriodSeconds"), q("request.operation"),
		}},
		{name: "children share the work", steps: []step{
			{child: true}, q("request.object.spec.containers[0]"), {child: true}, q("request.object.spec"),
			{child: true}, q("request.object.spec.containers[?ports[?containerPort == `80`]].name"),
		}},
		{name: "functions and filters", steps: []step{
			q("length(request.object.spec.containers)"), q("sort(request.object.spec.volumes[].keys(@)[])"),
			q("request.object.spec.[initContainers, containers][]"), q("request.object.missing || 'none'"),
			q("request.object.spec.terminationGracePeriodSeconds.deeper"),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lazy := newRequestContext(newRequest())
			full := newRequestContext(newRequest())
			full.prepare(nil)
			for i, s := range tc.steps {
				switch {
				case s.child:
					lazy, full = lazy.child(), full.child()
				case s.set != "":
					lazy.setPath(s.set, s.value)
					full.setPath(s.set, s.value)
				default:
					got, gotErr := lazy.Query(s.query)
					want, wantErr := full.Query(s.query)
					if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
						t.Errorf("step %d, %s: got %#v, %v; want %#v, %v", i, s.query, got, gotErr, want, wantErr)
					}
				}
			}
		})
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
