package validate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

type outcome int

const (
	pass outcome = iota
	fail         // Error with Skip == false
	skip         // Error with Skip == true
)

func (o outcome) String() string { return [...]string{"pass", "fail", "skip"}[o] }

type matchTest struct {
	name     string
	pattern  string // JSON
	resource string // JSON
	want     outcome
	path     string // expected Error.Path (fail only)
	msg      string // expected Error() message; prefix "~" means "contains"
}

// checkAgainstReference compares the compiled matcher with the naive
// reference implementation in reference_test.go.
func checkAgainstReference(t testing.TB, p *Pattern, res any) {
	t.Helper()
	got := p.Match(res)
	msg, path, skip, ok := refMatch(res, p.Raw())
	switch {
	case ok && got == nil:
		return
	case ok != (got == nil):
		t.Fatalf("compiled matcher says %v, reference says ok=%v (%q)", got, ok, msg)
	case got.Error() != msg || got.Path != path || got.Skip != skip:
		t.Fatalf("compiled matcher: msg=%q path=%q skip=%v; reference: msg=%q path=%q skip=%v",
			got.Error(), got.Path, got.Skip, msg, path, skip)
	}
}

func runMatchTests(t *testing.T, tests []matchTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(decode(t, tt.pattern))
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			res := decode(t, tt.resource)
			got := p.Match(res)
			var o outcome
			switch {
			case got == nil:
				o = pass
			case got.Skip:
				o = skip
			default:
				o = fail
			}
			if o != tt.want {
				t.Fatalf("outcome = %v (%v), want %v", o, got, tt.want)
			}
			if got == nil {
				return
			}
			if got.Skip && got.Path != "" {
				t.Errorf("skip must have an empty path, got %q", got.Path)
			}
			if o == fail && got.Path != tt.path {
				t.Errorf("Path = %q, want %q (msg %q)", got.Path, tt.path, got.Error())
			}
			if tt.msg != "" {
				if sub, ok := strings.CutPrefix(tt.msg, "~"); ok {
					if !strings.Contains(got.Error(), sub) {
						t.Errorf("message %q does not contain %q", got.Error(), sub)
					}
				} else if got.Error() != tt.msg {
					t.Errorf("message = %q, want %q", got.Error(), tt.msg)
				}
			}
			checkAgainstReference(t, p, res)
			// Matching is deterministic and stateless across calls.
			again := p.Match(res)
			if again == nil || again.Error() != got.Error() || again.Path != got.Path || again.Skip != got.Skip {
				t.Errorf("second Match differs: %v vs %v", again, got)
			}
		})
	}
}

func TestMatchStructure(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "empty map pattern matches any map", pattern: `{}`, resource: `{"a":1}`, want: pass,
		},
		{
			name: "map pattern vs string", pattern: `{"spec":{"a":"b"}}`, resource: `{"spec":"x"}`, want: fail,
			path: "/spec/", msg: "pattern and resource have different structures. Path: /spec/. Expected map[string]interface {}, found string",
		},
		{
			name: "map pattern vs missing key", pattern: `{"spec":{"a":"b"}}`, resource: `{}`, want: fail,
			path: "/spec/", msg: "pattern and resource have different structures. Path: /spec/. Expected map[string]interface {}, found <nil>",
		},
		{
			name: "map pattern vs array", pattern: `{"spec":{"a":"b"}}`, resource: `{"spec":[]}`, want: fail,
			path: "/spec/", msg: "~found []interface {}",
		},
		{
			name: "root map vs scalar resource", pattern: `{"a":"b"}`, resource: `"x"`, want: fail,
			path: "/", msg: "pattern and resource have different structures. Path: /. Expected map[string]interface {}, found string",
		},
		{
			name: "array pattern vs map", pattern: `{"spec":{"containers":[{"name":"*"}]}}`, resource: `{"spec":{"containers":{"name":"x"}}}`, want: fail,
			path: "/spec/containers/", msg: "validation rule failed at path /spec/containers/, resource does not satisfy the expected overlay pattern",
		},
		{
			name: "scalar mismatch message", pattern: `{"spec":{"replicas":">1"}}`, resource: `{"spec":{"replicas":1}}`, want: fail,
			path: "/spec/replicas/", msg: "resource value '1' does not match '>1' at path /spec/replicas/",
		},
		{
			name: "bool pattern vs string resource", pattern: `{"spec":{"hostNetwork":false}}`, resource: `{"spec":{"hostNetwork":"false"}}`, want: fail,
			path: "/spec/hostNetwork/", msg: "resource value 'false' does not match 'false' at path /spec/hostNetwork/",
		},
		{
			name: "number pattern vs int-looking string", pattern: `{"n":3}`, resource: `{"n":"3"}`, want: pass,
		},
		{
			name: "scalar pattern vs map resource", pattern: `{"a":"*"}`, resource: `{"a":{"b":1}}`, want: pass,
		},
		{
			name: "wildcard scalar in nested position vs map resource", pattern: `{"a":{"b":"?*"}}`, resource: `{"a":{"b":{"c":1}}}`, want: fail,
			path: "/a/b/", msg: "resource value 'map[c:1]' does not match '?*' at path /a/b/",
		},
		{
			name: "scalar root pattern", pattern: `"nginx*"`, resource: `"nginx:1"`, want: pass,
		},
	})
}

