package manifest

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The fast paths decode the shapes of YAML and JSON that manifests are
// nearly always written in, several times faster than the general parser.
// They give up (ok == false) at the first sign of anything else (anchors,
// tags, multi-line flow collections or quoted strings, tabs, CRLF, odd
// indentation, errors of any kind...) and the general parser then decodes
// the document from scratch: a fast path never decides an error nor a
// value that the general path would decide differently (FuzzDecode checks
// this).

// fastDecode decodes a chunk that is a single JSON object or a document in
// the block-YAML subset. v is nil for an empty document.
func fastDecode(ch chunk, in *interner) (v any, line int, items []int, ok bool) {
	data := ch.data
	// Skip the separator line, blank and comment lines.
	i, line0 := 0, 0
	for i < len(data) {
		end := i
		for end < len(data) && data[end] != '\n' {
			end++
		}
		l := data[i:end]
		for _, c := range l {
			if c == '\t' || c == '\r' || c >= 0x80 {
				return nil, 0, nil, false
			}
		}
		if line0 == 0 && isSeparator(l) {
			if isContent(l[3:]) {
				return nil, 0, nil, false
			}
		} else if isContent(l) {
			break
		}
		i = end + 1
		line0++
	}
	if i >= len(data) {
		// Only blanks and comments: leave it to the parser, which also
		// knows what to do with a BOM or a directive.
		return nil, 0, nil, false
	}
	j := i
	for j < len(data) && data[j] == ' ' {
		j++
	}
	if j < len(data) && data[j] == '{' {
		jp := jsonParser{data: data, pos: j, line: line0, in: in}
		v, items, ok := jp.document()
		if !ok {
			return nil, 0, nil, false
		}
		for k := range items {
			items[k] += ch.line
		}
		return v, ch.line + line0, items, true
	}
	yp := yamlParser{data: data, in: in}
	if in != nil {
		yp.lines = in.lines[:0]
		defer func() { in.lines = yp.lines[:0] }()
	}
	if !yp.splitLines() {
		return nil, 0, nil, false
	}
	v, l, items, ok := yp.document()
	if !ok {
		return nil, 0, nil, false
	}
	for k := range items {
		items[k] += ch.line
	}
	return v, ch.line + l, items, true
}

// maxFastDepth bounds nesting on the fast paths; deeper documents go to the
// general parser.
const maxFastDepth = 200

// maxFastKey bounds the length of keys on the fast paths: the YAML scanner
// only accepts simple keys of up to 1024 characters.
const maxFastKey = 1000

// printable reports whether the YAML scanner accepts rune r in a document:
// the printable set of YAML, less the characters it treats as line breaks
// (NEL, LS, PS) and the byte order mark, which the fast paths leave to the
// parser.
func printable(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0x7e:
		return true
	case r >= 0xa0 && r <= 0xd7ff:
		return r != 0x2028 && r != 0x2029
	case r >= 0xe000 && r <= 0xfffd:
		return r != 0xfeff
	case r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

// jsonValue checks a resolved scalar for the fast paths: NaN and
// infinities are errors the general path reports; big integers become
// float64.
func jsonValue(v any) (any, bool) {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
	case uint64:
		return float64(x), true
	}
	return v, true
}

// ---------------------------------------------------------------------------
// Block YAML subset.

type yamlLine struct {
	start  int // offset of the first byte of the line
	end    int // offset of the line break (or of the end of data)
	indent int // column where the content starts (moved past "- " for compact nodes)
	blank  bool
	empty  bool // nothing but spaces
}

type yamlParser struct {
	in    *interner
	data  []byte
	lines []yamlLine
	pos   int
	depth int
}

