package test

import (
	"slices"
	"strings"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/internal/cli/source"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// checker compares a test's expected results with the engine's responses.
type checker struct {
	rows      *report.TestRows
	expected  *expectedFiles
	resources []manifest.Document
	// targets are the test's targetResources: results may name them.
	targets   []manifest.Document
	responses []processor.Response
	policies  []*source.Policy
}

// check adds the rows of one expected result. It follows Kyverno's matching
// (policy by name, rules also under their autogen names, "Excluded" when the
// policy selects nothing) with two deliberate differences that give better
// answers: a resource name that matches no resource, and a rule name the
// policy does not have, are "Not found" rows instead of being silently
// checked against everything.
func (c *checker) check(want v1alpha1.TestResult) {
	expected := want.Result
	if expected == "" {
		expected = want.Status
	}
	policyName := want.Policy
	if i := strings.LastIndex(policyName, "/"); i >= 0 {
		policyName = policyName[i+1:]
	}
	names := append([]string{}, want.Resources...)
	if want.Resource != "" {
		names = append(names, want.Resource)
	}
	var keys []processor.Meta
	for _, name := range names {
		found := c.lookupResources(want, name)
		if len(found) == 0 {
			c.rows.NotFound(want.Policy, want.Rule, name)
			continue
		}
		keys = append(keys, found...)
	}
	if len(names) == 0 {
		for i := range c.resources {
			keys = append(keys, processor.ResourceMeta(c.resources[i].Object))
		}
	}
	if len(keys) == 0 && len(names) == 0 {
		// Nothing to check the result against (no resources at all, or a
		// policy kind Kanon does not load): say so rather than pass silently.
		c.rows.NotFound(want.Policy, want.Rule, "")
		return
	}
	invalid := c.invalidPolicy(policyName)
	known := invalid != nil || c.policyHasRule(policyName, want.Rule)
	for _, key := range keys {
		cell := report.ResourceKey(key.APIVersion, key.Kind, key.Namespace, key.Name)
		if !known {
			c.rows.NotFound(want.Policy, want.Rule, cell)
			continue
		}
		if invalid != nil {
			c.rows.InvalidPolicy(want.Policy, want.Rule, cell, invalid.Err.Error())
			continue
		}
		before := len(c.rows.Rows())
		dropped := false
		for i := range c.responses {
			resp := &c.responses[i]
			if resp.Policy.Name != policyName {
				continue
			}
			// A response belongs to the key through its resource (the
			// trigger) or, for a mutate-existing rule, through the target it
			// patched: tests name either.
			trigger := processor.ResourceMeta(resp.Resource.Object) == key
			added := false
			for _, rr := range resp.Result.Rules {
				if want.Rule != "" && rr.Name != want.Rule && rr.Name != "autogen-"+want.Rule && rr.Name != "autogen-cronjob-"+want.Rule {
					continue
				}
				cell := cell
				if rr.PatchedTarget != nil {
					tm := processor.ResourceMeta(rr.PatchedTarget)
					if !trigger && tm != key {
						continue
					}
					cell = report.ResourceKey(tm.APIVersion, tm.Kind, tm.Namespace, tm.Name)
				} else if !trigger {
					continue
				}
				if rr.Type == engine.Generation && (want.GeneratedResource != "" || len(want.GeneratedResources) > 0) {
					c.checkGenerated(want, rr, cell, expected)
					added = true
					continue
				}
				if patched := want.PatchedResources + want.PatchedResource; patched != "" {
					obj := resp.Patched()
					switch {
					case rr.PatchedTarget != nil:
						obj = rr.PatchedTarget
					case rr.Type != engine.Mutation:
						obj = resp.Object
					}
					ok, reason, msg, err := c.expected.compareResource(patched, "PatchedResources", obj)
					if err != nil && !want.FailOnMissingResources {
						// Kyverno drops a result whose expected file lacks the object.
						added, dropped = true, true
						continue
					}
					if err != nil {
						msg = "error: failed to compare PatchedResources resources (" + err.Error() + ")"
					}
					if !ok {
						c.rows.Checked(want.Policy, rr.Name, cell, false, reason, msg)
						added = true
						continue
					}
				}
				got := string(reportStatus(resp.Policy, rr))
				if got == expected {
					c.rows.Checked(want.Policy, rr.Name, cell, true, report.ReasonOk, rr.Message)
				} else {
					c.rows.Checked(want.Policy, rr.Name, cell, false, report.ReasonMismatch(expected, got), rr.Message)
				}
				added = true
			}
			if !added && trigger {
				c.rows.Excluded(want.Policy, want.Rule, cell)
			}
		}
		if len(c.rows.Rows()) == before && !dropped {
			c.rows.NotFound(want.Policy, want.Rule, cell)
		}
	}
}

// lookupResources finds the resources a results entry names: "name" or
// "namespace/name". The result's kind narrows the choice when it names a
// kind that exists under that name; Kyverno ignores kind altogether.
func (c *checker) lookupResources(want v1alpha1.TestResult, name string) []processor.Meta {
	ns, n, hasNS := strings.Cut(name, "/")
	if !hasNS {
		n, ns = name, ""
	}
	if strings.Contains(n, "/") {
		return nil
	}
	var all, ofKind []processor.Meta
	for _, doc := range slices.Concat(c.resources, c.targets) {
		m := processor.ResourceMeta(doc.Object)
		if m.Name != n || (hasNS && m.Namespace != ns) {
			continue
		}
		all = append(all, m)
		if want.Kind == m.Kind {
			ofKind = append(ofKind, m)
		}
	}
	if len(ofKind) > 0 {
		return ofKind
	}
	return all
}

// policyHasRule reports whether a loaded policy has the rule (or no rule is
// named). Unknown policies and rules give "Not found" rows.
func (c *checker) policyHasRule(policy, rule string) bool {
	for _, p := range c.policies {
		if p.Compiled == nil || p.Compiled.Name != policy {
			continue
		}
		if rule == "" {
			return true
		}
		for _, r := range p.Compiled.Rules {
			if r.Name == rule || r.Name == "autogen-"+rule || r.Name == "autogen-cronjob-"+rule {
				return true
			}
		}
	}
	return false
}

func (c *checker) invalidPolicy(name string) *source.Policy {
	for _, p := range c.policies {
		if p.Err != nil && p.Source.Name == name {
			return p
		}
	}
	return nil
}

// reportStatus maps a rule result to what a policy report records: a failure
// of a policy annotated policies.kyverno.io/scored: "false" is a warning.
func reportStatus(p *engine.Policy, rr engine.RuleResponse) engine.Status {
	if rr.Status == engine.StatusFail && p.Annotations["policies.kyverno.io/scored"] == "false" {
		return engine.StatusWarn
	}
	return rr.Status
}

// checkGenerated compares the resources a generate rule produced with the
// expected generatedResource file(s): one row per generated object.
func (c *checker) checkGenerated(want v1alpha1.TestResult, rr engine.RuleResponse, cell, expected string) {
	files := want.GeneratedResources
	if want.GeneratedResource != "" {
		files = append([]string{want.GeneratedResource}, files...)
	}
	if len(rr.Generated) == 0 {
		got := string(rr.Status)
		if got == expected {
			c.rows.Checked(want.Policy, rr.Name, cell, true, report.ReasonOk, rr.Message)
		} else {
			c.rows.Checked(want.Policy, rr.Name, cell, false, report.ReasonMismatch(expected, got), rr.Message)
		}
		return
	}
	for _, g := range rr.Generated {
		obj := g.Object
		m := processor.ResourceMeta(obj)
		genCell := report.ResourceKey(m.APIVersion, m.Kind, m.Namespace, m.Name)
		var lastMsg, lastReason string
		matched := false
		for _, f := range files {
			ok, reason, msg, err := c.expected.compareResource(f, "GeneratedResource", obj)
			if err != nil {
				reason, msg = report.ReasonResourceError, "error: failed to compare GeneratedResource resources ("+err.Error()+")"
			}
			if ok {
				matched = true
				break
			}
			lastReason, lastMsg = reason, msg
		}
		if !matched {
			c.rows.Checked(want.Policy, rr.Name, genCell, false, lastReason, lastMsg)
			continue
		}
		got := string(rr.Status)
		if got == expected {
			c.rows.Checked(want.Policy, rr.Name, genCell, true, report.ReasonOk, rr.Message)
		} else {
			c.rows.Checked(want.Policy, rr.Name, genCell, false, report.ReasonMismatch(expected, got), rr.Message)
		}
	}
}
