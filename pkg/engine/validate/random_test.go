package validate

import (
	"encoding/json"
	"math/rand"
	"testing"
)

// gen builds random patterns and resources from a small vocabulary so that
// anchors, wildcards, metadata labels, arrays and type mismatches collide
// often.
type gen struct{ r *rand.Rand }

var (
	genNames   = []string{"a", "b", "c", "metadata", "labels", "ab", "app"}
	genWild    = []string{"a*", "?b", "*", "ap?"}
	genMods    = []string{"", "(", "<(", "=(", "X(", "^("}
	genScalars = []any{"x", "x*", "!x", "*", "?*", "", ">1", "1-3", "<=1Gi", nil, 1.0, 2.5, true, false, "x | y", "!x & !y", "0"}
	genValues  = []any{"x", "xy", "y", "", "1Gi", "2", nil, 0.0, 1.0, 2.0, true, false}
)

func (g gen) pick(n int) int { return g.r.Intn(n) }

func (g gen) key() string {
	name := genNames[g.pick(len(genNames))]
	if g.pick(4) == 0 {
		name = genWild[g.pick(len(genWild))]
	}
	mod := genMods[g.pick(len(genMods))]
	if mod == "" {
		return name
	}
	return mod + name + ")"
}

func (g gen) pattern(depth int) any {
	switch k := g.pick(10); {
	case depth <= 0 || k < 4:
		return genScalars[g.pick(len(genScalars))]
	case k < 8:
		m := map[string]any{}
		for i := g.pick(4); i >= 0; i-- {
			key := g.key()
			if kind, _ := ParseAnchor(key); kind == AnchorExistence {
				m[key] = []any{g.mapPattern(depth - 1)}
				continue
			}
			m[key] = g.pattern(depth - 1)
		}
		return m
	default:
		n := 1 + g.pick(2)
		if g.pick(8) == 0 {
			n = 0
		}
		a := make([]any, n)
		for i := range a {
			a[i] = g.pattern(depth - 1)
		}
		return a
	}
}

func (g gen) mapPattern(depth int) any {
	for {
		if m, ok := g.pattern(depth + 1).(map[string]any); ok {
			return m
		}
	}
}

func (g gen) resource(depth int) any {
	switch k := g.pick(10); {
	case depth <= 0 || k < 4:
		return genValues[g.pick(len(genValues))]
	case k < 8:
		m := map[string]any{}
		for i := g.pick(4); i >= 0; i-- {
			m[genNames[g.pick(len(genNames))]] = g.resource(depth - 1)
		}
		return m
	default:
		a := make([]any, g.pick(4))
		for i := range a {
			a[i] = g.resource(depth - 1)
		}
		return a
	}
}

func TestRandomAgainstReference(t *testing.T) {
	iterations := 15000
	if testing.Short() {
		iterations = 2000
	}
	g := gen{rand.New(rand.NewSource(1))}
	outcomes := map[string]int{}
	for i := 0; i < iterations; i++ {
		pat := g.pattern(4)
		p, err := Compile(pat)
		if err != nil {
			outcomes["compile error"]++
			continue
		}
		for j := 0; j < 4; j++ {
			res := g.resource(4)
			got := p.Match(res)
			switch {
			case got == nil:
				outcomes["pass"]++
			case got.Skip:
				outcomes["skip"]++
			case got.Path == "":
				outcomes["fail without path"]++
			default:
				outcomes["fail"]++
			}
			msg, path, skip, ok := refMatch(res, pat)
			if ok != (got == nil) || (got != nil && (got.Error() != msg || got.Path != path || got.Skip != skip)) {
				pj, _ := json.Marshal(pat)
				rj, _ := json.Marshal(res)
				t.Fatalf("mismatch\npattern:  %s\nresource: %s\ncompiled: %v (path %q skip %v)\nreference: ok=%v %q (path %q skip %v)",
					pj, rj, got, pathOf(got), got != nil && got.Skip, ok, msg, path, skip)
			}
		}
	}
	// Make sure the generator exercises every outcome.
	for _, k := range []string{"pass", "skip", "fail", "fail without path"} {
		if outcomes[k] == 0 {
			t.Errorf("generator never produced outcome %q: %v", k, outcomes)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

func pathOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Path
}