// splitLines indexes the lines of the chunk, giving up on characters and
// lines the subset leaves out.
func (p *yamlParser) splitLines() bool {
	data := p.data
	if p.lines == nil {
		p.lines = make([]yamlLine, 0, len(data)/24+1)
	}
	for i := 0; i < len(data); {
		start := i
		indent := -1
		for ; i < len(data); i++ {
			c := data[i]
			if c == '\n' {
				break
			}
			if indent < 0 && c != ' ' {
				indent = i - start
			}
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c >= 0x80 {
				r, size := utf8.DecodeRune(data[i:])
				if r == utf8.RuneError || !printable(r) {
					return false
				}
				i += size - 1
			}
		}
		l := yamlLine{start: start, end: i}
		if indent < 0 {
			l.indent, l.blank, l.empty = i-start, true, true
		} else {
			l.indent = indent
			l.blank = data[start+indent] == '#'
		}
		if indent == 0 {
			s := data[start:i]
			if s[0] == '%' || len(s) >= 3 && (s[0] == '-' || s[0] == '.') && s[1] == s[0] && s[2] == s[0] && (len(s) == 3 || s[3] == ' ') {
				if len(p.lines) > 0 || s[0] != '-' || isContent(s[3:]) {
					return false
				}
				l.blank = true // the opening separator
			}
		}
		p.lines = append(p.lines, l)
		i++
	}
	return true
}

// text returns the content of line l from its indent on.
func (p *yamlParser) text(l *yamlLine) []byte {
	return p.data[l.start+l.indent : l.end]
}

// next skips blank and comment lines and returns the current line, or nil.
func (p *yamlParser) next() *yamlLine {
	for p.pos < len(p.lines) && p.lines[p.pos].blank {
		p.pos++
	}
	if p.pos == len(p.lines) {
		return nil
	}
	return &p.lines[p.pos]
}

func isSeqEntry(s []byte) bool {
	return len(s) > 0 && s[0] == '-' && (len(s) == 1 || s[1] == ' ')
}

func (p *yamlParser) document() (v any, line int, items []int, ok bool) {
	l := p.next()
	if l == nil {
		return nil, 0, nil, true
	}
	line = p.pos
	if isSeqEntry(p.text(l)) {
		return nil, 0, nil, false
	}
	m, ok := p.mapping(l.indent, &items)
	if !ok || p.next() != nil {
		return nil, 0, nil, false
	}
	return m, line, items, true
}

// node decodes the block collection that starts on the current line.
func (p *yamlParser) node() (any, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	l := &p.lines[p.pos]
	if isSeqEntry(p.text(l)) {
		return p.sequence(l.indent, nil)
	}
	return p.mapping(l.indent, nil)
}

// mapping decodes a block mapping whose keys are at column ind. items, if
// not nil, receives the lines of the elements of the "items" sequence.
func (p *yamlParser) mapping(ind int, items *[]int) (map[string]any, bool) {
	m := make(map[string]any, 4)
	for {
		l := p.next()
		if l == nil || l.indent < ind {
			return m, true
		}
		if l.indent > ind {
			return nil, false
		}
		key, off, ok := p.key(l)
		if !ok {
			return nil, false
		}
		var itemLines *[]int
		if items != nil && key == "items" {
			*items = (*items)[:0]
			itemLines = items
		}
		v, ok := p.value(off, ind, true, itemLines)
		if !ok {
			return nil, false
		}
		m[key] = v
	}
}

// key reads a mapping key at the indent of line l and returns the offset
// just after its colon.
func (p *yamlParser) key(l *yamlLine) (key string, off int, ok bool) {
	s := p.text(l)
	base := l.start + l.indent
	var raw string
	var rest int
	switch s[0] {
	case '"', '\'':
		str, n, ok := quoted(s, p.in)
		if !ok {
			return "", 0, false
		}
		for n < len(s) && s[n] == ' ' {
			n++
		}
		if n == len(s) || s[n] != ':' {
			return "", 0, false
		}
		key, rest = str, n+1
	default:
		if !plainStart(s) {
			return "", 0, false
		}
		colon := -1
		for i := 1; i < len(s); i++ {
			if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
				colon = i
				break
			}
			if s[i] == '#' && s[i-1] == ' ' {
				return "", 0, false
			}
		}
		if colon < 0 {
			return "", 0, false
		}
		raw = p.in.str(trimSpaces(s[:colon]))
		if raw == "<<" {
			return "", 0, false
		}
		v, _ := resolvePlain(raw)
		k, err := keyString(v)
		if err != nil {
			return "", 0, false
		}
		key, rest = k, colon+1
	}
	if rest > maxFastKey || rest < len(s) && s[rest] != ' ' {
		return "", 0, false
	}
	return key, base + rest, true
}