func TestMatchNullPatterns(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "null vs absent key", pattern: `{"a":null}`, resource: `{}`, want: pass},
		{name: "null vs null", pattern: `{"a":null}`, resource: `{"a":null}`, want: pass},
		{name: "null vs empty string", pattern: `{"a":null}`, resource: `{"a":""}`, want: pass},
		{name: "null vs zero", pattern: `{"a":null}`, resource: `{"a":0}`, want: pass},
		{name: "null vs false", pattern: `{"a":null}`, resource: `{"a":false}`, want: pass},
		{
			name: "null vs string", pattern: `{"a":null}`, resource: `{"a":"x"}`, want: fail,
			path: "/a/", msg: "resource value 'x' does not match '<nil>' at path /a/",
		},
		{name: "null vs map", pattern: `{"a":null}`, resource: `{"a":{}}`, want: fail, path: "/a/"},
		{name: "null vs empty array passes vacuously", pattern: `{"a":null}`, resource: `{"a":[]}`, want: pass},
		{name: "null vs array of empties", pattern: `{"a":null}`, resource: `{"a":["",0,false,null]}`, want: pass},
	})
}

func TestMatchStarPattern(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "star requires presence", pattern: `{"metadata":{"name":"*"}}`, resource: `{"metadata":{"name":"x"}}`, want: pass},
		{name: "star accepts empty string", pattern: `{"metadata":{"name":"*"}}`, resource: `{"metadata":{"name":""}}`, want: pass},
		{name: "star accepts map", pattern: `{"spec":{"template":"*"}}`, resource: `{"spec":{"template":{}}}`, want: pass},
		{
			name: "star on absent key", pattern: `{"metadata":{"name":"*"}}`, resource: `{"metadata":{}}`, want: fail,
			path: "/metadata/", msg: "/metadata//name not found",
		},
		{
			name: "star on null value", pattern: `{"metadata":{"name":"*"}}`, resource: `{"metadata":{"name":null}}`, want: fail,
			path: "/metadata/", msg: "/metadata//name not found",
		},
		{name: "star in equality anchor vs string", pattern: `{"=(name)":"*"}`, resource: `{"name":"x"}`, want: pass},
		{
			name: "star in equality anchor vs null", pattern: `{"=(name)":"*"}`, resource: `{"name":null}`, want: fail,
			path: "/name/", msg: "resource value '<nil>' does not match '*' at path /name/",
		},
		{name: "star in array of scalars vs strings", pattern: `{"a":["*"]}`, resource: `{"a":["x",""]}`, want: pass},
		{
			name: "star in array of scalars vs maps", pattern: `{"a":["*"]}`, resource: `{"a":[{"x":1}]}`, want: fail,
			path: "/a/", msg: "resource value '[map[x:1]]' does not match '*' at path /a/",
		},
	})
}

