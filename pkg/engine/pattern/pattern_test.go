package pattern

import (
	"encoding/json"
	"strings"
	"testing"
)

type matchCase struct {
	name    string
	pattern any
	res     any
	want    bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Compile(tc.pattern)
			if err != nil {
				t.Fatalf("Compile(%#v): %v", tc.pattern, err)
			}
			if got := v.Match(tc.res); got != tc.want {
				t.Errorf("Compile(%#v).Match(%#v) = %v, want %v", tc.pattern, tc.res, got, tc.want)
			}
		})
	}
}

func TestMatchBool(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"true vs true", true, true, true},
		{"true vs false", true, false, false},
		{"false vs false", false, false, true},
		{"false vs true", false, true, false},
		{"true vs string true", true, "true", false},
		{"false vs nil", false, nil, false},
		{"true vs 1", true, float64(1), false},
	})
}

func TestMatchInt(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"int vs int", 7, 7, true},
		{"int vs int64", 7, int64(7), true},
		{"int64 vs int", int64(7), 7, true},
		{"int vs other int", 7, 8, false},
		{"int vs integral float", 7, 7.0, true},
		{"int vs fractional float", 7, 7.000001, false},
		{"int vs numeric string", 7, "7", true},
		{"int vs signed numeric string", 7, "+7", true},
		{"int vs float string", 7, "7.0", false},
		{"int vs quantity string", 1024, "1Ki", false},
		{"int vs non numeric string", 7, "seven", false},
		{"int vs bool", 1, true, false},
		{"int vs nil", 0, nil, false},
		{"int vs map", 0, map[string]any{}, false},
		{"negative int", -3, float64(-3), true},
	})
}

func TestMatchFloat(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"float vs equal float", 7.9914, 7.9914, true},
		{"float vs different float", 7.9914, 7.99141, false},
		{"integral float vs float", 7.0, 7.0, true},
		{"integral float vs int", 7.0, 7, true},
		{"integral float vs int64", 7.0, int64(7), true},
		{"integral float vs other int64", 7.0, int64(8), false},
		{"fractional float vs int", 7.5, 7, false},
		{"fractional float vs int64", 7.5, int64(7), false},
		{"float vs numeric string", 7.5, "7.5", true},
		{"integral float vs int string", 7.0, "7", true},
		// JSON numbers decode to float64 and Kyverno validates them with
		// ParseFloat, so "7.0" and "7e0" equal the pattern 7.
		{"integral float vs float string", 7.0, "7.0", true},
		{"integral float vs exponent string", 7.0, "7e0", true},
		{"float vs bad string", 7.0, "7x", false},
		{"float vs bool", 0.0, false, false},
		{"float vs nil", 0.0, nil, false},
	})
}

func TestMatchNil(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"nil vs nil", nil, nil, true},
		{"nil vs empty string", nil, "", true},
		{"nil vs string", nil, "value", false},
		{"nil vs zero float", nil, 0.0, true},
		{"nil vs float", nil, 0.1, false},
		{"nil vs zero int", nil, 0, true},
		{"nil vs zero int64", nil, int64(0), true},
		{"nil vs int", nil, 1, false},
		{"nil vs false", nil, false, true},
		{"nil vs true", nil, true, false},
		{"nil vs empty map", nil, map[string]any{}, false},
		{"nil vs empty array", nil, []any{}, false},
	})
}

func TestMatchMap(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"map vs map", map[string]any{"a": "b"}, map[string]any{"x": 1.0}, true},
		{"map vs empty map", map[string]any{"a": "b"}, map[string]any{}, true},
		{"map vs string", map[string]any{}, "x", false},
		{"map vs nil", map[string]any{}, nil, false},
		{"map vs array", map[string]any{}, []any{}, false},
	})
}

