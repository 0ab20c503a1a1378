package report

import "testing"

func TestPalette(t *testing.T) {
	on := Palette{Enabled: true}
	off := Palette{}
	tests := []struct {
		name, got, want string
	}{
		{"policy plain", off.Policy("", "p"), "p"},
		{"policy ns/name plain", off.Policy("", "ns/p"), "ns/p"},
		{"policy extra segments dropped", off.Policy("", "a/b/c"), "a/b"},
		{"policy namespace arg", off.Policy("ns", "p"), "ns/p"},
		{"policy coloured", on.Policy("", "ns/p"), "\x1b[36;1mns\x1b[0;22m/\x1b[36;1mp\x1b[0;22m"},
		{"rule coloured empty", on.Rule(""), "\x1b[36;1m\x1b[0;22m"},
		{"resource namespaced", off.Resource("Pod", "default", "x"), "default/Pod/x"},
		{"resource cluster", off.Resource("Namespace", "", "x"), "Namespace/x"},
		{"resource coloured", on.Resource("Pod", "default", "x"), "\x1b[36;1mdefault\x1b[0;22m/\x1b[36;1mPod\x1b[0;22m/\x1b[36;1mx\x1b[0;22m"},
		{"test resource key", off.TestResource("v1,Pod,default,x"), "v1/Pod/default/x"},
		{"test resource group key", off.TestResource("apps/v1,Deployment,ns,web"), "apps/v1/Deployment/ns/web"},
		{"test resource cluster key", off.TestResource("v1,Namespace,,prod"), "v1/Namespace//prod"},
		{"test resource bare name", off.TestResource("cm"), "/cm"},
		{"test resource coloured", on.TestResource("v1,Pod,default,x"), "\x1b[36;1mv1/Pod/default\x1b[0;22m/\x1b[36;1mx\x1b[0;22m"},
		{"pass", on.Pass(), "\x1b[32;1mPass\x1b[0;22m"},
		{"fail", on.Fail(), "\x1b[31;1mFail\x1b[0;22m"},
		{"warn", on.Warn(), "\x1b[33;1mWarn\x1b[0;22m"},
		{"error", on.Error(), "\x1b[31;1mError\x1b[0;22m"},
		{"skip", on.Skip(), "\x1b[36;1mSkip\x1b[0;22m"},
		{"excluded", on.Excluded(), "\x1b[33;1mExcluded\x1b[0;22m"},
		{"not found", on.NotFound(), "\x1b[33;1mNot found\x1b[0;22m"},
		{"invalid policy", on.InvalidPolicy(), "\x1b[33;1mInvalid Policy\x1b[0;22m"},
		{"result plain", off.Result("warn"), "Warn"},
		{"result unknown", off.Result("bogus"), ""},
		{"resource key", ResourceKey("v1", "Pod", "", "x"), "v1,Pod,,x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestDetectColors(t *testing.T) {
	env := func(kv map[string]string) func(string) string {
		return func(k string) string { return kv[k] }
	}
	tests := []struct {
		name   string
		remove bool
		env    map[string]string
		tty    bool
		want   ColorConfig
	}{
		{"terminal", false, nil, true, ColorConfig{Cells: true, Header: true}},
		{"pipe keeps header colour", false, nil, false, ColorConfig{Header: true}},
		{"remove-color", true, nil, true, ColorConfig{}},
		{"NO_COLOR", false, map[string]string{"NO_COLOR": "1"}, true, ColorConfig{Header: true}},
		{"dumb terminal", false, map[string]string{"TERM": "dumb"}, true, ColorConfig{Header: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectColors(tt.remove, env(tt.env), tt.tty); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if NewPalette(ColorConfig{Cells: true}) != (Palette{Enabled: true}) {
		t.Error("NewPalette")
	}
}

func TestStripANSI(t *testing.T) {
	if got := StripANSI("\x1b[32mgreen\x1b[0m and \x1b[31;1mred\x1b[0;22m"); got != "green and red" {
		t.Errorf("StripANSI = %q", got)
	}
}
