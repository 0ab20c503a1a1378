package autogen

import (
	"bytes"
	"regexp"
	"strings"
)

// referenceRe finds "$(...)" references in a message: at the very start of the
// string, or preceded by any character other than a backslash (that character
// is part of the match). A reference runs to the last ")" before a space.
var referenceRe = regexp.MustCompile(`^\$\(.[^ ]*\)|[^\\]\$\(.[^ ]*\)`)

// shiftReferences rewrites the "$(...)" references of a validate message so
// that a path through pivot ("pattern", "deny", "anyPattern", ...) continues
// through shift (e.g. "spec/template"): "$(./../pattern/x)" becomes
// "$(./../pattern/spec/template/x)". For "anyPattern" the pattern index that
// follows the pivot is kept in front of the shift ("anyPattern/0/spec/...").
//
// Quirks kept on purpose: once an anyPattern index has been read, the pivot
// stays "anyPattern/<index>" for the following references of the same message,
// and every occurrence of the pivot inside a reference is shifted.
func shiftReferences(value, shift, pivot string) string {
	for _, match := range referenceRe.FindAllString(value, -1) {
		reference := match
		prefix := ""
		if !strings.HasPrefix(match, "$(") {
			prefix = match[:1]
			reference = match[1:]
		}
		if pivot == "anyPattern" {
			// Kyverno reads the index after "anyPattern/" without checking the
			// pivot was found; an index past the end would make it panic, here
			// the reference is shifted without an index instead.
			start := strings.Index(reference, pivot) + len(pivot) + 1
			if start <= len(reference) {
				pivot = pivot + "/" + strings.Split(reference[start:], "/")[0]
			}
		}
		shifted := strings.ReplaceAll(reference, pivot, pivot+"/"+shift)
		value = strings.Replace(value, match, prefix+shifted, 1)
	}
	return value
}

// Replacements applied, in order, to the whole JSON text of a generated rule.
// The CEL set is used instead when the rule has a validate.cel block: there the
// bare "object"/"oldObject" variables are rewritten too (which also covers the
// "request.object..." forms, since they contain "object.spec").
var (
	templateJMESPath = [][2]string{
		{"request.object.spec", "request.object.spec.template.spec"},
		{"request.oldObject.spec", "request.oldObject.spec.template.spec"},
		{"request.object.metadata", "request.object.spec.template.metadata"},
		{"request.oldObject.metadata", "request.oldObject.spec.template.metadata"},
	}
	templateCEL = [][2]string{
		{"object.spec", "object.spec.template.spec"},
		{"oldObject.spec", "oldObject.spec.template.spec"},
		{"object.metadata", "object.spec.template.metadata"},
		{"oldObject.metadata", "oldObject.spec.template.metadata"},
	}
	jobTemplateJMESPath = [][2]string{
		{"request.object.spec", "request.object.spec.jobTemplate.spec.template.spec"},
		{"request.oldObject.spec", "request.oldObject.spec.jobTemplate.spec.template.spec"},
		{"request.object.metadata", "request.object.spec.jobTemplate.spec.template.metadata"},
		{"request.oldObject.metadata", "request.oldObject.spec.jobTemplate.spec.template.metadata"},
	}
	jobTemplateCEL = [][2]string{
		{"object.spec", "object.spec.jobTemplate.spec.template.spec"},
		{"oldObject.spec", "oldObject.spec.jobTemplate.spec.template.spec"},
		{"object.metadata", "object.spec.jobTemplate.spec.template.metadata"},
		{"oldObject.metadata", "oldObject.spec.jobTemplate.spec.template.metadata"},
	}
)

// rewriteFields applies the plain-text replacements to data. Like Kyverno it
// is a blind substring replacement over the whole rule (names, messages,
// patterns, conditions, context...), not a JMESPath-aware rewrite.
func rewriteFields(data []byte, cronJob, cel bool) []byte {
	var set [][2]string
	switch {
	case cronJob && cel:
		set = jobTemplateCEL
	case cronJob:
		set = jobTemplateJMESPath
	case cel:
		set = templateCEL
	default:
		set = templateJMESPath
	}
	for _, r := range set {
		data = bytes.ReplaceAll(data, []byte(r[0]), []byte(r[1]))
	}
	return data
}