func TestMatchStringEquality(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"literal equal", "nginx", "nginx", true},
		{"literal different", "nginx", "nginx2", false},
		{"empty vs empty", "", "", true},
		{"empty vs non-empty", "", "a", false},
		{"star vs string", "*", "anything", true},
		{"star vs empty string", "*", "", true},
		{"star vs int", "*", int64(5), true},
		{"star vs float", "*", 1.5, true},
		{"star vs bool", "*", false, true},
		{"question vs empty", "?", "", false},
		{"question vs one char", "?", "x", true},
		{"leading star", "*:latest", "nginx:latest", true},
		{"leading star mismatch", "*:latest", "nginx:1.2", false},
		{"wildcard middle", "ab*ba", "abbeba", true},
		{"question mark", "ab?ba", "abbba", true},
		{"question mark too long", "ab?ba", "abbbba", false},
		{"string true vs bool", "true", true, true},
		{"string false vs bool", "false", false, true},
		{"string false vs bool true", "false", true, false},
		{"string vs int equal", "1024", int64(1024), true},
		{"string vs int as quantity", "1Ki", int64(1024), true},
		{"string vs int different", "1024", int64(1023), false},
		{"string vs float equal", "7", 7.0, true},
		{"string vs float different", "7", 7.00001, false},
		{"quantity equal", "1Gi", "1024Mi", true},
		{"quantity equal decimal", "200m", "0.2", true},
		{"quantity not equal", "1024", "2048", false},
		{"quantity pattern vs non quantity", "1024Gi", "gii", false},
		{"duration equal", "1h", "60m", true},
		{"duration not equal", "1h", "61m", false},
		{"spaces around operand trimmed", "  nginx  ", "nginx", true},
		{"whole-pattern identity short circuit", ">5", ">5", true},
		{"single char operator is literal", ">", ">", true},
		{"bang alone is literal", "!", "!", true},
		{"bang alone vs other", "!", "x", false},
		{"map has no string form", "*", map[string]any{}, false},
		{"array has no string form", "*", []any{"a"}, false},
	})
}

func TestMatchStringNotEqual(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"not equal literal", "!nginx", "apache", true},
		{"not equal literal same", "!nginx", "nginx", false},
		{"not equal wildcard", "!*:latest", "nginx:1.25", true},
		{"not equal wildcard match", "!*:latest", "nginx:latest", false},
		{"not equal star vs empty", "!*", "", false},
		{"not equal with space", "! nginx", "nginx", false},
		{"not equal float", "!7", 7.00001, true},
		{"not equal quantity same value", "!1Gi", "1024Mi", false},
		{"not equal quantity", "!.5", "0.2", true},
		{"not equal bool", "!true", false, true},
		{"not equal bool same", "!true", true, false},
		{"kernel version differs", "!5.10.84-1", "5.16.5-arch1-1", true},
		{"kernel version same", "!5.10.84-1", "5.10.84-1", false},
	})
}

func TestMatchStringComparison(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"greater int", ">1", int64(2), true},
		{"greater int equal", ">1", int64(1), false},
		{"greater or equal with space", ">= 3", 4, true},
		{"greater or equal equal", ">=3", int64(3), true},
		{"less float", "<6", 6.000000001, false},
		{"greater float", ">7.000001", 7.00001, true},
		{"less string number", "<20", "10", true},
		{"quantity less or equal", "<=2Gi", "1Gi", true},
		{"quantity less or equal equal", "<=1Gi", "1024Mi", true},
		{"quantity less or equal too big", "<=1Gi", "2Gi", false},
		{"quantity more", ">1000Mi", "1Gi", true},
		{"quantity less G vs Gi", "<1Gi", "1G", true},
		{"milli quantity", ">=0.5", "500m", true},
		{"milli pattern", ">=500m", "1", true},
		{"decimal without leading zero", "<=.5", "0.5", true},
		{"quantity vs int resource", "<=1Gi", int64(1024), true},
		{"quantity vs bool", ">1", true, false},
		{"duration more or equal", ">=30s", "1m", true},
		{"duration more or equal too small", ">=30s", "29s", false},
		{"duration less", "<1h", "59m59s", true},
		{"duration vs non duration string", ">=30s", "thirty", false},
		{"duration vs int zero", ">=30s", int64(0), false},
		{"duration vs int", ">=30s", int64(45), false},
		{"ordering on plain strings", ">abc", "abd", false},
		{"ordering with empty operand", ">=", ">=", true},
		{"ordering with empty operand vs value", ">= ", "x", false},
		{"less or equal map", "<=1", map[string]any{}, false},
	})
}

