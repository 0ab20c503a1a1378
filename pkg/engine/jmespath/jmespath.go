package jmespath

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	gojmespath "github.com/kyverno/go-jmespath"
)

// MaxExpressionLength bounds the length of an expression in bytes. The parser
// and the interpreter are recursive; the bound keeps pathological input (such
// as tens of thousands of nested parentheses) far away from the goroutine
// stack limit, whose overflow cannot be recovered.
const MaxExpressionLength = 64 << 10

// maxNesting bounds the nesting depth of brackets, parentheses, braces and
// chained prefix operators, for the same reason as MaxExpressionLength.
const maxNesting = 1000

// Query is a compiled JMESPath expression with Kyverno's custom functions.
// A Query is safe for concurrent use.
type Query struct {
	expr string
	ast  gojmespath.ASTNode
	// reads and calls are what Reads and CallsFunctions return, worked out
	// once at parse time.
	reads [][]string
	calls bool
}

// Parse compiles expr.
func Parse(expr string) (q *Query, err error) {
	if err := checkComplexity(expr); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, panicError("parse", r)
		}
	}()
	ast, err := gojmespath.NewParser().Parse(expr)
	if err != nil {
		return nil, err
	}
	return &Query{expr: expr, ast: ast, reads: readPaths(ast), calls: callsFunctions(ast)}, nil
}

// String returns the source expression.
func (q *Query) String() string { return q.expr }

// Search evaluates the query against data with the default [Env].
//
// data is a JSON-compatible value: map[string]any, []any, string, bool, nil
// and numbers. Numbers of any Go numeric type are accepted and seen by the
// expression as float64 (see the package documentation); the result follows
// the same convention. A missing key yields an error for which [IsNotFound]
// is true.
func (q *Query) Search(data any) (any, error) {
	return q.SearchEnv(defaultEnv(), data)
}

// SearchEnv evaluates the query against data with the functions of env.
func (q *Query) SearchEnv(env *Env, data any) (result any, err error) {
	data, _ = normalize(data)
	return q.searchNormalized(env, data)
}

// Normalize returns data with every number as float64, copying only the
// containers that change. Data passed through Normalize once can be
// searched many times with SearchNormalized, which skips that walk.
func Normalize(data any) any {
	v, _ := normalize(data)
	return v
}

// SearchNormalized is Search for data that holds no numbers but float64
// (see Normalize): it does not walk the data first, so a query costs what the
// expression touches, not the size of the document.
func (q *Query) SearchNormalized(data any) (any, error) {
	return q.searchNormalized(defaultEnv(), data)
}

func (q *Query) searchNormalized(env *Env, data any) (result any, err error) {
	if env == nil {
		env = defaultEnv()
	}
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, panicError("evaluate "+strings.TrimSpace(q.expr), r)
		}
	}()
	return gojmespath.NewInterpreter().Execute(q.ast, data, gojmespath.WithFunctionCaller(env.caller))
}

// ParseCached is Parse with the bounded cache of compiled queries that
// Search uses.
func ParseCached(expr string) (*Query, error) { return cachedParse(expr) }

// Search compiles expr (using a bounded cache of compiled queries) and
// evaluates it against data with the default [Env].
func Search(expr string, data any) (any, error) {
	q, err := cachedParse(expr)
	if err != nil {
		return nil, err
	}
	return q.Search(data)
}

// IsNotFound reports whether err is, or wraps, the NotFoundError raised for a
// missing key.
func IsNotFound(err error) bool {
	var nf gojmespath.NotFoundError
	if errors.As(err, &nf) {
		return true
	}
	var pnf *gojmespath.NotFoundError
	return errors.As(err, &pnf)
}

// maxASTOutput bounds the size of the text returned by ParseAST.
const maxASTOutput = 16 << 20

