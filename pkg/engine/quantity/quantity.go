// Package quantity parses Kubernetes resource quantities safely. Resource
// values are untrusted: resource.ParseQuantity and Quantity.Cmp materialise
// 10^exponent, so a value such as "1e-999999999" (parsing) or "1e999999999"
// (comparing) would take practically forever. Such strings are not
// quantities here.
package quantity

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Limits on what is treated as a quantity.
const (
	MaxLength   = 1024
	MaxExponent = 1000
)

// Parse parses s as a Kubernetes quantity, rejecting strings longer than
// MaxLength or with a decimal exponent ("<n>e<exp>") whose magnitude exceeds
// MaxExponent.
func Parse(s string) (resource.Quantity, bool) {
	if len(s) > MaxLength || hugeExponent(s) {
		return resource.Quantity{}, false
	}
	q, err := resource.ParseQuantity(s)
	return q, err == nil
}

// hugeExponent reports whether s ends with a decimal exponent whose
// magnitude exceeds MaxExponent.
func hugeExponent(s string) bool {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 {
		return false
	}
	exp := s[i+1:]
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		exp = exp[1:]
	}
	n := 0
	for j := 0; j < len(exp); j++ {
		c := exp[j]
		if c < '0' || c > '9' {
			return false // not an exponent; ParseQuantity decides
		}
		if n = n*10 + int(c-'0'); n > MaxExponent {
			return true
		}
	}
	return false
}
