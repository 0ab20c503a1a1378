package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine/conditions"
	"github.com/kanon-policy/kanon/pkg/engine/validate"
	"github.com/kanon-policy/kanon/pkg/engine/variables"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// validateRule is a compiled validate rule: its message, the failure-action
// details and the checks (context, preconditions, deny, patterns, foreach).
type validateRule struct {
	message string
	// passed is the pass message, built once: "validation rule 'x' passed."
	passed string
	// allowExisting: on UPDATE, an Enforce rule whose old object already
	// failed is skipped rather than failed.
	allowExisting bool
	unsupported   string
	spec          *checkSpec
}

// checkSpec is one level of validation: the rule itself or a foreach entry.
// Each level loads its context, checks its preconditions and then runs one
// of deny, pattern, anyPattern or a nested foreach.
type checkSpec struct {
	context       []contextEntry
	preconditions *conditions.Conditions
	deny          *conditions.Conditions
	pattern       *patternSpec
	anyPatterns   []*patternSpec
	foreach       []*foreachSpec
}

// patternSpec is a pattern compiled once, or kept raw when it holds
// variables and must be substituted per request.
type patternSpec struct {
	compiled *validate.Pattern
	raw      any
}

type foreachSpec struct {
	list         string
	elementScope *bool
	spec         *checkSpec
}

func compileValidate(path string, rule *kyvernov1.Rule) (*validateRule, error) {
	v := rule.Validation
	vr := &validateRule{
		message:       v.Message,
		passed:        fmt.Sprintf("validation rule '%s' passed.", rule.Name),
		allowExisting: v.AllowExistingViolations == nil || *v.AllowExistingViolations,
	}
	switch {
	case v.PodSecurity != nil:
		vr.unsupported = "podSecurity"
	case v.CEL != nil:
		vr.unsupported = "validate.cel"
	case v.Manifests != nil:
		vr.unsupported = "manifests"
	}
	if vr.unsupported != "" {
		return vr, nil
	}
	spec, err := compileCheck(path, rule.Context, rule.RawAnyAllConditions, v.Deny, v.RawPattern, v.RawAnyPattern, v.ForEachValidation)
	if err != nil {
		return nil, err
	}
	if spec.deny == nil && spec.pattern == nil && spec.anyPatterns == nil && spec.foreach == nil {
		return nil, fmt.Errorf("%s.validate: one of pattern, anyPattern, deny, foreach, podSecurity, cel or manifests is required", path)
	}
	vr.spec = spec
	return vr, nil
}

func compileCheck(path string, ctxEntries []kyvernov1.ContextEntry, pre *apiextv1.JSON, deny *kyvernov1.Deny,
	pattern, anyPattern *apiextv1.JSON, foreach []kyvernov1.ForEachValidation) (*checkSpec, error) {
	s := &checkSpec{}
	var err error
	if s.context, err = compileContext(path, ctxEntries); err != nil {
		return nil, err
	}
	if s.preconditions, err = compileConditions(path+".preconditions", pre); err != nil {
		return nil, err
	}
	if deny != nil {
		if s.deny, err = compileConditions(path+".validate.deny.conditions", deny.RawAnyAllConditions); err != nil {
			return nil, err
		}
		if s.deny == nil {
			s.deny = &conditions.Conditions{}
		}
	}
	if pattern != nil {
		raw, err := decodeJSON(path+".validate.pattern", pattern)
		if err != nil {
			return nil, err
		}
		if s.pattern, err = compilePattern(path+".validate.pattern", raw); err != nil {
			return nil, err
		}
	}
	if anyPattern != nil {
		raw, err := decodeJSON(path+".validate.anyPattern", anyPattern)
		if err != nil {
			return nil, err
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("%s.validate.anyPattern: must be a list of patterns, got %T", path, raw)
		}
		for i, p := range list {
			ps, err := compilePattern(fmt.Sprintf("%s.validate.anyPattern[%d]", path, i), p)
			if err != nil {
				return nil, err
			}
			s.anyPatterns = append(s.anyPatterns, ps)
		}
	}
	for i := range foreach {
		f := &foreach[i]
		fp := fmt.Sprintf("%s.validate.foreach[%d]", path, i)
		var nested []kyvernov1.ForEachValidation
		if f.ForEachValidation != nil {
			if err := json.Unmarshal(f.ForEachValidation.Raw, &nested); err != nil {
				return nil, fmt.Errorf("%s.foreach: %w", fp, err)
			}
		}
		inner, err := compileCheck(fp, f.Context, f.AnyAllConditions, f.Deny, f.RawPattern, f.RawAnyPattern, nested)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(f.List) == "" {
			return nil, fmt.Errorf("%s.list: required", fp)
		}
		s.foreach = append(s.foreach, &foreachSpec{list: f.List, elementScope: f.ElementScope, spec: inner})
	}
	return s, nil
}

