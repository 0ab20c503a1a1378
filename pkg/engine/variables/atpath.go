package variables

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jmesPathOf renders path segments as a JMESPath, the way Kyverno renders the
// path of {{@}}: unsigned integers become indexes ("[0]"), plain identifiers
// are written as is and anything else is a quoted identifier.
func jmesPathOf(segs []string) string {
	var b strings.Builder
	for _, c := range segs {
		if _, err := strconv.ParseUint(c, 10, 64); err == nil {
			b.WriteByte('[')
			b.WriteString(c)
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		if isPlainIdentifier(c) {
			b.WriteString(c)
			continue
		}
		b.WriteByte('"')
		for _, r := range c {
			switch r {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				if r < 0x20 {
					fmt.Fprintf(&b, `\u%04x`, r)
				} else {
					b.WriteRune(r)
				}
			}
		}
		b.WriteByte('"')
	}
	return b.String()
}

// isPlainIdentifier: first character a letter or '_', every character a
// letter, digit, '_' or ')' (Kyverno's tables also admit '(' first, but every
// character must be in the second table, so '(' never is).
func isPlainIdentifier(c string) bool {
	first, _ := utf8.DecodeRuneInString(c)
	if !(first == '_' || 'a' <= first && first <= 'z' || 'A' <= first && first <= 'Z') {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !(ch == '_' || ch == ')' || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9') {
			return false
		}
	}
	return true
}
