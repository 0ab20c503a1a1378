package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFile(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		args    []string
		want    map[string]string
		wantErr string
	}{
		{name: "settings from the file", file: "namespace: kanon\nservice-name: kanon-svc\nleader-elect: false\nwebhook-timeout-seconds: 15\ncert-ip: [127.0.0.1, 10.0.0.1]\n",
			want: map[string]string{"namespace": "kanon", "service-name": "kanon-svc", "leader-elect": "false", "webhook-timeout-seconds": "15", "cert-ip": "[127.0.0.1,10.0.0.1]"}},
		{name: "command line wins", file: "namespace: from-file\n", args: []string{"--namespace", "from-flag"}, want: map[string]string{"namespace": "from-flag"}},
		{name: "unknown setting", file: "namespcae: kanon\n", wantErr: `unknown setting "namespcae"`},
		{name: "bad value", file: "leader-elect: maybe\n", wantErr: "leader-elect:"},
		{name: "malformed YAML", file: "namespace: [\n", wantErr: "--config"},
		{name: "two documents", file: "a: 1\n---\nb: 2\n", wantErr: "want one YAML document"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "serve.yaml")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := NewCommand()
			if err := cmd.ParseFlags(append(tc.args, "--config", path)); err != nil {
				t.Fatal(err)
			}
			err := cmd.PreRunE(cmd, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if got := cmd.Flags().Lookup(k).Value.String(); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
