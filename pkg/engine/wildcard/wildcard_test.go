package wildcard

import (
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		s       string
		want    bool
	}{
		{"star matches anything", "*", "s3:GetObject", true},
		{"star matches empty", "*", "", true},
		{"double star matches empty", "**", "", true},
		{"empty pattern matches empty", "", "", true},
		{"empty pattern rejects non-empty", "", "a", false},
		{"question rejects empty", "?", "", false},
		{"question matches one char", "?", "a", true},
		{"question rejects two chars", "?", "ab", false},
		{"question matches one multibyte char", "?", "é", true},
		{"question matches one 4-byte char", "?", "😀", true},
		{"two questions reject one multibyte char", "??", "é", false},
		{"literal equal", "s3:ListBucket", "s3:ListBucket", true},
		{"literal prefix is not a match", "s3:ListBucketMultipartUploads", "s3:ListBucket", false},
		{"literal longer value", "s3:ListBucket", "s3:ListBucketX", false},
		{"trailing star", "s3:*", "s3:ListMultipartUploadParts", true},
		{"trailing star matches empty rest", "my-bucket/oo*", "my-bucket/oo", true},
		{"trailing star wrong prefix", "my-bucket/oo*", "my-bucket/odo", false},
		{"leading star", "*right", "leftright", true},
		{"leading star exact", "*right", "right", true},
		{"leading star mismatch", "*right", "leftmiddle", false},
		{"middle star", "ab*ba", "abbeba", true},
		{"middle star mismatch", "ab*ba", "abbca", false},
		{"overlapping star", "ab*ba", "aba", false},
		{"shuffled segments", "my-bucket/In*", "my-bucket/Karnataka/India/", false},
		{"several stars", "my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban", true},
		{"several stars with repetition", "my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban/Ban/Ban", true},
		{"several stars spanning segments", "my-bucket/In*/Ka*/Ban", "my-bucket/India/State1/Karnataka/Area1/Ban", true},
		{"several stars last literal too short", "my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Bangalore", false},
		{"question in middle", "my-bucket?/abc*", "my-bucket1/abc", true},
		{"question needs a char", "my-bucket?/abc*", "mybucket/abc", false},
		{"question between dashes empty", "my-?-bucket", "my--bucket", false},
		{"question matches slash", "abc?efg", "abc/efg", true},
		{"four questions too short", "abc????", "abcde", false},
		{"four questions exact", "abc????", "abcdefg", true},
		{"star then question needs one", "mnop*?", "mnop", false},
		{"star then question one", "mnop*?", "mnopq", true},
		{"star then question many", "mnop*?", "mnopqrst/mnopqrs", true},
		{"star question literal", "mnop*?and", "mnopqand", true},
		{"star question literal too short", "mnop*?and", "mnopand", false},
		{"star question literal trailing", "mnop*?and", "mnopqanda", false},
		{"star question literal question", "mnop*?and?", "mnopqanda", true},
		{"image tag wildcard", "*:latest", "nginx:latest", true},
		{"image tag wildcard mismatch", "*:latest", "nginx:1.25", false},
		{"star and question only", "*?*", "", false},
		{"star and question only one char", "*?*", "x", true},
		{"pathological backtracking", "a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"unicode literal after star", "*ü", "müü", true},
		{"unicode question after star", "m*?", "mü", true},
		{"case sensitive", "Nginx", "nginx", false},
		{"single star prefix vs empty", "a*", "", false},
		{"single star overlap too short", "a*a", "a", false},
		{"single star overlap exact", "a*a", "aa", true},
		{"single star unicode suffix", "*ü", "ü", true},
		{"star at both ends", "*nginx*", "docker.io/nginx:1", true},
		{"star at both ends mismatch", "*nginx*", "docker.io/redis:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.pattern, tt.s); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
			if got := refMatch([]rune(tt.pattern), []rune(tt.s)); got != tt.want {
				t.Fatalf("reference disagrees with the table for Match(%q, %q)", tt.pattern, tt.s)
			}
		})
	}
}

func TestContainsWildcard(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"empty", "", false},
		{"plain", "app.kubernetes.io/name", false},
		{"star", "app.kubernetes.io/*", true},
		{"question", "ap?", true},
		{"anchored star", "=(team*)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContainsWildcard(tt.s); got != tt.want {
				t.Errorf("ContainsWildcard(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		Match("my-bucket/In*/Ka*/B?n", "my-bucket/India/Karnataka/Ban")
		Match("*ü?", "müüx")
	})
	if allocs != 0 {
		t.Fatalf("Match allocated %v times per run", allocs)
	}
}

// refMatch is an obviously-correct (exponential) reference implementation on
// runes, used to cross-check Match in tests and fuzzing.
func refMatch(p, s []rune) bool {
	if len(p) == 0 {
		return len(s) == 0
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if refMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return len(s) > 0 && refMatch(p[1:], s[1:])
	default:
		return len(s) > 0 && s[0] == p[0] && refMatch(p[1:], s[1:])
	}
}

func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"*", ""}, {"?", ""}, {"a*b?c", "axxbyc"}, {"*ü?", "müüx"}, {"**?*", "ab"},
		{"my-bucket/In*/Ka*/Ban", "my-bucket/India/Karnataka/Ban"}, {"", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 24 || len(s) > 48 {
			return // keep the exponential reference cheap
		}
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			// The reference works on runes; only make sure invalid input
			// does not panic.
			Match(pattern, s)
			return
		}
		got := Match(pattern, s)
		if want := refMatch([]rune(pattern), []rune(s)); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct {
		name, pattern, s string
	}{
		{"literal", "registry.k8s.io/pause", "registry.k8s.io/pause"},
		{"star", "*", "nginx:1.25"},
		{"suffix", "*:latest", "docker.io/library/nginx:1.25.3"},
		{"prefix", "registry.example.com/*", "registry.example.com/team/app:v1"},
		{"multi", "my-bucket/In*/Ka*/B?n", "my-bucket/India/State1/Karnataka/Area1/Ban"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Match(c.pattern, c.s)
			}
		})
	}
}
