package report

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// sgrPattern matches the escape sequences that Kyverno's table writer
// ignores when it measures a cell: ESC '[' followed by up to 3-digit
// numbers separated by ';', ended by 'm', 'K' or '|'. Any other escape
// sequence counts as text; its ESC byte has width 0.
var sgrPattern = regexp.MustCompile("\x1b\\[(?:[0-9]{1,3}(?:;[0-9]{1,3})*)?[m|K]")

// ansiPattern matches the wider class of ANSI sequences that Kyverno's
// `test` command strips from diffs when colour is off.
var ansiPattern = regexp.MustCompile("[\u001B\u009B][[\\]()#;?]*(?:(?:[a-zA-Z0-9]*(?:;[a-zA-Z0-9]*)*)?\u0007|(?:\\d{1,4}(?:;\\d{0,4})*)?[0-mG-Z])")

// StripANSI removes ANSI escape sequences. Kyverno applies it to the
// patched/generated resource diffs in a REASON message when --remove-color
// is set.
func StripANSI(s string) string { return ansiPattern.ReplaceAllString(s, "") }

// DisplayWidth is the number of terminal columns s occupies once SGR
// sequences are removed. This is the measure Kyverno's table writer uses to
// size columns.
//
// It follows the rules of mattn/go-runewidth (non-East-Asian mode):
//   - C0/C1 controls and soft hyphens have width 0.
//   - Combining and format characters have width 0.
//   - East Asian Wide and Fullwidth characters have width 2.
//   - Everything else has width 1.
//   - A zero-width joiner sequence or a regional-indicator pair is counted
//     once, like a grapheme cluster.
func DisplayWidth(s string) int {
	s = sgrPattern.ReplaceAllLiteralString(s, "")
	w := 0
	joinNext := false  // previous rune was a ZWJ: the next rune joins the cluster
	pendingRI := false // an unpaired regional indicator was just counted
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if r == utf8.RuneError && size == 1 {
			w++ // invalid byte: go-runewidth sees U+FFFD, width 1
			joinNext, pendingRI = false, false
			continue
		}
		if r == 0x200D {
			joinNext = true
			continue
		}
		rw := runeWidth(r)
		if joinNext {
			joinNext = false
			if rw > 0 {
				continue
			}
		}
		if r >= 0x1F1E6 && r <= 0x1F1FF {
			if pendingRI {
				pendingRI = false
				continue
			}
			pendingRI = true
		} else {
			pendingRI = false
		}
		w += rw
	}
	return w
}

func runeWidth(r rune) int {
	switch {
	case r < 0x20, r >= 0x7F && r <= 0x9F, r == 0xAD:
		return 0
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF: // variation selectors
		return 0
	case r >= 0x1160 && r <= 0x11FF: // Hangul medial vowels and final consonants
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	if isWideEmoji(r) {
		return 2
	}
	return 1
}

// isWideEmoji covers the emoji blocks that go-runewidth reports as double
// width but that x/text/width classifies as neutral.
func isWideEmoji(r rune) bool {
	switch {
	case r >= 0x1F300 && r <= 0x1F64F,
		r >= 0x1F680 && r <= 0x1F6FF,
		r >= 0x1F900 && r <= 0x1F9FF,
		r >= 0x1FA70 && r <= 0x1FAFF,
		r >= 0x1F1E6 && r <= 0x1F1FF:
		return true
	}
	return false
}