func compileConditions(path string, raw *apiextv1.JSON) (*conditions.Conditions, error) {
	v, err := decodeJSON(path, raw)
	if err != nil || v == nil {
		return nil, err
	}
	c, err := conditions.Parse(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func compilePattern(path string, raw any) (*patternSpec, error) {
	if variables.HasVariables(raw) {
		return &patternSpec{raw: raw}, nil
	}
	p, err := validate.Compile(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &patternSpec{compiled: p}, nil
}

// resolve returns the compiled pattern, substituting variables first when
// the pattern has them.
func (p *patternSpec) resolve(c *evalContext, opts variables.Options) (*validate.Pattern, error) {
	if p.compiled != nil {
		return p.compiled, nil
	}
	sub, err := variables.SubstituteAll(p.raw, c, opts)
	if err != nil {
		return nil, err
	}
	return validate.Compile(sub)
}

// outcome is the result of one check level.
type outcome struct {
	status Status
	msg    string
	// applied counts foreach elements that were checked (not skipped).
	applied int
}

// evaluator carries what one rule evaluation needs.
type evaluator struct {
	rule    string
	message string
	passed  string
	req     *Request
	opts    variables.Options
	foreach map[string][]any
}

// evaluate validates the request's resource. On UPDATE an Enforce rule that
// the old object already failed is skipped (allowExistingViolations).
func (v *validateRule) evaluate(rule string, req *Request, enforce bool, values map[string]any, foreachValues map[string][]any) (Status, string) {
	status, msg := v.check(rule, req, req.resource(), values, foreachValues)
	if status == StatusFail && enforce && v.allowExisting && req.operation() == "UPDATE" && req.OldObject != nil && req.Object != nil {
		if old, _ := v.check(rule, req, req.OldObject, values, foreachValues); old == StatusFail {
			return StatusSkip, "skipping modified resource as validation results have not changed"
		}
	}
	return status, msg
}

func (v *validateRule) check(rule string, req *Request, resource map[string]any, values map[string]any, foreachValues map[string][]any) (Status, string) {
	var c *evalContext
	if v.spec.needsContext() || len(values) > 0 {
		c = req.context().child()
		for k, val := range values {
			c.setPath(k, val)
		}
	} else {
		c = &evalContext{owned: true}
	}
	e := &evaluator{rule: rule, message: v.message, passed: v.passed, req: req, foreach: foreachValues,
		opts: variables.Options{DeleteRequest: req.operation() == "DELETE"}}
	out := e.run(v.spec, c, resource)
	return out.status, out.msg
}

// needsContext reports whether any level uses variables, context, conditions
// or foreach; pure pattern rules skip building the JSON context.
func (s *checkSpec) needsContext() bool {
	if len(s.context) > 0 || s.preconditions != nil || s.deny != nil || len(s.foreach) > 0 {
		return true
	}
	if s.pattern != nil && s.pattern.compiled == nil {
		return true
	}
	for _, p := range s.anyPatterns {
		if p.compiled == nil {
			return true
		}
	}
	return false
}

// subst substitutes variables in a condition key or value; constants (the
// common case for values) are returned as they are, without a copy.
func (e *evaluator) subst(c *evalContext) func(any) (any, error) { return substFunc(c, e.opts) }

// substFunc substitutes variables in a condition key or value; constants are
// returned as they are, without a copy.
func substFunc(c *evalContext, opts variables.Options) func(any) (any, error) {
	return func(v any) (any, error) {
		if !variables.HasVariables(v) {
			return v, nil
		}
		return variables.SubstituteAll(v, c, opts)
	}
}

// run evaluates one level, as Kyverno's validate handler does: context,
// preconditions, then deny, patterns or foreach.
func (e *evaluator) run(s *checkSpec, c *evalContext, resource map[string]any) outcome {
	if err := loadContext(s.context, c, e.req.Data); err != nil {
		return outcome{status: StatusError, msg: "failed to load context: " + err.Error()}
	}
	if s.preconditions != nil {
		ok, msg, err := s.preconditions.Evaluate(e.subst(c))
		if err != nil {
			return outcome{status: StatusError, msg: "failed to evaluate preconditions: " + err.Error()}
		}
		if !ok {
			return outcome{status: StatusSkip, msg: joinNonEmpty("; ", "preconditions not met", msg)}
		}
	}
	switch {
	case s.deny != nil:
		return e.deny(s.deny, c)
	case s.pattern != nil || s.anyPatterns != nil:
		if c.element != nil {
			resource = c.element
		}
		return e.patterns(s, c, resource)
	case len(s.foreach) > 0:
		return e.foreachAll(s.foreach, c, resource)
	}
	return outcome{status: StatusPass, msg: e.message}
}

func (e *evaluator) deny(d *conditions.Conditions, c *evalContext) outcome {
	denied, msg, err := d.Evaluate(e.subst(c))
	if err != nil {
		return outcome{status: StatusError, msg: "failed to check deny conditions: " + err.Error()}
	}
	if !denied {
		return outcome{status: StatusPass, msg: e.passed}
	}
	if e.message == "" && msg == "" {
		return outcome{status: StatusFail, msg: fmt.Sprintf("validation error: rule %s failed", e.rule)}
	}
	raw, err := variables.SubstituteAll(joinNonEmpty("; ", e.message, msg), c, e.opts)
	if err != nil {
		return outcome{status: StatusFail, msg: msg}
	}
	s, ok := raw.(string)
	if !ok {
		s = "the produced message didn't resolve to a string, check your policy definition."
	}
	return outcome{status: StatusFail, msg: s}
}

func (e *evaluator) patterns(s *checkSpec, c *evalContext, resource map[string]any) outcome {
	popts := e.opts
	if s.pattern != nil {
		p, err := s.pattern.resolve(c, popts)
		if err != nil {
			return outcome{status: StatusError, msg: "variable substitution failed: " + err.Error()}
		}
		perr := p.Match(resource)
		switch {
		case perr == nil:
			return outcome{status: StatusPass, msg: e.passed}
		case perr.Skip:
			return outcome{status: StatusSkip, msg: perr.Error()}
		case perr.Path == "":
			return outcome{status: StatusError, msg: e.errorMessage(c, perr, "")}
		default:
			return outcome{status: StatusFail, msg: e.errorMessage(c, perr, perr.Path)}
		}
	}
	var failed, skipped []string
	for i, ps := range s.anyPatterns {
		p, err := ps.resolve(c, popts)
		if err != nil {
			return outcome{status: StatusError, msg: "variable substitution failed: " + err.Error()}
		}
		perr := p.Match(resource)
		switch {
		case perr == nil:
			return outcome{status: StatusPass, msg: fmt.Sprintf("validation rule '%s' anyPattern[%d] passed.", e.rule, i)}
		case perr.Skip:
			skipped = append(skipped, fmt.Sprintf("rule %s[%d] skipped: %s", e.rule, i, perr.Error()))
		case perr.Path == "":
			failed = append(failed, fmt.Sprintf("rule %s[%d] failed: %s", e.rule, i, perr.Error()))
		default:
			failed = append(failed, fmt.Sprintf("rule %s[%d] failed at path %s", e.rule, i, perr.Path))
		}
	}
	if len(failed) == 0 && len(skipped) > 0 {
		return outcome{status: StatusSkip, msg: strings.Join(skipped, " ")}
	}
	errs := strings.Join(failed, " ")
	msg := e.substMessage(c)
	switch {
	case msg == "":
		return outcome{status: StatusFail, msg: "validation error: " + errs}
	case strings.HasSuffix(msg, "."):
		return outcome{status: StatusFail, msg: fmt.Sprintf("validation error: %s %s", msg, errs)}
	default:
		return outcome{status: StatusFail, msg: fmt.Sprintf("validation error: %s. %s", msg, errs)}
	}
}

// substMessage substitutes the rule message's variables; when they cannot be
// resolved the message is kept as written, so the result still stands.
func (e *evaluator) substMessage(c *evalContext) string {
	if e.message == "" || !variables.HasVariables(e.message) {
		return e.message
	}
	v, err := variables.SubstituteAll(e.message, c, e.opts)
	if err != nil {
		return e.message
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// errorMessage builds Kyverno's failure message:
// "validation error: <message>. rule <rule> failed at path <path>".
func (e *evaluator) errorMessage(c *evalContext, err error, path string) string {
	if e.message == "" {
		if path != "" {
			return fmt.Sprintf("validation error: rule %s failed at path %s", e.rule, path)
		}
		return fmt.Sprintf("validation error: rule %s execution error: %s", e.rule, err)
	}
	if variables.HasVariables(e.message) {
		if _, serr := variables.SubstituteAll(e.message, c, e.opts); serr != nil {
			return fmt.Sprintf("validation error: variables substitution error in rule %s execution error: %s", e.rule, err)
		}
	}
	msg := e.substMessage(c)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if path != "" {
		return fmt.Sprintf("validation error: %s rule %s failed at path %s", msg, e.rule, path)
	}
	return fmt.Sprintf("validation error: %s rule %s execution error: %s", msg, e.rule, err)
}

// foreachAll runs each foreach entry; the first that does not pass decides.
func (e *evaluator) foreachAll(entries []*foreachSpec, c *evalContext, resource map[string]any) outcome {
	applied := 0
	for _, f := range entries {
		elements, err := e.list(f.list, c)
		if err != nil {
			// Kyverno skips a foreach whose list cannot be evaluated.
			continue
		}
		out := e.foreachElements(f, elements, c, resource)
		if out.status != StatusPass {
			return out
		}
		applied += out.applied
	}
	if applied == 0 {
		return outcome{status: StatusSkip, msg: "rule skipped"}
	}
	return outcome{status: StatusPass, msg: "rule passed", applied: applied}
}

func (e *evaluator) list(expr string, c *evalContext) ([]any, error) {
	if variables.HasVariables(expr) {
		s, err := substString(expr, c)
		if err != nil {
			return nil, err
		}
		expr = s
	}
	return c.queryList(expr)
}

func (e *evaluator) foreachElements(f *foreachSpec, elements []any, parent *evalContext, resource map[string]any) outcome {
	applied := 0
	for i, el := range elements {
		if el == nil {
			continue
		}
		c := parent.child()
		if f.elementScope != nil && *f.elementScope {
			if _, ok := el.(map[string]any); !ok {
				return outcome{status: StatusError, msg: fmt.Sprintf("failed to process foreach: cannot use elementScope=true foreach rules for elements that are not maps, expected type=map got type=%T", el)}
			}
		}
		c.setElement(el, i, f.elementScope == nil || *f.elementScope)
		c.nesting = parent.nesting + 1
		for k, vals := range e.foreach {
			if i < len(vals) {
				c.setPath(k, vals[i])
			}
		}
		out := e.run(f.spec, c, resource)
		switch out.status {
		case StatusSkip:
			continue
		case StatusPass:
			applied++
		case StatusError:
			if i < len(elements)-1 {
				continue
			}
			return outcome{status: StatusError, msg: "validation failure: " + out.msg, applied: applied}
		default:
			return outcome{status: StatusFail, msg: "validation failure: " + out.msg, applied: applied}
		}
	}
	return outcome{status: StatusPass, applied: applied}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
