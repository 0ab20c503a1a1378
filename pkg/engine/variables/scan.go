package variables

import (
	"strings"
	"unicode/utf8"
)

// findVariables returns the [start, end) byte offsets of the unescaped
// variables of s, exactly the group-2 spans of Kyverno's leftmost-first
// FindAll with
//
//	(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})
//
// i.e. `{{`, then any run of non-brace characters and brace-free `{...}`
// pairs, then `}}`, where the character before `{{` is not a backslash and
// not part of the previous match. (The expression has at most one match per
// start, since a retreat of the repetition never lands on a '}', so a
// single greedy scan finds it.)
func findVariables(s string, appendTo [][2]int) [][2]int {
	start := 0 // where the next match may begin (prefix character included)
	for i := 0; ; {
		k := strings.Index(s[i:], "{{")
		if k < 0 {
			return appendTo
		}
		i += k
		if i > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:i])
			if i-size < start || r == '\\' {
				i++ // escaped, or its prefix belongs to the previous match
				continue
			}
		}
		end := variableEnd(s, i)
		if end < 0 {
			i++
			continue
		}
		appendTo = append(appendTo, [2]int{i, end})
		start, i = end, end
	}
}

// variableEnd returns the end of the variable starting with the "{{" at i, or
// -1.
func variableEnd(s string, i int) int {
	j := i + 2
	for j < len(s) {
		switch s[j] {
		case '}':
			if j+1 < len(s) && s[j+1] == '}' {
				return j + 2
			}
			return -1
		case '{':
			k := strings.IndexAny(s[j+1:], "{}")
			if k < 0 || s[j+1+k] == '{' {
				return -1
			}
			j += k + 2
		default:
			j++
		}
	}
	return -1
}
