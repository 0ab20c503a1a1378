package quantity

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{name: "binary suffix", in: "512Mi", ok: true},
		{name: "milli", in: "250m", ok: true},
		{name: "plain number", in: "3", ok: true},
		{name: "small exponent", in: "1e3", ok: true},
		{name: "huge exponent", in: "1e999999999"},
		{name: "huge negative exponent", in: "1e-9999999"},
		{name: "not a quantity", in: "abc"},
		{name: "too long", in: string(make([]byte, MaxLength+1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := Parse(tt.in); ok != tt.ok {
				t.Errorf("Parse(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
		})
	}
}

func TestHugeExponent(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"no exponent", "128Mi", false},
		{"exa", "2E", false},
		{"small", "1e3", false},
		{"bound", "1e1000", false},
		{"above bound", "1e1001", true},
		{"negative above bound", "1E-1001", true},
		{"plus sign", "1e+99999", true},
		{"not digits", "1e3x", false},
		{"many leading zeros", "1e0000000000000000005", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hugeExponent(tt.in); got != tt.want {
				t.Errorf("hugeExponent(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