func TestMatchArrays(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "array of scalars all match", pattern: `{"a":["x*"]}`, resource: `{"a":["x1","x2"]}`, want: pass},
		{
			name: "array of scalars one mismatch", pattern: `{"a":["x*"]}`, resource: `{"a":["x1","y"]}`, want: fail,
			path: "/a/", msg: "resource value '[x1 y]' does not match 'x*' at path /a/",
		},
		{name: "array of scalars uses first element only", pattern: `{"a":["x*","y*"]}`, resource: `{"a":["x1"]}`, want: pass},
		{name: "array of scalars vs empty array", pattern: `{"a":["x*"]}`, resource: `{"a":[]}`, want: pass},
		{name: "scalar pattern vs array resource", pattern: `{"a":"x*"}`, resource: `{"a":["x1","x2"]}`, want: pass},
		{name: "scalar pattern vs empty array", pattern: `{"a":"x*"}`, resource: `{"a":[]}`, want: pass},
		{
			name: "scalar pattern vs array with mismatch", pattern: `{"a":"x*"}`, resource: `{"a":["x1","y"]}`, want: fail,
			path: "/a/", msg: "resource value '[x1 y]' does not match 'x*' at path /a/",
		},
		{name: "array of maps all match", pattern: `{"c":[{"image":"!*:latest"}]}`, resource: `{"c":[{"image":"a:1"},{"image":"b:2"}]}`, want: pass},
		{
			name: "array of maps second element fails", pattern: `{"spec":{"containers":[{"image":"!*:latest"}]}}`,
			resource: `{"spec":{"containers":[{"image":"a:1"},{"image":"b:latest"}]}}`, want: fail,
			path: "/spec/containers/1/image/", msg: "resource value 'b:latest' does not match '!*:latest' at path /spec/containers/1/image/",
		},
		{name: "array of maps vs empty array", pattern: `{"c":[{"image":"x"}]}`, resource: `{"c":[]}`, want: pass},
		{
			name: "array of maps with scalar element", pattern: `{"c":[{"image":"x"}]}`, resource: `{"c":["x"]}`, want: fail,
			path: "/c/0/", msg: "~Expected map[string]interface {}, found string",
		},
		{
			name: "empty pattern array", pattern: `{"a":[]}`, resource: `{"a":[1]}`, want: fail,
			path: "/a/", msg: "pattern Array empty",
		},
		{name: "nested arrays positional match", pattern: `{"a":[["x*"],["y*"]]}`, resource: `{"a":[["x1"],["y1","y2"],["z"]]}`, want: pass},
		{
			name: "nested arrays positional mismatch", pattern: `{"a":[["x*"],["y*"]]}`, resource: `{"a":[["x1"],["z"]]}`, want: fail,
			path: "/a/1/", msg: "resource value '[z]' does not match 'y*' at path /a/1/",
		},
		{
			name: "nested arrays length mismatch has empty path", pattern: `{"a":[["x*"],["y*"]]}`, resource: `{"a":[["x1"]]}`, want: fail,
			path: "", msg: "validate Array failed, array length mismatch, resource Array len is 1 and pattern Array len is 2",
		},
	})
}

func TestMatchConditionalAnchor(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "key absent skips", pattern: `{"spec":{"(name)":"x","a":"b"}}`, resource: `{"spec":{"a":"c"}}`, want: skip,
			msg: "conditional anchor mismatch: conditional anchor key doesn't exist in the resource",
		},
		{
			name: "value mismatch skips", pattern: `{"spec":{"(name)":"x","a":"b"}}`, resource: `{"spec":{"name":"y","a":"c"}}`, want: skip,
			msg: "conditional anchor mismatch: resource value 'y' does not match 'x' at path /spec/name/",
		},
		{
			name: "match then plain key fails", pattern: `{"spec":{"(name)":"x","a":"b"}}`, resource: `{"spec":{"name":"x","a":"c"}}`, want: fail,
			path: "/spec/a/", msg: "resource value 'c' does not match 'b' at path /spec/a/",
		},
		{name: "match then plain key passes", pattern: `{"spec":{"(name)":"x","a":"b"}}`, resource: `{"spec":{"name":"x","a":"b"}}`, want: pass},
		{name: "star value needs presence", pattern: `{"(name)":"*","a":"b"}`, resource: `{"name":"q","a":"b"}`, want: pass},
		{
			name: "array elements skipped individually", pattern: `{"spec":{"containers":[{"(image)":"*:latest","imagePullPolicy":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"image":"a:latest","imagePullPolicy":"Always"},{"image":"b:1","imagePullPolicy":"IfNotPresent"}]}}`, want: pass,
		},
		{
			name: "all array elements skipped skips the rule", pattern: `{"spec":{"containers":[{"(image)":"*:latest","imagePullPolicy":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"image":"a:1"},{"image":"b:2"}]}}`, want: skip,
			msg: "conditional anchor mismatch: resource value 'a:1' does not match '*:latest' at path /spec/containers/0/image/; " +
				"conditional anchor mismatch: resource value 'b:2' does not match '*:latest' at path /spec/containers/1/image/",
		},
		{
			name: "applied element fails", pattern: `{"spec":{"containers":[{"(image)":"*:latest","imagePullPolicy":"Always"}]}}`,
			resource: `{"spec":{"containers":[{"image":"a:1"},{"image":"b:latest","imagePullPolicy":"IfNotPresent"}]}}`, want: fail,
			path: "/spec/containers/1/imagePullPolicy/",
		},
		{name: "empty array is not a skip", pattern: `{"c":[{"(image)":"*:latest","p":"Always"}]}`, resource: `{"c":[]}`, want: pass},
		{
			name: "nested conditional inside map value", pattern: `{"spec":{"(securityContext)":{"(runAsNonRoot)":true},"hostPID":false}}`,
			resource: `{"spec":{"securityContext":{"runAsNonRoot":true},"hostPID":true}}`, want: fail, path: "/spec/hostPID/",
		},
		{
			name: "conditional on map value mismatch skips", pattern: `{"spec":{"(securityContext)":{"runAsNonRoot":true},"hostPID":false}}`,
			resource: `{"spec":{"securityContext":{"runAsNonRoot":false},"hostPID":true}}`, want: skip,
		},
		{
			name: "skip inside equality anchor propagates", pattern: `{"=(spec)":{"(a)":"x","b":"y"}}`, resource: `{"spec":{"b":"z"}}`, want: skip,
		},
		{
			name: "negation inside conditional becomes skip", pattern: `{"(spec)":{"X(a)":null},"b":"y"}`, resource: `{"spec":{"a":1},"b":"z"}`, want: skip,
			msg: "conditional anchor mismatch: negation anchor matched in resource: /spec/a/ is not allowed",
		},
		{
			name: "conditional key present in some element keeps the path", pattern: `{"c":[{"(image)":"x*","p":"Always"}]}`,
			resource: `{"c":[{"name":"no-image"},{"image":"x1","p":"Never"}]}`, want: fail, path: "/c/1/p/",
		},
	})
}

