package jmespath

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

const (
	// maxUnboundedRepeat is the largest count generated for *, + and {n,}.
	maxUnboundedRepeat = 4096
	// maxRandomLength bounds the size of a generated string.
	maxRandomLength = 1 << 20
)

// printableASCII is the alphabet of '.' (any character).
var printableASCII = []rune{' ', '~'}

// jpRandom generates a random string matching a regular expression.
func jpRandom(e *Env, a []any) (any, error) {
	pattern := a[0].(string)
	if pattern == "" {
		return nil, errors.New("no pattern provided")
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	g := generator{randIntN: e.cfg.randIntN}
	if err := g.gen(re.Simplify()); err != nil {
		return nil, fnErrorf("random", "%s", err.Error())
	}
	return g.b.String(), nil
}

type generator struct {
	b        strings.Builder
	randIntN func(int) int
}

func (g *generator) intN(n int) int {
	if n <= 1 {
		return 0
	}
	return g.randIntN(n)
}

func (g *generator) write(r rune) error {
	if g.b.Len() >= maxRandomLength {
		return fmt.Errorf("generated string is longer than %d bytes", maxRandomLength)
	}
	g.b.WriteRune(r)
	return nil
}

// pickRune returns a random rune from a sorted list of inclusive ranges.
func (g *generator) pickRune(ranges []rune) rune {
	total := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		total += int(ranges[i+1]-ranges[i]) + 1
	}
	n := g.intN(total)
	for i := 0; i+1 < len(ranges); i += 2 {
		size := int(ranges[i+1]-ranges[i]) + 1
		if n < size {
			return ranges[i] + rune(n)
		}
		n -= size
	}
	return ranges[0]
}

func (g *generator) repeat(re *syntax.Regexp, min, max int) error {
	if max < 0 {
		max = min + maxUnboundedRepeat
	}
	n := min + g.intN(max-min+1)
	for range n {
		if err := g.gen(re); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) gen(re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpNoMatch:
		return errors.New("the expression matches nothing")
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return nil
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && g.intN(2) == 1 {
				r = unicode.SimpleFold(r)
			}
			if err := g.write(r); err != nil {
				return err
			}
		}
		return nil
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return errors.New("empty character class")
		}
		return g.write(g.pickRune(re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return g.write(g.pickRune(printableASCII))
	case syntax.OpCapture:
		return g.gen(re.Sub[0])
	case syntax.OpStar:
		return g.repeat(re.Sub[0], 0, -1)
	case syntax.OpPlus:
		return g.repeat(re.Sub[0], 1, -1)
	case syntax.OpQuest:
		return g.repeat(re.Sub[0], 0, 1)
	case syntax.OpRepeat:
		return g.repeat(re.Sub[0], re.Min, re.Max)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if err := g.gen(sub); err != nil {
				return err
			}
		}
		return nil
	case syntax.OpAlternate:
		return g.gen(re.Sub[g.intN(len(re.Sub))])
	}
	return fmt.Errorf("unsupported regular expression operator %v", re.Op)
}