// plainStart reports whether s can start a plain scalar in the subset.
func plainStart(s []byte) bool {
	switch s[0] {
	case '-':
		return len(s) > 1 && s[1] >= '0' && s[1] <= '9' || len(s) > 1 && s[1] != ' ' && s[1] != '-'
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

func trimSpaces(s []byte) []byte {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// restIsComment reports whether s, what follows a value on its line, is
// nothing or a comment.
func restIsComment(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if s[0] != ' ' {
		return false
	}
	s = trimSpaces(s)
	return len(s) == 0 || s[0] == '#'
}

// value decodes the value that starts at offset off of the current line
// (after "key:" or "- "); ind is the indent of the collection holding it.
func (p *yamlParser) value(off, ind int, inMapping bool, items *[]int) (any, bool) {
	l := &p.lines[p.pos]
	for off < l.end && p.data[off] == ' ' {
		off++
	}
	s := p.data[off:l.end]
	if len(s) == 0 || s[0] == '#' {
		// The value is on the next lines, or null.
		p.pos++
		n := p.next()
		switch {
		case n == nil:
			return nil, true
		case n.indent > ind:
			if items != nil && isSeqEntry(p.text(n)) {
				if p.depth++; p.depth > maxFastDepth {
					return nil, false
				}
				v, ok := p.sequence(n.indent, items)
				p.depth--
				return v, ok
			}
			return p.node()
		case n.indent == ind && inMapping && isSeqEntry(p.text(n)):
			// A sequence at the indent of its key.
			return p.sequence(ind, items)
		}
		return nil, true
	}
	var v any
	switch s[0] {
	case '|', '>':
		return p.blockScalar(s, ind)
	case '"', '\'':
		str, n, ok := quoted(s, p.in)
		if !ok || !restIsComment(s[n:]) {
			return nil, false
		}
		v = str
	case '[':
		seq, ok := flowSequence(s, p.in)
		if !ok {
			return nil, false
		}
		v = seq
	case '{':
		if n := emptyFlowMapping(s); n > 0 && restIsComment(s[n:]) {
			v = map[string]any{}
		} else {
			return nil, false
		}
	default:
		if !plainStart(s) {
			return nil, false
		}
		end := len(s)
		for i := 1; i < len(s); i++ {
			if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
				return nil, false
			}
			if s[i] == '#' && s[i-1] == ' ' {
				end = i
				break
			}
		}
		r, _ := resolvePlain(p.in.str(trimSpaces(s[:end])))
		var ok bool
		if v, ok = jsonValue(r); !ok {
			return nil, false
		}
	}
	// A scalar on one line: what follows must not continue it.
	p.pos++
	if n := p.next(); n != nil && n.indent > ind {
		return nil, false
	}
	return v, true
}

// sequence decodes a block sequence whose dashes are at column ind.
func (p *yamlParser) sequence(ind int, items *[]int) ([]any, bool) {
	seq := make([]any, 0, 4)
	for {
		l := p.next()
		if l == nil || l.indent < ind {
			return seq, true
		}
		if l.indent > ind {
			return nil, false
		}
		s := p.text(l)
		if !isSeqEntry(s) {
			return seq, true
		}
		line := p.pos
		i := 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var v any
		var ok bool
		switch rest := s[i:]; {
		case len(rest) == 0 || rest[0] == '#':
			if items != nil {
				// The element starts on the next line, if it is nested.
				for j := p.pos + 1; j < len(p.lines); j++ {
					if !p.lines[j].blank {
						if p.lines[j].indent > ind {
							line = j
						}
						break
					}
				}
			}
			v, ok = p.value(l.end, ind, false, nil)
		case isSeqEntry(rest):
			l.indent += i
			v, ok = p.node()
		default:
			if _, _, isKey := p.keyAt(l, i); isKey {
				l.indent += i
				v, ok = p.node()
			} else {
				v, ok = p.value(l.start+l.indent+i, ind, false, nil)
			}
		}
		if !ok {
			return nil, false
		}
		if items != nil {
			*items = append(*items, line)
		}
		seq = append(seq, v)
	}
}

// keyAt reports whether the text of line l from column offset i on starts
// with a mapping key.
func (p *yamlParser) keyAt(l *yamlLine, i int) (string, int, bool) {
	saved := l.indent
	l.indent += i
	k, off, ok := p.key(l)
	l.indent = saved
	return k, off, ok
}

// blockScalar decodes a literal (|) or folded (>) scalar whose header is s;
// ind is the indent of the collection holding it.
func (p *yamlParser) blockScalar(s []byte, ind int) (any, bool) {
	literal := s[0] == '|'
	chomp := byte(0)
	i := 1
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		chomp = s[i]
		i++
	}
	if !restIsComment(s[i:]) {
		return nil, false
	}
	j := p.pos + 1
	leading, maxLead := 0, 0
	for j < len(p.lines) && p.lines[j].empty {
		maxLead = max(maxLead, p.lines[j].end-p.lines[j].start)
		leading++
		j++
	}
	if j == len(p.lines) {
		return nil, false
	}
	bi := p.lines[j].indent
	if bi <= ind || maxLead > bi {
		return nil, false
	}
	var b strings.Builder
	pending, first := leading, true
body:
	for ; j < len(p.lines); j++ {
		l := &p.lines[j]
		var text []byte
		switch {
		case l.empty && l.end-l.start <= bi:
			pending++
			continue
		case l.empty:
			if !literal {
				return nil, false
			}
			text = p.data[l.start+bi : l.end]
		case l.indent < bi:
			break body
		default:
			text = p.data[l.start+bi : l.end]
			if !literal && text[0] == ' ' {
				return nil, false
			}
		}
		switch {
		case first:
			for ; pending > 0; pending-- {
				b.WriteByte('\n')
			}
		case literal:
			b.WriteByte('\n')
			for ; pending > 0; pending-- {
				b.WriteByte('\n')
			}
		case pending == 0:
			b.WriteByte(' ')
		default:
			for ; pending > 0; pending-- {
				b.WriteByte('\n')
			}
		}
		b.Write(text)
		first, pending = false, 0
	}
	switch chomp {
	case 0:
		b.WriteByte('\n')
	case '+':
		b.WriteByte('\n')
		for ; pending > 0; pending-- {
			b.WriteByte('\n')
		}
	}
	p.pos = j
	if n := p.next(); n != nil && n.indent > ind {
		return nil, false
	}
	return b.String(), true
}

// quoted decodes a single- or double-quoted scalar that ends on its line
// and returns the length it takes.
func quoted(s []byte, in *interner) (string, int, bool) {
	q := s[0]
	var b []byte // nil until an escape is met
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			if b == nil {
				b = append([]byte{}, s[1:i]...)
			}
			b = append(b, '\'')
			i++
		case c == q:
			if b == nil {
				return in.str(s[1:i]), i + 1, true
			}
			return string(b), i + 1, true
		case c == '\\' && q == '"':
			if b == nil {
				b = append([]byte{}, s[1:i]...)
			}
			r, n, ok := escape(s[i:])
			if !ok {
				return "", 0, false
			}
			b = utf8.AppendRune(b, r)
			i += n - 1
		default:
			if b != nil {
				b = append(b, c)
			}
		}
	}
	return "", 0, false
}