func TestMatchGlobalAnchor(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "present mismatch skips rule", pattern: `{"metadata":{"<(name)":"prod-*"},"spec":{"replicas":">=2"}}`,
			resource: `{"metadata":{"name":"dev-1"},"spec":{"replicas":1}}`, want: skip,
			msg: "global anchor mismatch: resource value 'dev-1' does not match 'prod-*' at path /metadata/name/",
		},
		{
			name: "absent has no effect", pattern: `{"metadata":{"<(name)":"prod-*"},"spec":{"replicas":">=2"}}`,
			resource: `{"metadata":{},"spec":{"replicas":1}}`, want: fail, path: "/spec/replicas/",
		},
		{
			name: "match then rest fails", pattern: `{"metadata":{"<(name)":"prod-*"},"spec":{"replicas":">=2"}}`,
			resource: `{"metadata":{"name":"prod-1"},"spec":{"replicas":1}}`, want: fail, path: "/spec/replicas/",
		},
		{
			name:     "global in array element skips whole rule when all elements mismatch",
			pattern:  `{"spec":{"containers":[{"<(image)":"nginx*","name":"web"}]}}`,
			resource: `{"spec":{"containers":[{"image":"redis","name":"cache"}]}}`, want: skip,
		},
		{
			name:     "global in array element mismatching element is skipped",
			pattern:  `{"spec":{"containers":[{"<(image)":"nginx*","name":"web*"}]}}`,
			resource: `{"spec":{"containers":[{"image":"redis","name":"cache"},{"image":"nginx","name":"web-1"}]}}`, want: pass,
		},
		{
			name: "global is evaluated before nested and plain keys", pattern: `{"a":"x","<(g)":"y"}`, resource: `{"a":"q","g":"z"}`, want: skip,
		},
		{
			// Kyverno evaluates conditional/existence/equality/negation
			// anchors in phase 1 and global anchors in phase 2, so the
			// equality failure wins over the global skip.
			name: "equality anchor is evaluated before global anchor", pattern: `{"<(a)":"x","=(b)":"y"}`, resource: `{"a":"q","b":"z"}`, want: fail,
			path: "/b/",
		},
	})
}

func TestMatchEqualityAnchor(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "absent passes", pattern: `{"spec":{"=(hostNetwork)":false}}`, resource: `{"spec":{}}`, want: pass},
		{name: "present and equal passes", pattern: `{"spec":{"=(hostNetwork)":false}}`, resource: `{"spec":{"hostNetwork":false}}`, want: pass},
		{
			name: "present and different fails", pattern: `{"spec":{"=(hostNetwork)":false}}`, resource: `{"spec":{"hostNetwork":true}}`, want: fail,
			path: "/spec/hostNetwork/", msg: "resource value 'true' does not match 'false' at path /spec/hostNetwork/",
		},
		{
			name: "nested equality anchors", pattern: `{"spec":{"=(securityContext)":{"=(privileged)":"false"}}}`,
			resource: `{"spec":{"securityContext":{"privileged":true}}}`, want: fail, path: "/spec/securityContext/privileged/",
		},
		{name: "present null vs string pattern", pattern: `{"=(a)":"x"}`, resource: `{"a":null}`, want: fail, path: "/a/"},
		{name: "anchors evaluated before plain keys", pattern: `{"=(z)":"x","a":"y"}`, resource: `{"z":"q","a":"q"}`, want: fail, path: "/z/"},
	})
}

