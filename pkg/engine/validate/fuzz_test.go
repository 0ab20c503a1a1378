package validate

import (
	"encoding/json"
	"testing"
)

func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{`{"spec":{"containers":[{"image":"!*:latest"}]}}`, `{"spec":{"containers":[{"image":"nginx:latest"}]}}`},
		{`{"(a)":"x","<(b)":"y","=(c)":"z","^(d)":[{"e":"f"}],"X(g)":null}`, `{"a":"x","b":"y","c":"z","d":[{"e":"f"}]}`},
		{`{"metadata":{"labels":{"=(app*)":"?*","X(debug*)":null}}}`, `{"metadata":{"labels":{"app":"","debug":"1"}}}`},
		{`{"a":[["x"],["y"]]}`, `{"a":[["x"]]}`},
		{`{"a":[]}`, `{"a":[1,2]}`},
		{`{"^(a)":["x"]}`, `{"a":["x"]}`},
		{`{"a":"1-3 | >=1Gi & <=2Gi | >=30s"}`, `{"a":[1,"1Gi","1m",null,true,{}]}`},
		{`["*"]`, `[{"a":1}]`},
		{`{"c":[{"(a)":"x"}]}`, `{"c":[{},{"a":"y"}]}`},
		{`null`, `""`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, patternJSON, resourceJSON string) {
		var pat, res any
		if json.Unmarshal([]byte(patternJSON), &pat) != nil || json.Unmarshal([]byte(resourceJSON), &res) != nil {
			return
		}
		p, err := Compile(pat)
		if err != nil {
			if _, ok := err.(*CompileError); !ok {
				t.Fatalf("Compile returned %T, want *CompileError", err)
			}
			return
		}
		checkAgainstReference(t, p, res)
		got := p.Match(res)
		again := p.Match(res)
		if (got == nil) != (again == nil) {
			t.Fatalf("non-deterministic result: %v vs %v", got, again)
		}
		if got == nil {
			return
		}
		if got.Err == nil || got.Error() == "" {
			t.Fatalf("error without message: %#v", got)
		}
		if got.Error() != again.Error() || got.Path != again.Path || got.Skip != again.Skip {
			t.Fatalf("non-deterministic error: %v vs %v", got, again)
		}
		if got.Skip && got.Path != "" {
			t.Fatalf("skip with a path: %#v", got)
		}
		// A pattern used as its own resource must not panic either.
		p.Match(pat)
	})
}
