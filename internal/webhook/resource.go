package webhook

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/metrics"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	yaml "go.yaml.in/yaml/v2"
	admissionv1 "k8s.io/api/admission/v1"
)

// resourceRequest is one admission request prepared for the engine.
type resourceRequest struct {
	review  *admissionv1.AdmissionRequest
	object  map[string]any
	old     map[string]any
	kind    match.GVK
	user    *match.UserInfo
	values  map[string]any
	dryRun  bool
	started time.Time
}

// prepare decodes the request and applies resource filters and excluded
// identities. When it returns no request, its response is the answer
// (admit when skipped, deny when the objects cannot be decoded).
func (s *Server) prepare(in *input, snap *policycache.Snapshot) (*resourceRequest, *admissionv1.AdmissionResponse) {
	req := in.review.Request
	cfg := s.opts.Config()
	kind := match.GVK{Group: req.Kind.Group, Version: req.Kind.Version, Kind: req.Kind.Kind}
	if req.SubResource != "" && s.opts.ParentKind != nil {
		if k := s.opts.ParentKind(req.Resource.Group, req.Resource.Version, req.Resource.Resource); k != "" {
			kind = match.GVK{Group: req.Resource.Group, Version: req.Resource.Version, Kind: k}
		}
	}
	if cfg.Filtered(config.Request{Group: kind.Group, Version: kind.Version, Kind: kind.Kind, Subresource: req.SubResource, Namespace: req.Namespace, Name: req.Name}) {
		return nil, allow(nil)
	}
	user := &match.UserInfo{Username: req.UserInfo.Username, Groups: req.UserInfo.Groups}
	if s.opts.Roles != nil && (snap.NeedsRoles || len(cfg.ExcludeRoles.Exclude) > 0 || len(cfg.ExcludeClusterRoles.Exclude) > 0) {
		user.Roles, user.ClusterRoles = s.opts.Roles.RolesFor(user.Username, user.Groups)
	}
	if cfg.ExcludedUser(user.Username, user.Groups, user.Roles, user.ClusterRoles) {
		return nil, allow(nil)
	}
	if in.objectErr != nil {
		return nil, deny("kanon: " + in.objectErr.Error())
	}
	obj, old := in.object, in.oldObject
	if obj == nil && old == nil {
		return nil, allow(nil) // nothing to evaluate (e.g. a DELETE of a collection)
	}
	rr := &resourceRequest{review: req, object: obj, old: old, kind: kind, user: user, started: time.Now()}
	rr.dryRun = req.DryRun != nil && *req.DryRun
	rr.values = map[string]any{
		"request.uid":         string(req.UID),
		"request.kind":        map[string]any{"group": req.Kind.Group, "version": req.Kind.Version, "kind": req.Kind.Kind},
		"request.resource":    map[string]any{"group": req.Resource.Group, "version": req.Resource.Version, "resource": req.Resource.Resource},
		"request.subResource": req.SubResource,
		"request.dryRun":      rr.dryRun,
		"request.userInfo":    userInfoValue(req),
	}
	if req.RequestKind != nil {
		rr.values["request.requestKind"] = map[string]any{"group": req.RequestKind.Group, "version": req.RequestKind.Version, "kind": req.RequestKind.Kind}
	}
	if in.options != nil {
		rr.values["request.options"] = in.options
	}
	return rr, nil
}

func userInfoValue(req *admissionv1.AdmissionRequest) map[string]any {
	groups := make([]any, len(req.UserInfo.Groups))
	for i, g := range req.UserInfo.Groups {
		groups[i] = g
	}
	v := map[string]any{"username": req.UserInfo.Username, "groups": groups}
	if req.UserInfo.UID != "" {
		v["uid"] = req.UserInfo.UID
	}
	if len(req.UserInfo.Extra) > 0 {
		extra := map[string]any{}
		for k, vals := range req.UserInfo.Extra {
			l := make([]any, len(vals))
			for i, x := range vals {
				l[i] = x
			}
			extra[k] = l
		}
		v["extra"] = extra
	}
	return v
}

// engineRequest builds an engine request for an object (the original one,
// or the result of the previous mutation).
func (s *Server) engineRequest(rr *resourceRequest, obj map[string]any) *engine.Request {
	return &engine.Request{
		Object:      obj,
		OldObject:   rr.old,
		Operation:   string(rr.review.Operation),
		Kind:        &rr.kind,
		Subresource: rr.review.SubResource,
		User:        rr.user,
		Namespaces:  s.opts.Namespaces,
		Values:      rr.values,
		Data:        s.opts.Data,
		Sources:     s.opts.Resources,
	}
}