// ParseAST parses expr and returns its abstract syntax tree, pretty-printed
// in the library's format (for `kanon jp parse`):
//
//	ASTPipe {
//	  children: {
//	    ASTField {
//	      value: "foo"
//	    }
//	    ...
func ParseAST(expr string) (string, error) {
	q, err := Parse(expr)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if !printAST(&b, q.ast, 0) {
		return "", fmt.Errorf("jmespath: the syntax tree is larger than %d bytes", maxASTOutput)
	}
	return b.String(), nil
}

// printAST writes node like the library's PrettyPrint, without its quadratic
// string concatenation and with slice bounds shown as numbers. It returns
// false when the output grows too large.
func printAST(b *strings.Builder, node gojmespath.ASTNode, indent int) bool {
	if b.Len() > maxASTOutput {
		return false
	}
	pad := strings.Repeat(" ", indent)
	next := pad + "  "
	fmt.Fprintf(b, "%s%s {\n", pad, node.NodeType)
	if node.Value != nil {
		if s, ok := node.Value.(fmt.Stringer); ok {
			fmt.Fprintf(b, "%svalue: %s\n", next, s.String())
		} else if parts, ok := node.Value.([]*int); ok {
			// Slice bounds: print the numbers, not the pointers.
			texts := make([]string, len(parts))
			for i, p := range parts {
				texts[i] = "nil"
				if p != nil {
					texts[i] = fmt.Sprint(*p)
				}
			}
			fmt.Fprintf(b, "%svalue: []*int{%s}\n", next, strings.Join(texts, ", "))
		} else {
			fmt.Fprintf(b, "%svalue: %#v\n", next, node.Value)
		}
	}
	if len(node.Children) > 0 {
		fmt.Fprintf(b, "%schildren: {\n", next)
		for _, child := range node.Children {
			if !printAST(b, child, indent+4) {
				return false
			}
		}
	}
	fmt.Fprintf(b, "%s}\n", pad)
	return true
}

// panicError converts a recovered panic into an error.
func panicError(op string, r any) error {
	return fmt.Errorf("jmespath: %s: internal error: %v", op, r)
}

// checkComplexity rejects expressions that could exhaust the stack.
func checkComplexity(expr string) error {
	if len(expr) > MaxExpressionLength {
		return fmt.Errorf("jmespath: expression is %d bytes long, more than the limit of %d", len(expr), MaxExpressionLength)
	}
	depth, prefix := 0, 0
	inRaw, inLiteral, inQuoted := false, false, false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case inRaw:
			if c == '\\' {
				i++
			} else if c == '\'' {
				inRaw = false
			}
			continue
		case inQuoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuoted = false
			}
			continue
		case inLiteral:
			// JSON literals have their own depth limit in encoding/json.
			if c == '\\' {
				i++
			} else if c == '`' {
				inLiteral = false
			}
			continue
		}
		switch c {
		case '\'':
			inRaw = true
		case '"':
			inQuoted = true
		case '`':
			inLiteral = true
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		// Runs of prefix operators (not, expression reference) recurse in
		// the parser and the interpreter.
		switch c {
		case '!', '&':
			prefix++
		case ' ', '\t', '\n', '\r', '(':
		default:
			prefix = 0
		}
		if depth > maxNesting || prefix > maxNesting {
			return fmt.Errorf("jmespath: expression nests more than %d levels deep", maxNesting)
		}
	}
	return nil
}

// queryCacheSize bounds the cache used by [Search].
const queryCacheSize = 4096

var (
	queryCache      sync.Map // string -> *Query
	queryCacheCount atomic.Int64
)

func cachedParse(expr string) (*Query, error) {
	if v, ok := queryCache.Load(expr); ok {
		return v.(*Query), nil
	}
	q, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	if queryCacheCount.Add(1) > queryCacheSize {
		// Crude but bounded: start over when the cache is full.
		queryCache.Clear()
		queryCacheCount.Store(1)
	}
	if v, loaded := queryCache.LoadOrStore(expr, q); loaded {
		return v.(*Query), nil
	}
	return q, nil
}
