package variables

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"testing"
)

// kyvernoVariable is Kyverno's RegexVariables, the oracle for findVariables.
var kyvernoVariable = regexp.MustCompile(`(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})`)

func oracleVariables(s string) [][2]int {
	var out [][2]int
	for _, loc := range kyvernoVariable.FindAllStringSubmatchIndex(s, -1) {
		out = append(out, [2]int{loc[4], loc[5]})
	}
	return out
}

func checkScanner(t *testing.T, s string) {
	t.Helper()
	if got, want := findVariables(s, nil), oracleVariables(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("findVariables(%q) = %v, regexp = %v", s, got, want)
	}
}

func TestFindVariablesMatchesKyvernoRegexp(t *testing.T) {
	for _, s := range []string{
		"", "{{", "}}", "{{}}", "{{a}}", "x{{a}}", `\{{a}}`, `\\{{a}}`, "{{a}}{{b}}", "{{a}}{{b}}{{c}}", "{{a}} {{b}}",
		"{{{a}}", "{{{a}}}", "{{ {a: b} }}", "{{ {a: {b: c}} }}", "{{ a.{{b}} }}", "{{a.{{b}}}}", "{{ a {{b}}",
		"é{{a}}", "\xe2\x82{{a}}", "\xff{{a}}", "{{a}}\xff{{b}}", "{{ a\n b }}", "\n{{a}}", "{{}}}}", "{{{{a}}}}",
		"{{ x }}}{{ y }}", "{ {{a}}", "}{{a}}", "{{a}\\}}", "a{{b}}c{{d}}e", "{{- a }}", "{{@}}", "{{{}}}", "{{{}}", "{{}}}",
	} {
		checkScanner(t, s)
	}
	alphabet := []string{"{", "}", "{{", "}}", "\\", "a", " ", "é", "\xff", "{a}", "-", "@"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		var b []byte
		for k := r.IntN(12); k >= 0; k-- {
			b = append(b, alphabet[r.IntN(len(alphabet))]...)
		}
		checkScanner(t, string(b))
	}
}