func TestMatchNegationAnchor(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "absent passes", pattern: `{"spec":{"volumes":[{"X(hostPath)":null}]}}`, resource: `{"spec":{"volumes":[{"name":"a","emptyDir":{}}]}}`, want: pass},
		{
			name: "present fails with path", pattern: `{"spec":{"volumes":[{"X(hostPath)":null}]}}`,
			resource: `{"spec":{"volumes":[{"name":"a"},{"name":"b","hostPath":{"path":"/"}}]}}`, want: fail,
			path: "/spec/volumes/1/hostPath/", msg: "negation anchor matched in resource: /spec/volumes/1/hostPath/ is not allowed",
		},
		{
			name: "present fails even if value matches", pattern: `{"X(a)":"*"}`, resource: `{"a":null}`, want: fail,
			path: "/a/", msg: "negation anchor matched in resource: /a/ is not allowed",
		},
		{
			name:     "negation failure keeps path although other anchors are missing",
			pattern:  `{"spec":{"^(containers)":[{"name":"x"}],"X(hostPID)":null}}`,
			resource: `{"spec":{"hostPID":true}}`, want: fail, path: "/spec/hostPID/",
		},
	})
}

func TestMatchExistenceAnchor(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "one element matches", pattern: `{"spec":{"^(containers)":[{"image":"nginx*"}]}}`, resource: `{"spec":{"containers":[{"image":"redis"},{"image":"nginx:1"}]}}`, want: pass},
		{
			name: "no element matches", pattern: `{"spec":{"^(containers)":[{"image":"nginx*"}]}}`, resource: `{"spec":{"containers":[{"image":"redis"}]}}`, want: fail,
			path: "/spec/containers/", msg: "existence anchor validation failed at path /spec/containers/",
		},
		{
			name: "empty resource list", pattern: `{"spec":{"^(containers)":[{"image":"nginx*"}]}}`, resource: `{"spec":{"containers":[]}}`, want: fail,
			path: "/spec/containers/",
		},
		{name: "absent passes", pattern: `{"spec":{"^(containers)":[{"image":"nginx*"}]}}`, resource: `{"spec":{}}`, want: pass},
		{
			name: "multiple pattern elements all found", pattern: `{"^(c)":[{"name":"a"},{"name":"b"}]}`,
			resource: `{"c":[{"name":"b"},{"name":"a"}]}`, want: pass,
		},
		{
			name: "multiple pattern elements one missing", pattern: `{"^(c)":[{"name":"a"},{"name":"b"}]}`,
			resource: `{"c":[{"name":"a"},{"name":"c"}]}`, want: fail, path: "/c/", msg: "existence anchor validation failed at path /c/",
		},
		{
			name: "resource not a list", pattern: `{"^(c)":[{"name":"a"}]}`, resource: `{"c":{"name":"a"}}`, want: fail,
			path: "/c/", msg: "invalid resource type map[string]interface {}: Existence ^ () anchor can be used only on list/array type resource",
		},
		{
			name: "pattern element not a map", pattern: `{"^(c)":["a"]}`, resource: `{"c":["a"]}`, want: fail,
			path: "/c/", msg: "invalid pattern type []interface {}: Pattern has to be of type map to compare against items in resource",
		},
		{
			name: "conditional inside candidate is a non-match, not a skip", pattern: `{"^(c)":[{"(name)":"a","image":"x"}]}`,
			resource: `{"c":[{"name":"b","image":"x"}]}`, want: fail, path: "/c/",
		},
		{
			name: "existence with nested anchors in candidates", pattern: `{"^(c)":[{"name":"a","=(ports)":[{"containerPort":">1000"}]}]}`,
			resource: `{"c":[{"name":"a","ports":[{"containerPort":80}]},{"name":"a","ports":[{"containerPort":8080}]}]}`, want: pass,
		},
	})
}

