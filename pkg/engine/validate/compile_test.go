package validate

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAnchor(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		wantKind AnchorKind
		wantName string
	}{
		{"plain", "image", AnchorNone, "image"},
		{"condition", "(image)", AnchorCondition, "image"},
		{"global", "<(image)", AnchorGlobal, "image"},
		{"equality", "=(hostPID)", AnchorEquality, "hostPID"},
		{"existence", "^(containers)", AnchorExistence, "containers"},
		{"negation", "X(hostPath)", AnchorNegation, "hostPath"},
		{"add if not present", "+(labels)", AnchorAddIfNotPresent, "labels"},
		{"key with dots and slashes", "=(app.kubernetes.io/name)", AnchorEquality, "app.kubernetes.io/name"},
		{"key with wildcard", "(team*)", AnchorCondition, "team*"},
		{"surrounding spaces trimmed", "  =(a)  ", AnchorEquality, "a"},
		{"nested parentheses", "((a))", AnchorCondition, "(a)"},
		{"empty key is not an anchor", "()", AnchorNone, "()"},
		{"empty key with modifier is not an anchor", "X()", AnchorNone, "X()"},
		{"unknown modifier", "!(a)", AnchorNone, "!(a)"},
		{"lowercase x is not negation", "x(a)", AnchorNone, "x(a)"},
		{"modifier without parenthesis", "Xa)", AnchorNone, "Xa)"},
		{"missing closing parenthesis", "(a", AnchorNone, "(a"},
		{"text after parenthesis", "(a)b", AnchorNone, "(a)b"},
		{"newline in key", "(a\nb)", AnchorNone, "(a\nb)"},
		{"single char", "X", AnchorNone, "X"},
		{"empty", "", AnchorNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, name := ParseAnchor(tt.key)
			if kind != tt.wantKind || name != tt.wantName {
				t.Errorf("ParseAnchor(%q) = %v, %q; want %v, %q", tt.key, kind, name, tt.wantKind, tt.wantName)
			}
			if kind != AnchorNone {
				if got := AnchorString(kind, name); got != strings.TrimSpace(tt.key) {
					t.Errorf("AnchorString round trip = %q, want %q", got, strings.TrimSpace(tt.key))
				}
			}
		})
	}
}

func TestAnchorKindStrings(t *testing.T) {
	tests := []struct {
		name     string
		kind     AnchorKind
		modifier string
		str      string
	}{
		{"none", AnchorNone, "", "none"},
		{"condition", AnchorCondition, "", "condition"},
		{"global", AnchorGlobal, "<", "global"},
		{"equality", AnchorEquality, "=", "equality"},
		{"existence", AnchorExistence, "^", "existence"},
		{"negation", AnchorNegation, "X", "negation"},
		{"add", AnchorAddIfNotPresent, "+", "add-if-not-present"},
		{"unknown", AnchorKind(42), "", "AnchorKind(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.kind.Modifier() != tt.modifier || tt.kind.String() != tt.str {
				t.Errorf("got %q/%q, want %q/%q", tt.kind.Modifier(), tt.kind.String(), tt.modifier, tt.str)
			}
		})
	}
	if AnchorString(AnchorNone, "a") != "a" {
		t.Error("AnchorString(AnchorNone) must return the name")
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern any
		path    string
		msg     string // substring
	}{
		{
			name:    "add-if-not-present anchor",
			pattern: map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"+(image)": "x"}}}},
			path:    "spec.containers[0].+(image)", msg: "not supported in validate patterns",
		},
		{
			name:    "existence anchor on a map",
			pattern: map[string]any{"spec": map[string]any{"^(containers)": map[string]any{"name": "x"}}},
			path:    "spec.^(containers)", msg: "should have a value of type list",
		},
		{
			name:    "existence anchor on a scalar",
			pattern: map[string]any{"^(c)": "x"},
			path:    "^(c)", msg: "should have a value of type list, found string",
		},
		{
			name:    "existence anchor with empty list",
			pattern: map[string]any{"spec": map[string]any{"^(containers)": []any{}}},
			path:    "spec.^(containers)", msg: "should have at least one value",
		},
		{
			name:    "unsupported leaf type",
			pattern: map[string]any{"spec": map[string]any{"replicas": int32(3)}},
			path:    "spec.replicas", msg: "unsupported pattern type int32",
		},
		{
			name:    "unsupported root type",
			pattern: struct{}{},
			path:    "", msg: "unsupported pattern type struct {}",
		},
		{
			name:    "unsupported type in array",
			pattern: map[string]any{"a": []any{"x", []string{"y"}}},
			path:    "a[1]", msg: "unsupported pattern type []string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.pattern)
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile error = %v, want *CompileError", err)
			}
			if ce.Path != tt.path || !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("got path %q msg %q; want path %q msg containing %q", ce.Path, ce.Msg, tt.path, tt.msg)
			}
			wantText := tt.path + ": "
			if tt.path == "" {
				wantText = ""
			}
			if !strings.HasPrefix(err.Error(), wantText) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), wantText)
			}
		})
	}
}

func TestCompileValid(t *testing.T) {
	tests := []struct {
		name    string
		pattern any
	}{
		{"nil", nil},
		{"scalar", "x"},
		{"int", 3},
		{"int64", int64(3)},
		{"empty map", map[string]any{}},
		{"empty array", []any{}},
		{"all validate anchors", map[string]any{
			"(a)": "x", "<(b)": "y", "=(c)": "z", "^(d)": []any{map[string]any{"e": "f"}}, "X(g)": nil,
		}},
		{"existence with scalar elements compiles", map[string]any{"^(d)": []any{"x"}}},
		{"anchor-like keys that are not anchors", map[string]any{"()": 1.0, "!(a)": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if p.Raw() == nil && tt.pattern != nil {
				t.Error("Raw() lost the pattern")
			}
		})
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile did not panic on an invalid pattern")
		}
	}()
	MustCompile(map[string]any{"+(a)": "b"})
}

func TestCompiledOrder(t *testing.T) {
	p := MustCompile(decode(t, `{"z":1,"b":{"(c)":1},"<(g)":1,"a":1,"=(e)":1,"(d)":1,"X(f)":null,"^(h)":[{"i":1}],"<(a0)":1}`))
	var got1, got2 []string
	for _, e := range p.root.phase1 {
		got1 = append(got1, e.key)
	}
	for _, e := range p.root.phase2 {
		got2 = append(got2, e.key)
	}
	want1 := "(d) =(e) X(f) ^(h)"
	want2 := "<(a0) <(g) b a z"
	if strings.Join(got1, " ") != want1 || strings.Join(got2, " ") != want2 {
		t.Errorf("phase1 = %v (want %s), phase2 = %v (want %s)", got1, want1, got2, want2)
	}
}
