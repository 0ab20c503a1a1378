package version

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kanon-policy/kanon/internal/version"
	"sigs.k8s.io/yaml"
)

func TestRun(t *testing.T) {
	info := version.BuildInfo{Version: "v0.1.0", Commit: "c0ffee", BuildDate: "2026-11-01T10:00:00Z", GoVersion: "go1.26.8", Platform: "linux/arm/v7"}
	tests := []struct {
		name    string
		output  string
		info    version.BuildInfo
		want    string
		wantErr string
	}{
		{name: "text", info: info, want: "Version:    v0.1.0\nCommit:     c0ffee\nBuild date: 2026-11-01T10:00:00Z\nGo version: go1.26.8\nPlatform:   linux/arm/v7\n"},
		{name: "text unstamped", info: version.BuildInfo{Version: "dev", GoVersion: "go1.26.8", Platform: "linux/amd64"},
			want: "Version:    dev\nCommit:     unknown\nBuild date: unknown\nGo version: go1.26.8\nPlatform:   linux/amd64\n"},
		{name: "json", output: "json", info: info},
		{name: "yaml", output: "yaml", info: info},
		{name: "bad format", output: "table", info: info, wantErr: `--output "table": must be json or yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(Options{Output: tt.output}, tt.info, &out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch tt.output {
			case "":
				if out.String() != tt.want {
					t.Errorf("got\n%s\nwant\n%s", out.String(), tt.want)
				}
			case "json", "yaml":
				var got version.BuildInfo
				unmarshal := json.Unmarshal
				if tt.output == "yaml" {
					unmarshal = func(b []byte, v any) error { return yaml.UnmarshalStrict(b, v) }
				}
				if err := unmarshal(out.Bytes(), &got); err != nil {
					t.Fatalf("%s output does not parse: %v\n%s", tt.output, err, out.String())
				}
				if got != tt.info {
					t.Errorf("round trip: got %+v, want %+v", got, tt.info)
				}
				if !strings.Contains(out.String(), "buildDate") || !strings.Contains(out.String(), "goVersion") {
					t.Errorf("field names: %s", out.String())
				}
			}
		})
	}
}

func TestCommandRejectsArguments(t *testing.T) {
	cmd := NewCommand()
	cmd.SetArgs([]string{"extra"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil {
		t.Error("kanon version extra: no error")
	}
}