func TestMatchMissingAnchorKeys(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "existence key never present gives empty path", pattern: `{"spec":{"^(volumes)":[{"name":"x"}]},"metadata":{"name":"x*"}}`,
			resource: `{"spec":{},"metadata":{"name":"y"}}`, want: fail, path: "",
			msg: "resource value 'y' does not match 'x*' at path /metadata/name/",
		},
		{
			name: "negation key never present gives empty path", pattern: `{"spec":{"X(hostPID)":null,"replicas":2}}`,
			resource: `{"spec":{"replicas":1}}`, want: fail, path: "",
		},
		{
			name: "equality key absent does not count", pattern: `{"spec":{"=(hostPID)":false,"replicas":2}}`,
			resource: `{"spec":{"replicas":1}}`, want: fail, path: "/spec/replicas/",
		},
		{
			name: "global key absent does not count", pattern: `{"spec":{"<(hostPID)":false,"replicas":2}}`,
			resource: `{"spec":{"replicas":1}}`, want: fail, path: "/spec/replicas/",
		},
		{
			name: "key present in a later element counts as present", pattern: `{"c":[{"(image)":"x*","p":"Always"}]}`,
			resource: `{"c":[{"p":"Never"},{"image":"x1","p":"Never"}]}`, want: fail, path: "/c/1/p/",
		},
		{
			name: "anchor keys are tracked by key text across the pattern", pattern: `{"a":{"^(k)":[{"n":1}]},"b":{"^(k)":[{"n":1}]},"z":1}`,
			resource: `{"a":{},"b":{"k":[{"n":1}]},"z":2}`, want: fail, path: "/z/",
		},
		{
			name: "different anchor key texts are tracked separately", pattern: `{"a":{"^(k)":[{"n":1}]},"b":{"^(j)":[{"n":1}]},"z":1}`,
			resource: `{"a":{},"b":{"j":[{"n":1}]},"z":2}`, want: fail, path: "",
		},
	})
}

func TestMatchEvaluationOrder(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "keys with nested anchors before plain keys", pattern: `{"spec":{"a":"x","b":{"(c)":"y","d":"z"}}}`,
			resource: `{"spec":{"a":"wrong","b":{"c":"no","d":"z"}}}`, want: skip,
		},
		{
			name: "nested anchors inside arrays count", pattern: `{"a":"x","b":[{"(c)":"y"}]}`,
			resource: `{"a":"wrong","b":[{"c":"no"}]}`, want: skip,
		},
		{
			name: "plain keys in sorted order", pattern: `{"b":"x","a":"y"}`, resource: `{"a":"1","b":"2"}`, want: fail, path: "/a/",
		},
		{
			name: "phase one anchors in sorted order", pattern: `{"=(b)":"x","(a)":"y"}`, resource: `{"a":"1","b":"2"}`, want: skip,
		},
		{
			name: "conditional then negation", pattern: `{"(a)":"1","X(b)":null}`, resource: `{"a":"1","b":"2"}`, want: fail, path: "/b/",
		},
	})
}

