// Package jsonvalue decodes JSON into the generic values Kanon's engine
// evaluates: map[string]any, []any, string, bool, nil, int64 and float64.
//
// Decode is a single pass over the input: it checks the syntax as
// encoding/json does (same accepted inputs, same error messages and byte
// offsets) and converts numbers as it reads them. It allocates little: no
// tokens, no numbers as text; the bytes of a string are one allocation
// (none for a set of common Kubernetes keys and values); maps and slices
// are made at their final size. Nothing aliases the input: the caller may
// reuse the buffer.
//
// Numbers follow the engine's convention: an integer literal (no fraction,
// no exponent) that fits in int64 becomes an int64 (so "-0" is int64 0);
// every other number becomes a float64 ("-0.0" is negative zero, an integer
// beyond the int64 range is rounded to the nearest float64). A number beyond
// the float64 range (1e400) keeps its digits: it becomes the string of its
// literal rather than an infinity.
//
// Strings are unescaped as encoding/json does, including its replacement of
// invalid UTF-8 and of unpaired surrogate escapes by U+FFFD. In an object
// the last of duplicate keys wins. Nesting deeper than MaxDepth is an error.
package jsonvalue

import (
	"io"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects Decode accepts, the
// same limit as encoding/json.
const MaxDepth = 10000

// SyntaxError is invalid or truncated JSON. For truncated input (the value
// ends before it is complete) errors.Is(err, io.ErrUnexpectedEOF) holds.
type SyntaxError struct {
	msg string
	// Offset is where the error was found: the number of bytes read,
	// including the offending one, as in encoding/json's SyntaxError. For
	// truncated input it is the length of the input.
	Offset    int64
	truncated bool
}

func (e *SyntaxError) Error() string { return e.msg }

// Unwrap returns io.ErrUnexpectedEOF for truncated input, nil otherwise.
func (e *SyntaxError) Unwrap() error {
	if e.truncated {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// Decode decodes exactly one JSON value; whitespace may surround it,
// anything else after it is an error. Errors are *SyntaxError.
func Decode(data []byte) (any, error) {
	d := decoders.Get().(*decoder)
	d.data, d.pos, d.depth = data, 0, 0
	d.space()
	v, err := d.value()
	if err == nil {
		d.space()
		if d.pos < len(d.data) {
			err = d.invalid(d.pos, "after top-level value")
		}
	}
	d.release()
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Scratch buffers larger than these are not kept for the next Decode.
const (
	maxPooledValues = 1 << 12
	maxPooledBytes  = 1 << 16
)

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// decoder holds the input and scratch stacks reused across values: the
// elements of the arrays and the members of the objects being read (inner
// ones on top), collected so that each slice and map is made at its final
// size, and the buffer strings with escapes are unescaped into.
type decoder struct {
	data    []byte
	pos     int
	depth   int
	elems   []any
	members []member
	buf     []byte
}

type member struct {
	key string
	val any
}

// release drops every reference into the decoded values (those left on
// the stacks by an error) and returns the decoder to the pool unless its
// buffers grew too large to keep.
func (d *decoder) release() {
	clear(d.elems)
	clear(d.members)
	d.elems, d.members, d.buf, d.data = d.elems[:0], d.members[:0], d.buf[:0], nil
	if cap(d.elems) <= maxPooledValues && cap(d.members) <= maxPooledValues && cap(d.buf) <= maxPooledBytes {
		decoders.Put(d)
	}
}

// invalid is a syntax error about the byte at i.
func (d *decoder) invalid(i int, context string) error {
	return &SyntaxError{msg: "invalid character " + quoteChar(d.data[i]) + " " + context, Offset: int64(i) + 1}
}

// truncated is the error for input that ends inside a value.
func (d *decoder) truncated() error {
	return &SyntaxError{msg: "unexpected end of JSON input", Offset: int64(len(d.data)), truncated: true}
}

// quoteChar formats a byte for an error message: 'x', '\n', '\x01'.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\n', '\t', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value reads the value that starts at d.pos (after whitespace).
func (d *decoder) value() (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.truncated()
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		b, err := d.str()
		if err != nil {
			return nil, err
		}
		if v := interned(b); v != nil {
			return v, nil
		}
		return string(b), nil
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, d.invalid(d.pos, "looking for beginning of value")
}

// literal reads true, false or null, whose first byte is known to match.
func (d *decoder) literal(word string) error {
	for k := 1; k < len(word); k++ {
		i := d.pos + k
		if i >= len(d.data) {
			return d.truncated()
		}
		if d.data[i] != word[k] {
			return d.invalid(i, "in literal "+word+" (expecting "+quoteChar(word[k])+")")
		}
	}
	d.pos += len(word)
	return nil
}

// open enters the array or object whose opening bracket is at d.pos;
// empty reports that closer follows at once (and has been read).
func (d *decoder) open(closer byte) (empty bool, err error) {
	if d.depth++; d.depth > MaxDepth {
		return false, d.invalid(d.pos, "exceeded max depth")
	}
	d.pos++
	d.space()
	if d.pos >= len(d.data) {
		return false, d.truncated()
	}
	if d.data[d.pos] == closer {
		d.pos++
		d.depth--
		return true, nil
	}
	return false, nil
}

// next reads what follows an element or member: a comma (more reports
// that another follows) or closer. context names the place in errors.
func (d *decoder) next(closer byte, context string) (more bool, err error) {
	d.space()
	if d.pos >= len(d.data) {
		return false, d.truncated()
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		d.space()
		return true, nil
	case closer:
		d.pos++
		d.depth--
		return false, nil
	}
	return false, d.invalid(d.pos, context)
}

func (d *decoder) object() (any, error) {
	switch empty, err := d.open('}'); {
	case err != nil:
		return nil, err
	case empty:
		return map[string]any{}, nil
	}
	base := len(d.members)
	for more := true; more; {
		if d.pos >= len(d.data) {
			return nil, d.truncated()
		}
		if d.data[d.pos] != '"' {
			return nil, d.invalid(d.pos, "looking for beginning of object key string")
		}
		b, err := d.str()
		if err != nil {
			return nil, err
		}
		var key string
		if v := interned(b); v != nil {
			key = v.(string)
		} else {
			key = string(b)
		}
		d.space()
		if d.pos >= len(d.data) {
			return nil, d.truncated()
		}
		if d.data[d.pos] != ':' {
			return nil, d.invalid(d.pos, "after object key")
		}
		d.pos++
		d.space()
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.members = append(d.members, member{key, v})
		if more, err = d.next('}', "after object key:value pair"); err != nil {
			return nil, err
		}
	}
	members := d.members[base:]
	m := make(map[string]any, len(members))
	for _, e := range members {
		m[e.key] = e.val
	}
	clear(members)
	d.members = d.members[:base]
	return m, nil
}

func (d *decoder) array() (any, error) {
	switch empty, err := d.open(']'); {
	case err != nil:
		return nil, err
	case empty:
		return []any{}, nil
	}
	base := len(d.elems)
	for more := true; more; {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, v)
		if more, err = d.next(']', "after array element"); err != nil {
			return nil, err
		}
	}
	elems := d.elems[base:]
	s := make([]any, len(elems))
	copy(s, elems)
	clear(elems)
	d.elems = d.elems[:base]
	return s, nil
}

// plain marks the bytes a string can hold as they are: printable ASCII
// other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads the string that starts at d.pos (a quote) and returns its
// unescaped bytes: a part of the input when it has neither escapes nor
// invalid UTF-8, otherwise d.buf. Either is only valid until the next call.
func (d *decoder) str() ([]byte, error) {
	data := d.data
	start := d.pos + 1
	i := start
	for i < len(data) {
		c := data[i]
		if plain[c] {
			i++
			continue
		}
		if c == '"' {
			d.pos = i + 1
			return data[start:i], nil
		}
		if c < utf8.RuneSelf {
			break // an escape or a control character
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	return d.unescape(start, i)
}

// unescape finishes reading a string from i, where the first escape,
// control character or invalid UTF-8 is, into d.buf.
func (d *decoder) unescape(start, i int) ([]byte, error) {
	data := d.data
	b := append(d.buf[:0], data[start:i]...)
	defer func() { d.buf = b[:0] }()
	for i < len(data) {
		c := data[i]
		switch {
		case plain[c]:
			run := i
			for i < len(data) && plain[data[i]] {
				i++
			}
			b = append(b, data[run:i]...)
		case c == '"':
			d.pos = i + 1
			return b, nil
		case c == '\\':
			if i+1 >= len(data) {
				return nil, d.truncated()
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := d.hex4(i + 2)
				if err != nil {
					return nil, err
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair when a low surrogate escape follows; anything
					// else (read on its own next) leaves U+FFFD.
					r2, ok := d.peekHex4(i)
					if pair := utf16.DecodeRune(r, r2); ok && pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return nil, d.invalid(i+1, "in string escape code")
			}
			i += 2
		case c < 0x20:
			return nil, d.invalid(i, "in string literal")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, data[i:i+size]...)
			}
			i += size
		}
	}
	return nil, d.truncated()
}

// hex4 reads the four hexadecimal digits of a \u escape at i.
func (d *decoder) hex4(i int) (rune, error) {
	var r rune
	for k := i; k < i+4; k++ {
		if k >= len(d.data) {
			return 0, d.truncated()
		}
		h := hexValue(d.data[k])
		if h < 0 {
			return 0, d.invalid(k, `in \u hexadecimal character escape`)
		}
		r = r<<4 | h
	}
	return r, nil
}

// peekHex4 reads a complete \uXXXX escape at i, if there is one.
func (d *decoder) peekHex4(i int) (rune, bool) {
	if i+6 > len(d.data) || d.data[i] != '\\' || d.data[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range d.data[i+2 : i+6] {
		h := hexValue(c)
		if h < 0 {
			return 0, false
		}
		r = r<<4 | h
	}
	return r, true
}

func hexValue(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digits reads one digit or more from i and returns where they end;
// context names the place in errors.
func (d *decoder) digits(i int, context string) (int, error) {
	if i >= len(d.data) {
		return i, d.truncated()
	}
	if !isDigit(d.data[i]) {
		return i, d.invalid(i, context)
	}
	for i < len(d.data) && isDigit(d.data[i]) {
		i++
	}
	return i, nil
}

// number reads a number literal and converts it (see the package comment).
func (d *decoder) number() (any, error) {
	data := d.data
	start, i := d.pos, d.pos
	neg := data[i] == '-'
	if neg {
		i++
		if i >= len(data) {
			return nil, d.truncated()
		}
	}
	// The integer part: 0, or a non-zero digit and more digits. A digit
	// after a leading 0 ends the number (and is then an error where the
	// number is used, as in encoding/json).
	var u uint64
	ndigits := 0
	switch c := data[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		for i < len(data) && isDigit(data[i]) {
			u = u*10 + uint64(data[i]-'0') // wraps past 19 digits: then unused
			ndigits++
			i++
		}
	default:
		return nil, d.invalid(i, "in numeric literal")
	}
	integer := true
	var err error
	if i < len(data) && data[i] == '.' {
		integer = false
		if i, err = d.digits(i+1, "after decimal point in numeric literal"); err != nil {
			return nil, err
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i, err = d.digits(i, "in exponent of numeric literal"); err != nil {
			return nil, err
		}
	}
	d.pos = i
	if integer && ndigits <= 19 { // 19 digits always fit in a uint64
		if !neg && u <= math.MaxInt64 {
			return int64(u), nil
		}
		if neg && u <= 1<<63 {
			return -int64(u), nil // -(1<<63) wraps to itself: MinInt64
		}
	}
	f, err := strconv.ParseFloat(string(data[start:i]), 64)
	if err != nil || math.IsInf(f, 0) {
		return string(data[start:i]), nil // beyond float64: keep the digits rather than lose them
	}
	return f, nil
}
