package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// MaxSourceSize is the largest source Decode accepts, in bytes.
const MaxSourceSize = 64 << 20

// Document is one decoded YAML or JSON document.
type Document struct {
	// Source is the file name as given to Decode ("-" for stdin).
	Source string
	// Index is the 0-based position of the document in the source's YAML
	// stream: the count of documents before it, empty ones included, as a
	// reader counts them between "---" separators. The items of a List all
	// carry the List's index.
	Index int
	// Line is the 1-based line where the object starts in the source (for
	// an item of a List, where the item starts).
	Line int
	// Object is the decoded object. Its values are map[string]any, []any,
	// string, bool, nil, int64 (integers) and float64 (other numbers).
	Object map[string]any
}

// Error is a decoding error located in a source.
type Error struct {
	Source string
	// Index is the document's index, or -1 for an error about the whole
	// source.
	Index int
	// Line is the 1-based line where the document starts, or 0 if unknown.
	Line int
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Index < 0:
		return fmt.Sprintf("%s: %v", e.Source, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s: document %d (line %d): %v", e.Source, e.Index, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: document %d: %v", e.Source, e.Index, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Decode decodes every document of a YAML or JSON source.
//
// Documents are separated by lines that start with "---" followed by
// nothing, blanks or a comment. Empty documents (nothing but comments, or
// null) are skipped. A List (kind List, or any kind ending in List with
// apiVersion v1 and an items field) is replaced by its items. A document
// that is not a mapping is an error.
//
// Values mean what they mean to sigs.k8s.io/yaml (and so to kubectl and
// Kyverno): YAML 1.1 scalars (yes/no/on/off are booleans), timestamps kept
// as strings, merge keys and aliases expanded, non-string keys turned into
// strings. See Document.Object for the Go types.
//
// A broken document does not stop the others: Decode returns every
// document it could decode and, if any failed, an error joining one *Error
// per failed document, each naming the source, the document's index and
// line, and the line of the problem in the source.
func Decode(source string, data []byte) (docs []Document, err error) {
	if len(data) > MaxSourceSize {
		return nil, &Error{Source: source, Index: -1,
			Err: fmt.Errorf("source is %d bytes, more than the limit of %d MiB", len(data), MaxSourceSize>>20)}
	}
	d := decoder{source: source}
	defer func() {
		// A safety net: a bug must not take the program down.
		if r := recover(); r != nil {
			docs, err = nil, &Error{Source: source, Index: d.index, Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	for _, ch := range splitDocuments(data) {
		d.chunk(ch)
	}
	return d.docs, errors.Join(d.errs...)
}

// fastPaths enables fastDecode; tests turn it off to compare.
var fastPaths = true

type decoder struct {
	in     interner
	source string
	index  int
	docs   []Document
	errs   []error
}

func (d *decoder) fail(line int, err error) {
	d.errs = append(d.errs, &Error{Source: d.source, Index: d.index, Line: line, Err: err})
}

// chunk decodes the documents of one piece of the source.
func (d *decoder) chunk(ch chunk) {
	if fastPaths {
		if v, line, items, ok := fastDecode(ch, &d.in); ok {
			d.add(v, line, items)
			d.index++
			return
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(ch.data))
	for {
		var doc yaml.Node
		err := decodeNode(dec, &doc)
		if err == io.EOF {
			return
		}
		if err != nil {
			d.fail(ch.contentLine, absoluteError(err, ch.line))
			d.index++
			return
		}
		if len(doc.Content) == 0 {
			d.index++
			continue
		}
		top := doc.Content[0]
		c := converter{lineBase: ch.line, aliasLimit: aliasBudget(len(ch.data))}
		line := ch.line + top.Line - 1
		v, err := c.value(top)
		if err != nil {
			d.fail(line, err)
		} else {
			d.add(v, line, itemLines(top, ch.line))
		}
		d.index++
	}
}

// decodeNode parses the next document, turning a panic of the parser into
// an error.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: internal error: %v", r)
		}
	}()
	return dec.Decode(n)
}

// add records a decoded top-level value as documents.
func (d *decoder) add(v any, line int, lines []int) {
	switch x := v.(type) {
	case nil:
		// An empty document.
	case map[string]any:
		d.addObject(x, line, lines, 0)
	default:
		d.fail(line, fmt.Errorf("expected a mapping (an object with apiVersion and kind), found %s", describe(v)))
	}
}

// maxListNesting bounds how deep Lists inside Lists are expanded.
const maxListNesting = 8

func (d *decoder) addObject(m map[string]any, line int, lines []int, nesting int) {
	items, isList, err := listItems(m)
	if err != nil {
		d.fail(line, err)
		return
	}
	if !isList || nesting >= maxListNesting {
		d.docs = append(d.docs, Document{Source: d.source, Index: d.index, Line: line, Object: m})
		return
	}
	if len(lines) != len(items) {
		lines = nil
	}
	for i, it := range items {
		itemLine := line
		if lines != nil {
			itemLine = lines[i]
		}
		obj, ok := it.(map[string]any)
		if !ok {
			d.fail(itemLine, fmt.Errorf("item %d of the %s is %s, not a mapping", i, m["kind"], describe(it)))
			continue
		}
		d.addObject(obj, itemLine, nil, nesting+1)
	}
}

// listItems returns the items of a List: kind List, or a kind ending in
// List with apiVersion v1 and an items field.
func listItems(m map[string]any) (items []any, isList bool, err error) {
	kind, _ := m["kind"].(string)
	if !strings.HasSuffix(kind, "List") {
		return nil, false, nil
	}
	raw, present := m["items"]
	if kind != "List" {
		if apiVersion, _ := m["apiVersion"].(string); apiVersion != "v1" || !present {
			return nil, false, nil
		}
	}
	switch x := raw.(type) {
	case nil:
		return nil, true, nil
	case []any:
		return x, true, nil
	}
	return nil, false, fmt.Errorf("items of the %s is %s, not a list", kind, describe(raw))
}

// itemLines returns the absolute lines of the elements of the sequence
// under the key "items" of a mapping node, if it is written out there.
func itemLines(top *yaml.Node, lineBase int) []int {
	if top.Kind != yaml.MappingNode {
		return nil
	}
	var seq *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "items" {
			seq = top.Content[i+1]
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(seq.Content))
	for i, e := range seq.Content {
		lines[i] = lineBase + e.Line - 1
	}
	return lines
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a sequence"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return "the string " + strconv.Quote(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case int64, float64:
		return fmt.Sprintf("the number %v", x)
	}
	return fmt.Sprintf("%T", v)
}

// absoluteError rewrites the "line N" of a parser error, relative to the
// parsed text, into a line of the source.
func absoluteError(err error, lineBase int) error {
	const prefix = "yaml: line "
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	rest := msg[len(prefix):]
	colon := strings.IndexByte(rest, ':')
	if colon < 0 {
		return err
	}
	n, convErr := strconv.Atoi(rest[:colon])
	if convErr != nil {
		return err
	}
	problem := strings.TrimPrefix(rest[colon+1:], " ")
	if parserProblems[problem] {
		// The parser (unlike the scanner) reports a 0-based line: that of
		// the construct it was parsing, or of the problem.
		n++
	}
	return &nodeError{line: lineBase + n - 1, msg: problem}
}

// parserProblems are the messages of the YAML parser, as opposed to its
// scanner, whose line numbers are 1-based.
var parserProblems = map[string]bool{
	"did not find expected <stream-start>":   true,
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found duplicate %TAG directive":         true,
}

// chunk is a piece of the source holding one document.
type chunk struct {
	data        []byte
	line        int // line of the first byte of data
	contentLine int // first line with content, for error messages
	marker      bool
}

var bom = []byte("\xef\xbb\xbf")

// splitDocuments cuts the source before each document separator, a line
// that starts with "---" followed by the end of the line, a blank or a
// comment, as the apimachinery YAML reader (and so kubectl and Kyverno)
// does. A first piece holding only blanks, comments and directives stays
// with the document after it.
func splitDocuments(data []byte) []chunk {
	var chunks []chunk
	cur := chunk{line: 1}
	start, line := 0, 1
	var fixes []int // offsets of "#" right after a "---" separator
	finish := func(end int) {
		cur.data = data[start:end]
		if len(fixes) > 0 || end == len(data) && data[end-1] != '\n' {
			cur.data = fixChunk(cur.data, start, fixes, end == len(data))
		}
		if cur.contentLine == 0 {
			cur.contentLine = cur.line
		}
		chunks = append(chunks, cur)
		fixes = fixes[:0]
	}
	for pos := 0; pos < len(data); line++ {
		end := len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end = pos + i + 1
		}
		l := data[pos:end]
		lpos := pos
		if pos == 0 && bytes.HasPrefix(l, bom) {
			l, lpos = l[len(bom):], len(bom)
		}
		if isSeparator(l) {
			if cur.marker || cur.contentLine != 0 {
				finish(pos)
				cur = chunk{line: line}
				start = pos
			}
			cur.marker = true
			if len(l) > 3 && l[3] == '#' {
				fixes = append(fixes, lpos+3)
			}
			if cur.contentLine == 0 && isContent(l[3:]) {
				cur.contentLine = line
			}
		} else if cur.contentLine == 0 && len(l) > 0 && l[0] != '%' && isContent(l) {
			cur.contentLine = line
		}
		pos = end
	}
	if start < len(data) {
		finish(len(data))
	}
	return chunks
}

// fixChunk copies a chunk that starts at offset start of the source,
// inserting a blank before the comment of separators written "---#" (for
// YAML, "---#" is text, not a separator) and, when last is set, ending it
// with a line break: the apimachinery YAML reader ends every line with one,
// the last one included, so that a block scalar on the last line keeps
// its final "\n" even when the file has none.
func fixChunk(data []byte, start int, fixes []int, last bool) []byte {
	out := make([]byte, 0, len(data)+len(fixes)+1)
	prev := 0
	for _, f := range fixes {
		out = append(out, data[prev:f-start]...)
		out = append(out, ' ')
		prev = f - start
	}
	out = append(out, data[prev:]...)
	if last && (len(out) == 0 || out[len(out)-1] != '\n') {
		out = append(out, '\n')
	}
	return out
}

func isSeparator(l []byte) bool {
	if len(l) < 3 || l[0] != '-' || l[1] != '-' || l[2] != '-' {
		return false
	}
	if len(l) == 3 {
		return true
	}
	switch l[3] {
	case ' ', '\t', '\r', '\n', '#':
		return true
	}
	return false
}

// isContent reports whether a line holds more than blanks and a comment.
func isContent(l []byte) bool {
	for _, c := range l {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '#':
			return false
		}
		return true
	}
	return false
}