func TestMatchMetadataWildcards(t *testing.T) {
	runMatchTests(t, []matchTest{
		{
			name: "plain wildcard label key", pattern: `{"metadata":{"labels":{"app.kubernetes.io/*":"?*"}}}`,
			resource: `{"metadata":{"labels":{"app.kubernetes.io/name":"web"}}}`, want: pass,
		},
		{
			name: "plain wildcard label key value mismatch", pattern: `{"metadata":{"labels":{"app.kubernetes.io/*":"?*"}}}`,
			resource: `{"metadata":{"labels":{"app.kubernetes.io/name":""}}}`, want: fail, path: "/metadata/labels/app.kubernetes.io/name/",
		},
		{
			name: "every matching key is checked", pattern: `{"metadata":{"labels":{"team*":"a*"}}}`,
			resource: `{"metadata":{"labels":{"team-a":"a1","team-b":"b1","other":"x"}}}`, want: fail, path: "/metadata/labels/team-b/",
		},
		{
			name: "unmatched plain wildcard key stays literal", pattern: `{"metadata":{"labels":{"team*":"a*"}}}`,
			resource: `{"metadata":{"labels":{"other":"x"}}}`, want: fail, path: "/metadata/labels/team*/",
		},
		{
			name: "equality anchor kept", pattern: `{"metadata":{"labels":{"=(team*)":"a*"}}}`,
			resource: `{"metadata":{"labels":{"team":"b"}}}`, want: fail, path: "/metadata/labels/team/",
		},
		{
			name: "equality anchor with no match passes", pattern: `{"metadata":{"labels":{"=(team*)":"a*"}}}`,
			resource: `{"metadata":{"labels":{"x":"b"}}}`, want: pass,
		},
		{
			name: "conditional anchor with no match skips", pattern: `{"metadata":{"labels":{"(team*)":"a*"}},"spec":{"x":1}}`,
			resource: `{"metadata":{"labels":{"x":"b"}},"spec":{"x":2}}`, want: skip,
		},
		{
			name: "conditional anchor expanded and matched", pattern: `{"metadata":{"labels":{"(team*)":"a*"}},"spec":{"x":1}}`,
			resource: `{"metadata":{"labels":{"team":"a1"}},"spec":{"x":2}}`, want: fail, path: "/spec/x/",
		},
		{
			name: "negation anchor expanded", pattern: `{"metadata":{"labels":{"X(debug*)":null}}}`,
			resource: `{"metadata":{"labels":{"debug-mode":"on"}}}`, want: fail, path: "/metadata/labels/debug-mode/",
			msg: "negation anchor matched in resource: /metadata/labels/debug-mode/ is not allowed",
		},
		{
			name: "annotations expanded", pattern: `{"metadata":{"annotations":{"=(*.io/owner)":"team-?"}}}`,
			resource: `{"metadata":{"annotations":{"example.io/owner":"team-ab"}}}`, want: fail, path: "/metadata/annotations/example.io/owner/",
		},
		{
			name: "anchored metadata and labels keys", pattern: `{"=(metadata)":{"=(labels)":{"app*":"web"}}}`,
			resource: `{"metadata":{"labels":{"app":"web","apple":"web"}}}`, want: pass,
		},
		{
			name: "nested template metadata", pattern: `{"spec":{"template":{"metadata":{"labels":{"app*":"web"}}}}}`,
			resource: `{"spec":{"template":{"metadata":{"labels":{"app":"db"}}}}}`, want: fail, path: "/spec/template/metadata/labels/app/",
		},
		{
			name: "wildcard keys outside metadata are literal", pattern: `{"spec":{"a*":"x"}}`,
			resource: `{"spec":{"ab":"x"}}`, want: fail, path: "/spec/a*/",
		},
		{
			name: "wildcard keys in metadata but not labels are literal", pattern: `{"metadata":{"name*":"x"}}`,
			resource: `{"metadata":{"name":"x"}}`, want: fail, path: "/metadata/name*/",
		},
		{
			name: "expanded conditional key counts as present", pattern: `{"metadata":{"labels":{"(team*)":"a*"}},"spec":{"^(c)":[{"n":1}]}}`,
			resource: `{"metadata":{"labels":{"team":"a"}},"spec":{"c":[{"n":2}]}}`, want: fail, path: "/spec/c/",
		},
	})
}

func TestMatchOperatorsInPatterns(t *testing.T) {
	runMatchTests(t, []matchTest{
		{name: "quantity limit ok", pattern: `{"resources":{"limits":{"memory":"<=1Gi"}}}`, resource: `{"resources":{"limits":{"memory":"512Mi"}}}`, want: pass},
		{
			name: "quantity limit too big", pattern: `{"resources":{"limits":{"memory":"<=1Gi"}}}`, resource: `{"resources":{"limits":{"memory":"2Gi"}}}`, want: fail,
			path: "/resources/limits/memory/",
		},
		{name: "cpu milli quantity", pattern: `{"cpu":"<=500m"}`, resource: `{"cpu":"0.25"}`, want: pass},
		{name: "duration at least", pattern: `{"period":">=30s"}`, resource: `{"period":"1m"}`, want: pass},
		{name: "duration too short", pattern: `{"period":">=30s"}`, resource: `{"period":"10s"}`, want: fail, path: "/period/"},
		{name: "range ok", pattern: `{"replicas":"1-3"}`, resource: `{"replicas":2}`, want: pass},
		{name: "range outside", pattern: `{"replicas":"1-3"}`, resource: `{"replicas":4}`, want: fail, path: "/replicas/"},
		{name: "not in range", pattern: `{"port":"1!-1024"}`, resource: `{"port":8080}`, want: pass},
		{name: "or of ands", pattern: `{"v":">1 & <5 | >10 & <20"}`, resource: `{"v":15}`, want: pass},
		{name: "or of ands neither", pattern: `{"v":">1 & <5 | >10 & <20"}`, resource: `{"v":7}`, want: fail, path: "/v/"},
		{name: "alternatives", pattern: `{"type":"RuntimeDefault | Localhost"}`, resource: `{"type":"Localhost"}`, want: pass},
	})
}