// applies reports whether an entry takes part in a review of this operation
// under this webhook's failure policy. DELETE and CONNECT are evaluated only
// by policies whose rules name the operation explicitly, so deleting a
// resource is never blocked by a policy written for its creation.
func applies(e *policycache.Entry, failurePolicy string, op admissionv1.Operation) bool {
	if e.Err != nil || !e.Admission() || e.FailurePolicy() != failurePolicy {
		return false
	}
	if op == admissionv1.Delete || op == admissionv1.Connect {
		return e.ExplicitOperations[string(op)]
	}
	return true
}

// validate is the validating webhook: validate rules (Enforce blocks, Audit
// warns), then generate rules for admitted requests.
func (s *Server) validate(ctx context.Context, in *input, failurePolicy string) *admissionv1.AdmissionResponse {
	req := in.review.Request
	snap := s.opts.Policies.Snapshot()
	rr, resp := s.prepare(in, snap)
	if rr == nil {
		return resp
	}
	var responses []*engine.PolicyResponse
	var generate []*engine.PolicyResponse
	var mutateExisting []*engine.Policy
	var engineReq *engine.Request
	for _, e := range snap.Entries {
		existing := s.opts.Generator != nil && !rr.dryRun && hasMutateExisting(e.Mutate)
		if (e.Validate == nil && e.Generate == nil && !existing) || !applies(e, failurePolicy, req.Operation) {
			continue
		}
		if existing {
			mutateExisting = append(mutateExisting, e.Mutate)
		}
		if e.Validate == nil && e.Generate == nil {
			continue
		}
		if ctx.Err() != nil {
			return s.failureAnswer(req, failurePolicy, "policy evaluation did not finish in time")
		}
		if engineReq == nil {
			engineReq = s.engineRequest(rr, rr.object)
		}
		if e.Validate != nil {
			start := time.Now()
			pr := e.Validate.Evaluate(engineReq)
			s.record(rr, e, pr, time.Since(start))
			responses = append(responses, pr)
		}
		if e.Generate != nil && !rr.dryRun && s.opts.Generator != nil && (req.Operation == admissionv1.Create || req.Operation == admissionv1.Update) {
			start := time.Now()
			pr := e.Generate.Evaluate(engineReq)
			s.record(rr, e, pr, time.Since(start))
			generate = append(generate, pr)
		}
	}
	name := resourceName(rr.kind.Kind, req.Namespace, req.Name)
	if msg := s.blockedMessage(name, responses); msg != "" {
		s.emit(rr, responses, true)
		return deny(msg)
	}
	s.emit(rr, responses, false)
	for _, pr := range generate {
		s.opts.Generator.Generate(GenerateRequest{Policy: pr.Policy, Trigger: rr.object, Namespace: req.Namespace, Rules: pr.Rules})
	}
	for _, p := range mutateExisting {
		trigger := rr.object
		if trigger == nil {
			trigger = rr.old
		}
		s.opts.Generator.Generate(GenerateRequest{Policy: p, Trigger: trigger, Namespace: req.Namespace, MutateExisting: s.engineRequest(rr, rr.object)})
	}
	return allow(warnings(responses))
}

// hasMutateExisting reports whether a policy has mutate-existing rules
// (mutate.targets). They run after admission: the validating webhook hands
// them to the Generator once the request is admitted, as Kyverno does.
func hasMutateExisting(p *engine.Policy) bool {
	if p == nil {
		return false
	}
	for _, r := range p.Rules {
		if r.MutateExisting() {
			return true
		}
	}
	return false
}

// mutate is the mutating webhook: mutate rules of every policy in order,
// each seeing the previous result, answered with one JSON patch.
func (s *Server) mutate(ctx context.Context, in *input, failurePolicy string) *admissionv1.AdmissionResponse {
	req := in.review.Request
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return allow(nil)
	}
	snap := s.opts.Policies.Snapshot()
	rr, resp := s.prepare(in, snap)
	if rr == nil {
		return resp
	}
	current := rr.object
	changed := false
	var responses []*engine.PolicyResponse
	for _, e := range snap.Entries {
		if e.Mutate == nil || !applies(e, failurePolicy, req.Operation) {
			continue
		}
		if ctx.Err() != nil {
			return s.failureAnswer(req, failurePolicy, "policy evaluation did not finish in time")
		}
		start := time.Now()
		pr := e.Mutate.Evaluate(s.engineRequest(rr, current))
		s.record(rr, e, pr, time.Since(start))
		responses = append(responses, pr)
		if pr.PatchedResource != nil {
			current, changed = pr.PatchedResource, true
		}
	}
	var errs []string
	for _, pr := range responses {
		for _, r := range pr.Rules {
			if r.Status == engine.StatusError {
				errs = append(errs, fmt.Sprintf("policy %s.%s: %s", pr.Policy.Name, r.Name, r.Message))
			}
		}
	}
	if len(errs) > 0 && failurePolicy == failurePolicyFail {
		return deny(fmt.Sprintf("\n\nmutation of resource %s failed:\n%s", resourceName(rr.kind.Kind, req.Namespace, req.Name), strings.Join(errs, "\n")))
	}
	s.emit(rr, responses, false)
	out := allow(errs)
	if !changed {
		return out
	}
	patch, err := engine.JSONPatch(rr.object, current)
	if err != nil {
		return s.failureAnswer(req, failurePolicy, "computing the JSON patch: "+err.Error())
	}
	if len(patch) == 0 {
		return out
	}
	pt := admissionv1.PatchTypeJSONPatch
	out.Patch, out.PatchType = patch, &pt
	return out
}