// escape decodes the escape sequence at the start of s (from the
// backslash); the subset takes the escapes of JSON but "\/", and \0, \x,
// \U.
func escape(s []byte) (rune, int, bool) {
	if len(s) < 2 {
		return 0, 0, false
	}
	hex := 0
	switch s[1] {
	case '"', '\\':
		// Not '/': the YAML scanner has no "\/" escape, so JSON that uses
		// it is an error, as it is to sigs.k8s.io/yaml.
		return rune(s[1]), 2, true
	case 'n':
		return '\n', 2, true
	case 't':
		return '\t', 2, true
	case 'r':
		return '\r', 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case '0':
		return 0, 2, true
	case 'x':
		hex = 2
	case 'u':
		hex = 4
	case 'U':
		hex = 8
	default:
		return 0, 0, false
	}
	if len(s) < 2+hex {
		return 0, 0, false
	}
	var r rune
	for _, c := range s[2 : 2+hex] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0, false
		}
		r = r<<4 | rune(d)
	}
	if r >= 0xd800 && r <= 0xdfff || r > 0x10ffff {
		return 0, 0, false
	}
	return r, 2 + hex, true
}

// flowSequence decodes a flow sequence of scalars written on one line.
func flowSequence(s []byte, in *interner) ([]any, bool) {
	seq := []any{}
	i := 1
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	skip()
	if i < len(s) && s[i] == ']' {
		return seq, restIsComment(s[i+1:])
	}
	for {
		skip()
		if i == len(s) {
			return nil, false
		}
		switch c := s[i]; c {
		case '"', '\'':
			str, n, ok := quoted(s[i:], in)
			if !ok {
				return nil, false
			}
			seq = append(seq, str)
			i += n
		default:
			start := i
			for i < len(s) && s[i] != ',' && s[i] != ']' {
				switch s[i] {
				case '[', '{', '}', '#', ':', '\'', '"':
					return nil, false
				}
				i++
			}
			text := trimSpaces(s[start:i])
			if len(text) == 0 || !plainStart(text) {
				return nil, false
			}
			r, _ := resolvePlain(in.str(text))
			v, ok := jsonValue(r)
			if !ok {
				return nil, false
			}
			seq = append(seq, v)
		}
		skip()
		if i == len(s) {
			return nil, false
		}
		switch s[i] {
		case ']':
			return seq, restIsComment(s[i+1:])
		case ',':
			i++
			skip()
			if i < len(s) && s[i] == ']' {
				return nil, false
			}
		default:
			return nil, false
		}
	}
}