func TestMatchInt64Resources(t *testing.T) {
	p := MustCompile(decode(t, `{"spec":{"replicas":">=2","port":8080,"ratio":"1-3","zero":null}}`))
	tests := []struct {
		name string
		res  map[string]any
		want bool
	}{
		{"int64 values", map[string]any{"replicas": int64(2), "port": int64(8080), "ratio": int64(3), "zero": int64(0)}, true},
		{"int values", map[string]any{"replicas": 3, "port": 8080, "ratio": 1, "zero": 0}, true},
		{"int64 too small", map[string]any{"replicas": int64(1), "port": int64(8080), "ratio": int64(2)}, false},
		{"int64 wrong port", map[string]any{"replicas": int64(2), "port": int64(80), "ratio": int64(2)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Match(map[string]any{"spec": tt.res})
			if (got == nil) != tt.want {
				t.Errorf("Match = %v, want pass=%v", got, tt.want)
			}
		})
	}
}

func TestErrorType(t *testing.T) {
	tests := []struct {
		name            string
		pattern, res    string
		cond, glob, neg bool
	}{
		{"conditional", `{"(a)":"x"}`, `{}`, true, false, false},
		{"global", `{"<(a)":"x"}`, `{"a":"y"}`, false, true, false},
		{"negation", `{"X(a)":null}`, `{"a":1}`, false, false, true},
		{"all elements skipped", `{"c":[{"(a)":"x"}]}`, `{"c":[{}]}`, true, false, false},
		{"plain mismatch", `{"a":"x"}`, `{"a":"y"}`, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MustCompile(decode(t, tt.pattern)).Match(decode(t, tt.res))
			if got == nil {
				t.Fatal("expected an error")
			}
			var err error = got
			if IsConditionalAnchorError(err) != tt.cond || IsGlobalAnchorError(err) != tt.glob || IsNegationAnchorError(err) != tt.neg {
				t.Errorf("kinds = %v/%v/%v, want %v/%v/%v", IsConditionalAnchorError(err), IsGlobalAnchorError(err), IsNegationAnchorError(err), tt.cond, tt.glob, tt.neg)
			}
			var ve *Error
			if !errors.As(err, &ve) || ve.Unwrap() == nil || ve.Error() != ve.Unwrap().Error() {
				t.Errorf("Error does not wrap its cause properly: %#v", ve)
			}
		})
	}
	var nilErr *Error
	if nilErr.Error() != "" || (&Error{}).Error() != "" {
		t.Error("empty errors must have empty messages")
	}
}

func TestMatchAllocations(t *testing.T) {
	p := MustCompile(decode(t, podSecurityPattern))
	res := decode(t, podResource)
	if err := p.Match(res); err != nil {
		t.Fatalf("pod should pass: %v", err)
	}
	allocs := testing.AllocsPerRun(100, func() { p.Match(res) })
	if allocs > 0 {
		t.Errorf("successful Match allocated %v times, want 0", allocs)
	}
}

func TestConcurrentMatch(t *testing.T) {
	p := MustCompile(decode(t, podSecurityPattern))
	good := decode(t, podResource)
	bad := decode(t, strings.Replace(podResource, `"privileged": false`, `"privileged": true`, 1))
	// The pattern's X(hostPath) key is absent from the pod, so Kyverno reports
	// the failure with an empty path; check the message instead.
	const privilegedMsg = "resource value 'true' does not match 'false' at path /spec/containers/0/securityContext/privileged/"
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 200; i++ {
				if g%2 == 0 {
					if err := p.Match(good); err != nil {
						t.Errorf("good pod failed: %v", err)
						return
					}
				} else if err := p.Match(bad); err == nil || err.Error() != privilegedMsg {
					t.Errorf("bad pod: %v", err)
					return
				}
			}
		}(g)
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

func TestDeepPaths(t *testing.T) {
	// Deeper than the matcher's inline path storage.
	pat, res := "\"x\"", "\"y\""
	want := "/"
	for i := 0; i < 50; i++ {
		pat = `{"k":` + pat + `}`
		res = `{"k":` + res + `}`
		want += "k/"
	}
	got := MustCompile(decode(t, pat)).Match(decode(t, res))
	if got == nil || got.Path != want {
		t.Fatalf("got %v, want path %q", got, want)
	}
}

func TestManyTrackedAnchors(t *testing.T) {
	// More tracked anchor keys than the matcher's inline state holds.
	var b strings.Builder
	b.WriteString(`{`)
	for i := 0; i < 40; i++ {
		b.WriteString(`"X(k` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `)":null,`)
	}
	b.WriteString(`"v":1}`)
	p := MustCompile(decode(t, b.String()))
	if got := p.Match(decode(t, `{"v":1}`)); got != nil {
		t.Fatalf("unexpected %v", got)
	}
	got := p.Match(decode(t, `{"v":2}`))
	if got == nil || got.Path != "" {
		t.Fatalf("missing negation keys must give an empty path, got %v", got)
	}
}