func TestMatchStringRanges(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"range low", "0-2", 0, true},
		{"range middle", "0-2", 1, true},
		{"range high", "0-2", 2, true},
		{"range above", "0-2", 3, false},
		{"range degenerate", "2-2", 2, true},
		{"not in range below", "10!-20", 0, true},
		{"not in range inside", "10!-20", 15, false},
		{"not in range above", "10!-20", 25, true},
		{"not in range degenerate", "2!-2", 2, false},
		{"fraction range below", "0.00001-2.00001", 0, false},
		{"fraction range inside", "0.00001-2.00001", 1, true},
		{"fraction range high", "0.00001-2.00001", 2, true},
		{"fraction range above float", "0.00001-2.00001", 2.0001, false},
		{"fraction not in range", "0.00001!-2.00001", 0, true},
		{"fraction not in range inside", "0.00001!-2.00001", 1, false},
		{"fraction not in range above", "0.00001!-2.00001", 2.0001, true},
		{"float range inside", "2.99998-3", 2.99999, true},
		{"float not in range below", "2.99998!-3", 2.99997, true},
		{"float not in range above", "2.99998!-3", 3.00001, true},
		{"quantity range inside", "128Mi-512Mi", "256Mi", true},
		{"quantity range above", "128Mi-512Mi", "1024Mi", false},
		{"quantity range below", "128Mi-512Mi", "64Mi", false},
		{"quantity not in range inside", "128Mi!-512Mi", "256Mi", false},
		{"quantity not in range above", "128Mi!-512Mi", "1024Mi", true},
		{"quantity not in range below", "128Mi!-512Mi", "64Mi", true},
		{"signed range inside", "-10-+8", -3, true},
		{"signed range low", "-10-+8", -10, true},
		{"signed range below", "-10-+8", -11, false},
		{"signed range above", "-10-+8", 9, false},
		{"duration range", "1h-2h", "90m", true},
		{"duration range outside", "1h-2h", "3h", false},
		{"range vs non numeric", "0-2", "abc", false},
		{"range vs nil is zero", "0-2", nil, true},
		{"not a range: dashed name", "kube-system", "kube-system", true},
		{"not a range: dashed name mismatch", "kube-system", "kube-public", false},
	})
}

func TestMatchStringLogic(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"or first", "192.168.88.1 | 10.100.11.*", "192.168.88.1", true},
		{"or second", "192.168.88.1 | 10.100.11.*", "10.100.11.54", true},
		{"or none", "192.168.88.1 | 10.100.11.*", "10.100.12.54", false},
		{"and both", ">1 & <20", "10", true},
		{"and one fails", ">1 & <20", "20", false},
		{"and before or: first group", ">1 & <20 | >31 & <33", "10", true},
		{"and before or: second group", ">1 & <20 | >31 & <33", "32", true},
		{"and before or: neither", ">1 & <20 | >31 & <33", "21", false},
		{"precedence x&y|z: z alone", "a* & *b | c", "c", true},
		{"precedence x&y|z: x and y", "a* & *b | c", "axb", true},
		{"precedence x&y|z: only x", "a* & *b | c", "ax", false},
		{"negations anded", "!5.10.84-1 & !5.15.2-1", "5.16.5-arch1-1", true},
		{"negations anded first fails", "!5.10.84-1 & !5.15.2-1", "5.10.84-1", false},
		{"negations anded second fails", "!5.10.84-1 & !5.15.2-1", "5.15.2-1", false},
		{"empty alternative matches empty", "a|", "", true},
		{"bool alternatives", "true|false", false, true},
	})
}

// TestMatchNilResourceWithStringPattern documents the behaviour chosen for a
// nil (absent or null) resource value against string patterns. It follows
// Kyverno: nil has no string form (so neither "x" nor "!x" nor "*" match),
// but it is treated as "0" by the duration and quantity comparisons.
func TestMatchNilResourceWithStringPattern(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"empty pattern vs nil", "", nil, false},
		{"star vs nil", "*", nil, false},
		{"literal vs nil", "nginx", nil, false},
		{"negated literal vs nil", "!nginx", nil, false},
		{"negated star vs nil", "!*", nil, false},
		{"zero vs nil", "0", nil, true},
		{"negated zero vs nil", "!0", nil, false},
		{"negated one vs nil", "!1", nil, true},
		{"greater or equal zero vs nil", ">=0", nil, true},
		{"greater zero vs nil", ">0", nil, false},
		{"zero duration vs nil", "0s", nil, true},
		{"duration vs nil", ">=30s", nil, false},
		{"string true vs nil", "true", nil, false},
	})
}