// emptyFlowMapping returns the length of "{}" (with blanks inside) at the
// start of s, or 0.
func emptyFlowMapping(s []byte) int {
	i := 1
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	return 0
}

// ---------------------------------------------------------------------------
// JSON.

type jsonParser struct {
	in    *interner
	data  []byte
	pos   int
	line  int // 0-based line of pos within the chunk
	depth int
}

func (p *jsonParser) document() (v any, items []int, ok bool) {
	m, ok := p.object(&items)
	if !ok {
		return nil, nil, false
	}
	if !p.space() || p.pos != len(p.data) {
		return nil, nil, false
	}
	return m, items, true
}

// space skips blanks and line breaks; tabs and carriage returns, which the
// YAML scanner may refuse where JSON takes them, make it give up.
func (p *jsonParser) space() bool {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ':
		case '\n':
			p.line++
		case '\t', '\r':
			return false
		default:
			return true
		}
		p.pos++
	}
	return true
}

func (p *jsonParser) value(items *[]int) (any, bool) {
	if !p.space() || p.pos == len(p.data) {
		return nil, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(nil)
	case c == '[':
		return p.array(items)
	case c == '"':
		if s, ok := p.string(); ok {
			return s, true
		}
		return nil, false
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	}
	return nil, false
}

func (p *jsonParser) literal(word string, v any) (any, bool) {
	end := p.pos + len(word)
	if end > len(p.data) || string(p.data[p.pos:end]) != word || end < len(p.data) && !jsonDelimiter(p.data[end]) {
		return nil, false
	}
	p.pos = end
	return v, true
}

