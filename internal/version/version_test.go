package version

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.time", Value: "2026-11-01T10:00:00Z"},
		},
	}
	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	tests := []struct {
		name                  string
		ver, commit, date     string
		bi                    *debug.BuildInfo
		wantVer, wantC, wantD string
	}{
		{name: "stamped wins over build info", ver: "v0.1.0", commit: "c0ffee", date: "2026-01-02T03:04:05Z", bi: vcs,
			wantVer: "v0.1.0", wantC: "c0ffee", wantD: "2026-01-02T03:04:05Z"},
		{name: "unstamped falls back to vcs", ver: "dev", bi: vcs, wantVer: "dev", wantC: "abc123", wantD: "2026-11-01T10:00:00Z"},
		{name: "go install uses the module version", ver: "dev", bi: installed, wantVer: "v1.2.3"},
		{name: "no build info", ver: "dev", wantVer: "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.ver, tt.commit, tt.date, tt.bi)
			if got.Version != tt.wantVer || got.Commit != tt.wantC || got.BuildDate != tt.wantD {
				t.Errorf("got %+v, want version %q commit %q date %q", got, tt.wantVer, tt.wantC, tt.wantD)
			}
			if got.GoVersion != runtime.Version() || !strings.HasPrefix(got.Platform, runtime.GOOS+"/"+runtime.GOARCH) {
				t.Errorf("go version/platform: %+v", got)
			}
		})
	}
}

func TestLDFlags(t *testing.T) {
	got, err := LDFlags("v0.1.0", "c0ffee", "2026-01-02T03:04:05Z")
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com/kanon-policy/kanon/internal/version"
	want := "-X " + pkg + ".Version=v0.1.0 -X " + pkg + ".Commit=c0ffee -X " + pkg + ".Date=2026-01-02T03:04:05Z"
	if got != want {
		t.Errorf("LDFlags:\n got %s\nwant %s", got, want)
	}
	for name, args := range map[string][3]string{
		"empty commit":     {"v1", "", "d"},
		"space in version": {"v 1", "c", "d"},
		"quote in date":    {"v1", "c", "d'"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := LDFlags(args[0], args[1], args[2]); err == nil {
				t.Errorf("LDFlags(%q) accepted", args)
			}
		})
	}
}
