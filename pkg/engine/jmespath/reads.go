package jmespath

import (
	gojmespath "github.com/kyverno/go-jmespath"
)

// Reads returns the paths, from the value the query is evaluated against,
// of the subtrees the query can look at: a key chain such as
// ["request", "object", "spec"]; an empty path means the whole value. The
// query looks up only keys along these paths and never reads a subtree
// outside them, so data whose subtrees at these paths are normalized (see
// [Normalize]) gives the same result as fully normalized data. Everything a
// query computes from (elements of projections and filters, arguments of
// expression references) lies inside the subtrees it reads.
func (q *Query) Reads() [][]string { return q.reads }

// CallsFunctions reports whether the expression calls a function. Without
// function calls, a query over normalized data returns normalized data: the
// result is made of the data's values, literals and booleans.
func (q *Query) CallsFunctions() bool { return q.calls }

// readPaths returns the paths, relative to the value node is evaluated
// against, of the subtrees node can read (see [Query.Reads]).
func readPaths(node gojmespath.ASTNode) [][]string {
	switch node.NodeType {
	case gojmespath.ASTField:
		name, _ := node.Value.(string)
		return [][]string{{name}}
	case gojmespath.ASTSubexpression, gojmespath.ASTIndexExpression, gojmespath.ASTPipe:
		// Each child is evaluated against the previous one's result.
		var prefix []string
		for _, child := range node.Children {
			if p, ok := fieldChain(child); ok {
				prefix = append(prefix, p...)
				continue
			}
			// The rest is evaluated against what this child returns,
			// which lies inside what it reads.
			out := readPaths(child)
			for i, r := range out {
				out[i] = append(append(make([]string, 0, len(prefix)+len(r)), prefix...), r...)
			}
			return out
		}
		return [][]string{append([]string{}, prefix...)}
	case gojmespath.ASTLiteral, gojmespath.ASTExpRef:
		// An expression reference is applied by its function to values
		// taken from the other arguments.
		return nil
	case gojmespath.ASTProjection, gojmespath.ASTValueProjection, gojmespath.ASTFilterProjection:
		// The right side and the filter see elements of the left side.
		return readPaths(node.Children[0])
	case gojmespath.ASTComparator, gojmespath.ASTAndExpression, gojmespath.ASTOrExpression,
		gojmespath.ASTNotExpression, gojmespath.ASTFunctionExpression, gojmespath.ASTMultiSelectHash,
		gojmespath.ASTMultiSelectList, gojmespath.ASTKeyValPair, gojmespath.ASTFlatten:
		// Every child is evaluated against the current value.
		var out [][]string
		for _, child := range node.Children {
			out = append(out, readPaths(child)...)
		}
		return out
	}
	// The current node (@, identity, index, slice) and anything else: the
	// whole value.
	return [][]string{{}}
}

// fieldChain returns the keys of a chain of field lookups (a.b.c).
func fieldChain(node gojmespath.ASTNode) ([]string, bool) {
	switch node.NodeType {
	case gojmespath.ASTField:
		name, ok := node.Value.(string)
		return []string{name}, ok
	case gojmespath.ASTSubexpression:
		var out []string
		for _, child := range node.Children {
			p, ok := fieldChain(child)
			if !ok {
				return nil, false
			}
			out = append(out, p...)
		}
		return out, true
	}
	return nil, false
}

// callsFunctions reports whether node or a node below it is a function call.
func callsFunctions(node gojmespath.ASTNode) bool {
	if node.NodeType == gojmespath.ASTFunctionExpression {
		return true
	}
	for _, child := range node.Children {
		if callsFunctions(child) {
			return true
		}
	}
	return false
}
