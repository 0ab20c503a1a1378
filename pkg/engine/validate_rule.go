package engine

import (
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/validate"
)

// validateRule is a compiled validate block.
type validateRule struct {
	message     string
	pattern     *validate.Pattern
	anyPatterns []*validate.Pattern
	// allowExisting: on UPDATE, an Enforce rule whose old object already
	// failed is skipped rather than failed.
	allowExisting bool
	unsupported   string
}

func compileValidate(path string, v *kyvernov1.Validation) (*validateRule, error) {
	vr := &validateRule{
		message:       v.Message,
		allowExisting: v.AllowExistingViolations == nil || *v.AllowExistingViolations,
	}
	switch {
	case v.Deny != nil:
		vr.unsupported = "deny conditions"
	case len(v.ForEachValidation) > 0:
		vr.unsupported = "foreach"
	case v.PodSecurity != nil:
		vr.unsupported = "podSecurity"
	case v.CEL != nil:
		vr.unsupported = "validate.cel"
	case v.Manifests != nil:
		vr.unsupported = "manifests"
	}
	if v.RawPattern != nil {
		if hasVariables(v.RawPattern.Raw) && vr.unsupported == "" {
			vr.unsupported = "variables in patterns"
		}
		pat, err := decodeJSON(path+".pattern", v.RawPattern)
		if err != nil {
			return nil, err
		}
		if vr.pattern, err = validate.Compile(pat); err != nil {
			return nil, fmt.Errorf("%s.pattern: %w", path, err)
		}
	}
	if v.RawAnyPattern != nil {
		if hasVariables(v.RawAnyPattern.Raw) && vr.unsupported == "" {
			vr.unsupported = "variables in patterns"
		}
		raw, err := decodeJSON(path+".anyPattern", v.RawAnyPattern)
		if err != nil {
			return nil, err
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("%s.anyPattern: must be a list of patterns, got %T", path, raw)
		}
		for i, pat := range list {
			cp, err := validate.Compile(pat)
			if err != nil {
				return nil, fmt.Errorf("%s.anyPattern[%d]: %w", path, i, err)
			}
			vr.anyPatterns = append(vr.anyPatterns, cp)
		}
	}
	if vr.pattern == nil && v.RawAnyPattern == nil && vr.unsupported == "" {
		return nil, fmt.Errorf("%s: one of pattern, anyPattern, deny, foreach, podSecurity, cel or manifests is required", path)
	}
	return vr, nil
}

func hasVariables(raw []byte) bool {
	return strings.Contains(string(raw), "{{") || strings.Contains(string(raw), "$(")
}

// evaluate validates the request's resource. On UPDATE an Enforce rule that
// the old object already failed is skipped (allowExistingViolations).
func (v *validateRule) evaluate(rule string, req *Request, enforce bool) (Status, string) {
	status, msg := v.check(rule, req.resource())
	if status == StatusFail && enforce && v.allowExisting && req.Operation == "UPDATE" && req.OldObject != nil && req.Object != nil {
		if old, _ := v.check(rule, req.OldObject); old == StatusFail {
			return StatusSkip, "skipping modified resource as validation results have not changed"
		}
	}
	return status, msg
}

func (v *validateRule) check(rule string, resource map[string]any) (Status, string) {
	if v.pattern != nil {
		perr := v.pattern.Match(resource)
		switch {
		case perr == nil:
			return StatusPass, fmt.Sprintf("validation rule '%s' passed.", rule)
		case perr.Skip:
			return StatusSkip, perr.Error()
		case perr.Path == "":
			return StatusError, v.errorMessage(rule, perr, "")
		default:
			return StatusFail, v.errorMessage(rule, perr, perr.Path)
		}
	}
	var failed, skipped []string
	for i, p := range v.anyPatterns {
		perr := p.Match(resource)
		switch {
		case perr == nil:
			return StatusPass, fmt.Sprintf("validation rule '%s' anyPattern[%d] passed.", rule, i)
		case perr.Skip:
			skipped = append(skipped, fmt.Sprintf("rule %s[%d] skipped: %s", rule, i, perr.Error()))
		case perr.Path == "":
			failed = append(failed, fmt.Sprintf("rule %s[%d] failed: %s", rule, i, perr.Error()))
		default:
			failed = append(failed, fmt.Sprintf("rule %s[%d] failed at path %s", rule, i, perr.Path))
		}
	}
	if len(failed) == 0 && len(skipped) > 0 {
		return StatusSkip, strings.Join(skipped, " ")
	}
	errs := strings.Join(failed, " ")
	switch {
	case v.message == "":
		return StatusFail, "validation error: " + errs
	case strings.HasSuffix(v.message, "."):
		return StatusFail, fmt.Sprintf("validation error: %s %s", v.message, errs)
	default:
		return StatusFail, fmt.Sprintf("validation error: %s. %s", v.message, errs)
	}
}

// errorMessage builds Kyverno's failure message:
// "validation error: <message>. rule <rule> failed at path <path>".
func (v *validateRule) errorMessage(rule string, err error, path string) string {
	if v.message == "" {
		if path != "" {
			return fmt.Sprintf("validation error: rule %s failed at path %s", rule, path)
		}
		return fmt.Sprintf("validation error: rule %s execution error: %s", rule, err)
	}
	msg := v.message
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if path != "" {
		return fmt.Sprintf("validation error: %s rule %s failed at path %s", msg, rule, path)
	}
	return fmt.Sprintf("validation error: %s rule %s execution error: %s", msg, rule, err)
}
