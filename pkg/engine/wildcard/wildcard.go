// Package wildcard implements the glob-style string matching used throughout
// Kyverno-compatible policies: in pattern values ("nginx:*"), in resource names
// and namespaces of match/exclude blocks, and in metadata label/annotation keys.
//
// The syntax is deliberately tiny:
//
//   - '*' matches any sequence of characters, including the empty sequence;
//   - '?' matches exactly one character (one Unicode code point; an invalid
//     UTF-8 byte counts as one character);
//   - every other character matches itself. There is no escaping and there are
//     no character classes.
//
// Consequently the pattern "*" matches every string, including "", and the
// pattern "?" matches every one-character string but not "".
//
// Match neither allocates nor uses package regexp; it runs in O(len(pattern) *
// len(s)) time in the worst case and in linear time for the common shapes
// ("prefix*", "*suffix", "a*b").
package wildcard

import "unicode/utf8"

// Match reports whether s matches pattern, where '*' in pattern matches any
// sequence of characters (including none) and '?' matches exactly one
// character. All other characters are literals.
func Match(pattern, s string) bool {
	// Fast paths for the overwhelmingly common shapes: "*", no wildcard at
	// all, and a single '*' without '?' ("prefix*", "*suffix", "a*b").
	if pattern == "*" {
		return true
	}
	star := indexWildcard(pattern)
	if star < 0 {
		return pattern == s
	}
	if pattern[star] == '*' && indexWildcard(pattern[star+1:]) < 0 {
		prefix, suffix := pattern[:star], pattern[star+1:]
		return len(s) >= len(prefix)+len(suffix) &&
			s[:len(prefix)] == prefix && s[len(s)-len(suffix):] == suffix
	}

	p, i := 0, 0
	starP, starI := -1, 0 // position after the last '*' seen, and where s resumes
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; c {
			case '*':
				// Record the star and first try to let it match nothing.
				starP, starI = p, i
				p++
				continue
			case '?':
				i += runeLen(s[i:])
				p++
				continue
			default:
				if c == s[i] {
					p++
					i++
					continue
				}
			}
		}
		// Mismatch: let the most recent '*' absorb one more character of s.
		// Backtracking to the last star only is sufficient because '*' can
		// absorb anything an earlier star could have.
		if starP < 0 {
			return false
		}
		starI += runeLen(s[starI:])
		i = starI
		p = starP + 1
	}
	// s is exhausted: the remaining pattern may only consist of stars.
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// ContainsWildcard reports whether s contains a '*' or '?' character.
func ContainsWildcard(s string) bool {
	return indexWildcard(s) >= 0
}

// indexWildcard returns the index of the first '*' or '?' in s, or -1.
func indexWildcard(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return i
		}
	}
	return -1
}

// runeLen returns the byte length of the first character of s (s must not be
// empty). ASCII is handled without decoding.
func runeLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRuneInString(s)
	return w
}