// blockedMessage is Kyverno's denial message: the resource, then each
// policy with its failing Enforce rules and their messages, as YAML.
// Empty when nothing blocks.
func (s *Server) blockedMessage(resource string, responses []*engine.PolicyResponse) string {
	failures := map[string]map[string]string{}
	for _, pr := range responses {
		for _, r := range pr.Rules {
			if !r.Enforce || (r.Status != engine.StatusFail && r.Status != engine.StatusError) {
				continue
			}
			if failures[pr.Policy.Name] == nil {
				failures[pr.Policy.Name] = map[string]string{}
			}
			failures[pr.Policy.Name][r.Name] = r.Message
		}
	}
	if len(failures) == 0 {
		return ""
	}
	policies := make([]string, 0, len(failures))
	for p := range failures {
		policies = append(policies, p)
	}
	sort.Strings(policies)
	var b strings.Builder
	b.WriteString("\n\nresource ")
	b.WriteString(resource)
	b.WriteString(" was blocked due to the following policies\n\n")
	for _, p := range policies {
		b.WriteString(s.blocks.yaml(p, failures[p]))
	}
	return b.String()
}

// yamlBlocks memoizes the YAML of one policy's failing rules. The message
// is a YAML mapping sorted by policy name, so it is the concatenation of
// each policy's block; the same violations recur across requests, and
// encoding YAML cost more than evaluating the policies.
type yamlBlocks struct {
	mu sync.Mutex
	m  map[string]string
}

// maxYAMLBlocks bounds the memo; it starts over when full.
const maxYAMLBlocks = 4096

func (c *yamlBlocks) yaml(policy string, rules map[string]string) string {
	names := make([]string, 0, len(rules))
	for r := range rules {
		names = append(names, r)
	}
	sort.Strings(names)
	var key strings.Builder
	key.WriteString(policy)
	for _, r := range names {
		key.WriteByte(0)
		key.WriteString(r)
		key.WriteByte(0)
		key.WriteString(rules[r])
	}
	k := key.String()
	c.mu.Lock()
	out, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return out
	}
	// yaml.v2 directly: the same text as sigs.k8s.io/yaml (which Kyverno
	// uses) without its JSON round trip.
	data, err := yaml.Marshal(map[string]map[string]string{policy: rules})
	if err != nil {
		return fmt.Sprintf("%s: %v\n", policy, rules)
	}
	out = string(data)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxYAMLBlocks {
		c.m = map[string]string{}
	}
	c.m[k] = out
	c.mu.Unlock()
	return out
}

// warnings are the admission warnings: one per failing Audit rule (and
// warn results), "policy <policy>.<rule>: <message>".
func warnings(responses []*engine.PolicyResponse) []string {
	var out []string
	for _, pr := range responses {
		for _, r := range pr.Rules {
			if r.Enforce || (r.Status != engine.StatusFail && r.Status != engine.StatusWarn && r.Status != engine.StatusError) {
				continue
			}
			out = append(out, fmt.Sprintf("policy %s.%s: %s", pr.Policy.Name, r.Name, r.Message))
		}
	}
	sort.Strings(out)
	return out
}

// record updates kyverno_policy_results_total and
// kyverno_policy_execution_duration_seconds.
func (s *Server) record(rr *resourceRequest, e *policycache.Entry, pr *engine.PolicyResponse, d time.Duration) {
	m := s.opts.Metrics
	if m == nil {
		return
	}
	l := metrics.PolicyLabels{Mode: "audit", PolicyType: "cluster", Background: "true", Policy: e.Name, PolicyNamespace: e.Namespace,
		ResourceKind: rr.kind.Kind, ResourceNamespace: rr.review.Namespace, Operation: string(rr.review.Operation),
		Cause: "admission_request", DryRun: rr.dryRun}
	if e.Spec != nil && strings.EqualFold(e.Spec.ValidationFailureAction, "enforce") {
		l.Mode = "enforce"
	}
	if e.Spec != nil && e.Spec.Background != nil && !*e.Spec.Background {
		l.Background = "false"
	}
	if e.Kind == "Policy" {
		l.PolicyType = "namespaced"
	}
	for _, r := range pr.Rules {
		m.RuleResult(l, r.Name, string(r.Status), string(r.Type))
	}
	m.PolicyEvaluated(l, d)
}
