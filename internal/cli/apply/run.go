package apply

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/api/policyreport/v1alpha2"
	"github.com/kanon-policy/kanon/internal/cli/exit"
	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/internal/cli/source"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Run applies the policies to the resources and prints the results.
func Run(opts Options) error {
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if len(opts.PolicyPaths) == 0 {
		return fmt.Errorf("require policy")
	}
	if len(opts.ResourcePaths) == 0 {
		return fmt.Errorf("resource file(s) or cluster required")
	}
	if contains(opts.PolicyPaths, "-") && contains(opts.ResourcePaths, "-") {
		return fmt.Errorf("a stdin pipe can be used for either policies or resources, not both")
	}
	if opts.ValuesFile != "" && len(opts.Set) > 0 {
		return fmt.Errorf("pass the values either using set flag or values_file flag")
	}
	values, err := loadValues(&opts)
	if err != nil {
		return err
	}
	var user *match.UserInfo
	if opts.UserInfoFile != "" {
		u, warnings, err := source.LoadUserInfo(opts.UserInfoFile)
		source.PrintWarnings(opts.Stderr, warnings)
		if err != nil {
			return fmt.Errorf("failed to load user info: %w", err)
		}
		user = u
	}
	reader := &source.Reader{Stdin: opts.Stdin}
	policyDocs, err := reader.Documents(opts.PolicyPaths...)
	if err != nil {
		return fmt.Errorf("failed to load policies: %w", err)
	}
	policies, warnings := source.Policies(policyDocs)
	source.PrintWarnings(opts.Stderr, warnings)
	if len(policies) == 0 {
		return fmt.Errorf("no policies found in %s", strings.Join(opts.PolicyPaths, ", "))
	}
	resourceDocs, err := reader.Documents(opts.ResourcePaths...)
	if err != nil {
		return fmt.Errorf("failed to load resources: %w", err)
	}
	resources := source.Resources(resourceDocs)

	out := resultsOut(&opts)
	palette := report.NewPalette(report.ColorConfig{Cells: opts.Color, Header: opts.Color})
	rules := 0
	var skipped []report.PolicyDiagnostic
	for _, p := range policies {
		if p.Compiled != nil {
			rules += p.Compiled.CountRules()
		} else {
			skipped = append(skipped, report.PolicyDiagnostic{Name: p.Source.Name, Reason: p.Err.Error()})
		}
	}
	if !opts.PolicyReport && !opts.StdinMode {
		fmt.Fprint(out, report.ApplyingLine(rules, len(resources), 0))
	}
	targetDocs, err := reader.Documents(opts.TargetPaths...)
	if err != nil {
		return fmt.Errorf("failed to load target resources: %w", err)
	}
	data := &source.Offline{Resources: resources}
	responses := processor.Process(processor.Input{
		Policies: policies, Resources: resources, Values: values, User: user,
		Data: data, Sources: data, Targets: source.Objects(source.Resources(targetDocs)),
	})
	if err := writeResources(&opts, responses); err != nil {
		return err
	}
	counts := report.ApplyCounts{Error: len(skipped)}
	for _, r := range responses {
		for _, rr := range r.Result.Rules {
			switch status(r.Policy, rr, opts.AuditWarn) {
			case engine.StatusPass:
				counts.Pass++
			case engine.StatusFail:
				counts.Fail++
			case engine.StatusWarn:
				counts.Warn++
			case engine.StatusError:
				counts.Error++
			case engine.StatusSkip:
				counts.Skip++
			}
		}
	}
	report.WriteApplySkippedAndInvalid(out, skipped, nil)
	switch {
	case opts.PolicyReport:
		if err := report.WritePolicyReports(out, opts.OutputFormat, policyResults(responses, opts.AuditWarn)); err != nil {
			return err
		}
	case opts.Table:
		var rows []report.Row
		for _, r := range responses {
			m := processor.ResourceMeta(r.Resource.Object)
			for _, rr := range r.Result.Rules {
				rows = append(rows, report.ApplyTableRow{
					PolicyNamespace: r.Policy.Namespace, PolicyName: r.Policy.Name, IsKyvernoPolicy: true,
					Rule: rr.Name, ResourceKind: m.Kind, ResourceNamespace: m.Namespace, ResourceName: m.Name,
					Status: string(rr.Status), Scored: scored(r.Policy), AuditWarn: opts.AuditWarn && !rr.Enforce,
					Message: rr.Message,
				}.Row(palette, len(rows)+1))
			}
		}
		if err := report.PrintTable(out, rows, report.TableOptions{Detailed: opts.Detailed, HeaderColor: opts.Color}); err != nil {
			return err
		}
	default:
		for _, r := range responses {
			var failures []report.RuleFailure
			audit := true
			for _, rr := range r.Result.Rules {
				if rr.Status == engine.StatusFail {
					failures = append(failures, report.RuleFailure{Rule: rr.Name, Message: rr.Message})
					audit = audit && !rr.Enforce
				}
			}
			m := processor.ResourceMeta(r.Resource.Object)
			report.WriteApplyFailures(out, r.Policy.Name, report.ApplyResourcePath(m.Namespace, m.Kind, m.Name), opts.AuditWarn && audit, failures)
		}
		report.WriteApplySummary(out, counts)
	}
	if code := report.ApplyExit(out, counts, opts.WarnExitCode, opts.WarnNoPass); code != 0 {
		return exit.Code(code, "")
	}
	return nil
}

