package jp

import (
	"bytes"
	"strings"
	"testing"
)

func TestQuery(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: shop}
spec:
  containers:
  - {name: app, image: nginx:1.25}
  - {name: sidecar, image: envoy:1.30}
`
	tests := []struct {
		name    string
		opts    QueryOptions
		want    string
		wantErr string
	}{
		{name: "path", opts: QueryOptions{Queries: []string{"spec.containers[].image"}, Compact: true}, want: `["nginx:1.25","envoy:1.30"]` + "\n"},
		{name: "custom function", opts: QueryOptions{Queries: []string{"to_upper(metadata.name)"}, Unquoted: true}, want: "WEB\n"},
		{name: "default with ||", opts: QueryOptions{Queries: []string{"metadata.labels.team || 'none'"}}, want: "\"none\"\n"},
		{name: "missing key is an error", opts: QueryOptions{Queries: []string{"metadata.labels.team"}}, wantErr: "metadata.labels.team"},
		{name: "syntax error", opts: QueryOptions{Queries: []string{"spec.[["}}, wantErr: "spec.[["},
		{name: "no expression", opts: QueryOptions{}, wantErr: "no expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Query(tt.opts, strings.NewReader(pod), &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
}

func TestPrintFunctions(t *testing.T) {
	var out bytes.Buffer
	if err := PrintFunctions(&out, []string{"truncate"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Name: truncate") {
		t.Errorf("got %q", out.String())
	}
	if err := PrintFunctions(&out, []string{"no_such_function"}); err == nil {
		t.Error("want an error for an unknown function")
	}
	out.Reset()
	if err := PrintFunctions(&out, nil); err != nil || strings.Count(out.String(), "Name: ") < 50 {
		t.Errorf("want every function listed (at least 50), got %d: %v", strings.Count(out.String(), "Name: "), err)
	}
}