// TestHugeQuantities makes sure values whose quantity form would take
// practically forever to parse or compare are not treated as quantities.
func TestHugeQuantities(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"huge negative exponent resource", "<=1Gi", "1e-999999999", false},
		{"huge positive exponent resource", ">1", "1e999999999", false},
		{"huge exponent resource equality falls back to strings", "1e999999999", "1e999999999", true},
		{"huge exponent pattern vs int", "e999999998", int64(-94), false},
		{"huge exponent pattern vs quantity", "<1e999999998", "1Gi", false},
		{"large but bounded exponent", ">1e999", "1e1000", true},
		{"large negative bounded exponent", "<1e-5", "1e-1000", true},
		{"big float resource is still a quantity", ">1", 1e300, true},
		{"exa suffix is not an exponent", ">1P", "1E", true},
		{"overlong resource string", ">1", strings.Repeat("9", 2000), false},
	})
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Operator
	}{
		{"empty", "", Equal},
		{"one char", "f", Equal},
		{"one char operator", ">", Equal},
		{"more equal", ">=1", MoreEqual},
		{"less equal", "<=1", LessEqual},
		{"more", ">1", More},
		{"less", "<1", Less},
		{"not equal", "!x", NotEqual},
		{"in range", "1-2", InRange},
		{"in range units", "128Mi-512Mi", InRange},
		{"in range signs", "-10-+8", InRange},
		{"not in range", "10!-20", NotInRange},
		{"dashed word", "kube-system", Equal},
		{"negated range is not equal", "!1-2", NotEqual},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseOperator(tt.in); got != tt.want {
				t.Errorf("ParseOperator(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name     string
		in       any
		wantKind Kind
		wantText string
		wantErr  string
	}{
		{"nil", nil, KindNil, "<nil>", ""},
		{"bool", true, KindBool, "true", ""},
		{"int", 3, KindInt, "3", ""},
		{"int64", int64(-3), KindInt, "-3", ""},
		{"float", 1.5, KindFloat, "1.5", ""},
		{"integral float", 2.0, KindFloat, "2", ""},
		{"string", " >=1 | x ", KindString, " >=1 | x ", ""},
		{"map", map[string]any{}, KindMap, "map[]", ""},
		{"array", []any{"x"}, 0, "", "arrays are not supported"},
		{"unsupported", int32(1), 0, "", "unsupported pattern type int32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Compile(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Compile(%#v) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%#v): %v", tt.in, err)
			}
			if v.Kind() != tt.wantKind || v.String() != tt.wantText {
				t.Errorf("Compile(%#v) = kind %v text %q, want %v %q", tt.in, v.Kind(), v.String(), tt.wantKind, tt.wantText)
			}
		})
	}
}

func TestJSONDecodedValues(t *testing.T) {
	var doc struct {
		Pattern  map[string]any
		Resource map[string]any
	}
	raw := `{"Pattern": {"replicas": ">=2", "paused": false, "ratio": 0.5, "name": "web-*", "none": null},
	         "Resource": {"replicas": 3, "paused": false, "ratio": 0.5, "name": "web-1", "none": ""}}`
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	for k, p := range doc.Pattern {
		t.Run(k, func(t *testing.T) {
			if !MustCompile(p).Match(doc.Resource[k]) {
				t.Errorf("%s: %v does not match %v", k, doc.Resource[k], p)
			}
		})
	}
}

func TestMatchAllocations(t *testing.T) {
	tests := []struct {
		name    string
		pattern any
		res     any
		max     float64
	}{
		{"wildcard string", "!*:latest", "nginx:1.25", 0},
		{"bool string", "false", false, 0},
		{"or of literals", "Always | IfNotPresent", "IfNotPresent", 0},
		{"quantity vs int", "<=1024", int64(12), 0},
		{"nil pattern", nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := MustCompile(tt.pattern)
			if got := testing.AllocsPerRun(100, func() { v.Match(tt.res) }); got > tt.max {
				t.Errorf("Match allocated %v times, want <= %v", got, tt.max)
			}
		})
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"", "*", "?", "!", ">", ">=", "<=1Gi", ">=30s", "0-2", "-10-+8", "10!-20", "128Mi!-512Mi",
		"a & b | c", "!*:latest", "||&&", " | & ", "1e3", "0x10", "1.5.5-2", "+-1-+-2",
	} {
		f.Add(s, "1Gi", int64(5), 2.5, true)
	}
	f.Fuzz(func(t *testing.T, p string, s string, i int64, fl float64, b bool) {
		v, err := Compile(p)
		if err != nil {
			t.Fatalf("Compile(%q) failed: %v", p, err)
		}
		if v.String() != p {
			t.Fatalf("String() = %q, want %q", v.String(), p)
		}
		for _, res := range []any{s, i, int(i), fl, b, nil, map[string]any{}, []any{s}} {
			v.Match(res)
		}
		if !v.Match(p) {
			t.Fatalf("a string pattern must match its own text: %q", p)
		}
		// The resource string used as a pattern must not panic either.
		if w, err := Compile(s); err == nil {
			w.Match(p)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct {
		name    string
		pattern any
		res     any
	}{
		{"bool", false, false},
		{"float", 1.0, int64(1)},
		{"string literal", "false", false},
		{"string wildcard negated", "!*:latest", "registry.example.com/nginx:1.25"},
		{"string alternatives", "RuntimeDefault | Localhost", "Localhost"},
		{"quantity vs string", "<=1Gi", "512Mi"},
		{"quantity vs int", ">=1000", int64(1001)},
		{"duration", ">=30s", "1m"},
		{"range", "128Mi-512Mi", "256Mi"},
	}
	for _, c := range cases {
		v := MustCompile(c.pattern)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v.Match(c.res)
			}
		})
	}
}