// status is the counted result of a rule: a failure is a warning for an
// unscored policy, or with --audit-warn for an Audit rule.
func status(p *engine.Policy, rr engine.RuleResponse, auditWarn bool) engine.Status {
	if rr.Status == engine.StatusFail && (!scored(p) || (auditWarn && !rr.Enforce)) {
		return engine.StatusWarn
	}
	return rr.Status
}

func scored(p *engine.Policy) bool {
	return p.Annotations["policies.kyverno.io/scored"] != "false"
}

// policyResults turns responses into policy report results.
func policyResults(responses []processor.Response, auditWarn bool) []report.PolicyResults {
	now := metav1.Timestamp{Seconds: time.Now().Unix()}
	var out []report.PolicyResults
	for _, r := range responses {
		if len(r.Result.Rules) == 0 {
			continue
		}
		m := processor.ResourceMeta(r.Resource.Object)
		entry := report.PolicyResults{PolicyName: r.Policy.Name, PolicyNamespace: r.Policy.Namespace}
		for _, rr := range r.Result.Rules {
			res := v1alpha2.Result{
				Source:      "kyverno",
				Policy:      r.Policy.Key(),
				Rule:        rr.Name,
				Category:    r.Policy.Annotations["policies.kyverno.io/category"],
				Severity:    severity(r.Policy.Annotations["policies.kyverno.io/severity"]),
				Timestamp:   now,
				Result:      string(status(r.Policy, rr, auditWarn)),
				Scored:      scored(r.Policy),
				Subjects:    []corev1.ObjectReference{{Kind: m.Kind, Namespace: m.Namespace, Name: m.Name, APIVersion: m.APIVersion}},
				Description: rr.Message,
				Properties:  map[string]string{"process": process(r.Policy)},
			}
			for k, v := range rr.Properties {
				res.Properties[k] = v
			}
			entry.Results = append(entry.Results, res)
		}
		out = append(out, entry)
	}
	return out
}

func severity(s string) string {
	switch s {
	case "critical", "high", "medium", "low", "info":
		return s
	}
	return ""
}

func process(p *engine.Policy) string {
	switch {
	case p.Spec.Background == nil || *p.Spec.Background:
		return "background scan"
	case p.Spec.Admission == nil || *p.Spec.Admission:
		return "admission review"
	}
	return ""
}

func loadValues(opts *Options) (*source.Values, error) {
	if opts.ValuesFile != "" {
		v, warnings, err := source.LoadValues(opts.ValuesFile)
		source.PrintWarnings(opts.Stderr, warnings)
		if err != nil {
			return nil, fmt.Errorf("failed to decode yaml (%w)", err)
		}
		return v, nil
	}
	spec := &v1alpha1.ValuesSpec{GlobalValues: map[string]any{}}
	for _, kv := range opts.Set {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --set value %q: want key=value", kv)
		}
		spec.GlobalValues[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return source.NewValues(spec), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