func jsonDelimiter(c byte) bool {
	switch c {
	case ' ', '\n', ',', ']', '}':
		return true
	}
	return false
}

func (p *jsonParser) object(items *[]int) (any, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return nil, false
	}
	p.pos++ // '{'
	m := make(map[string]any, 8)
	if !p.space() || p.pos == len(p.data) {
		return nil, false
	}
	if p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return m, true
	}
	for {
		if !p.space() || p.pos == len(p.data) || p.data[p.pos] != '"' {
			return nil, false
		}
		start, line := p.pos, p.line
		k, ok := p.string()
		if !ok || !p.space() || p.pos == len(p.data) || p.data[p.pos] != ':' {
			return nil, false
		}
		// The YAML scanner wants a key and its colon on one line, at most
		// 1024 characters apart.
		if p.line != line || p.pos-start > maxFastKey {
			return nil, false
		}
		p.pos++
		var itemLines *[]int
		if items != nil && k == "items" {
			*items = (*items)[:0]
			itemLines = items
		}
		v, ok := p.value(itemLines)
		if !ok {
			return nil, false
		}
		m[k] = v
		if !p.space() || p.pos == len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(items *[]int) (any, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return nil, false
	}
	p.pos++ // '['
	s := make([]any, 0, 4)
	if !p.space() || p.pos == len(p.data) {
		return nil, false
	}
	if p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return s, true
	}
	for {
		if !p.space() {
			return nil, false
		}
		if items != nil {
			*items = append(*items, p.line)
		}
		v, ok := p.value(nil)
		if !ok {
			return nil, false
		}
		s = append(s, v)
		if !p.space() || p.pos == len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return s, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) string() (string, bool) {
	data := p.data
	start := p.pos + 1
	var b []byte // nil until an escape is met
	for i := start; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			p.pos = i + 1
			if b == nil {
				return p.in.str(data[start:i]), true
			}
			return string(b), true
		case c == '\\':
			if b == nil {
				b = append([]byte{}, data[start:i]...)
			}
			if i+1 < len(data) && (data[i+1] == '0' || data[i+1] == 'x' || data[i+1] == 'U') {
				return "", false // not JSON
			}
			r, n, ok := escape(data[i:])
			if !ok {
				return "", false
			}
			b = utf8.AppendRune(b, r)
			i += n - 1
		case c < 0x20 || c == 0x7f:
			return "", false
		case c >= 0x80:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError || !printable(r) {
				return "", false
			}
			if b != nil {
				b = append(b, data[i:i+size]...)
			}
			i += size - 1
		default:
			if b != nil {
				b = append(b, c)
			}
		}
	}
	return "", false
}

func (p *jsonParser) number() (any, bool) {
	data := p.data
	i := p.pos
	if data[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	intStart := i
	n := digits()
	if n == 0 || n > 1 && data[intStart] == '0' {
		return nil, false
	}
	integer := true
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
		integer = false
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
		integer = false
	}
	if i < len(data) && !jsonDelimiter(data[i]) {
		return nil, false
	}
	text := string(data[p.pos:i])
	p.pos = i
	if integer {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			return v, true
		}
		if v, err := strconv.ParseUint(text, 10, 64); err == nil {
			return float64(v), true
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, false
	}
	return f, true
}

// interner shares the strings that recur across the documents of a source
// (keys, kinds, API versions...), saving allocations, and keeps buffers
// for the next document.
type interner struct {
	m     map[string]string
	lines []yamlLine // reused by the YAML fast path
}

const (
	maxInterned   = 4096
	maxInternSize = 48
)

func (in *interner) str(b []byte) string {
	if len(b) > maxInternSize || in == nil {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if in.m == nil {
		in.m = make(map[string]string, 256)
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}
