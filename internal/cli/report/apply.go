package report

import (
	"fmt"
	"io"
)

// ApplyCounts are the five counters of `kyverno apply`.
type ApplyCounts struct {
	Pass, Fail, Warn, Error, Skip int
}

// ApplyingLine is the line `kyverno apply` prints after loading, with its
// leading and trailing newline. The "(s)" forms are literal; Kyverno does
// not pluralise here. The exception clause appears only when exceptions > 0.
// Kyverno skips the line entirely with --stdin, --policy-report or
// --generate-exceptions.
func ApplyingLine(rules, resources, exceptions int) string {
	if exceptions > 0 {
		return fmt.Sprintf("\nApplying %d policy rule(s) to %d resource(s) with %d exception(s)...\n", rules, resources, exceptions)
	}
	return fmt.Sprintf("\nApplying %d policy rule(s) to %d resource(s)...\n", rules, resources)
}

// ApplyResourcePath is how `kyverno apply` names a resource in its text
// output: "namespace/Kind/name". A cluster-scoped resource keeps the leading
// slash ("/Namespace/prod"). A JSON payload, which has no namespace, kind or
// name, shows as "JSON payload" in the failure blocks.
func ApplyResourcePath(namespace, kind, name string) string {
	p := namespace + "/" + kind + "/" + name
	if p == "//" {
		return "JSON payload"
	}
	return p
}

// RuleFailure is one failed rule inside an apply failure block.
type RuleFailure struct {
	Rule    string
	Message string
}

// WriteApplyFailures prints the block for one engine response with failed
// rules:
//
//	policy <name> -> resource <path> failed:
//	1 - <rule> <message>
//
// With auditWarning (--audit-warn and the policy's failure action is Audit)
// the first line ends "failed as audit warning:". An empty message is shown
// as "validation failed". Nothing is printed when failures is empty.
func WriteApplyFailures(w io.Writer, policyName, resourcePath string, auditWarning bool, failures []RuleFailure) {
	if len(failures) == 0 {
		return
	}
	if auditWarning {
		fmt.Fprintln(w, "policy", policyName, "->", "resource", resourcePath, "failed as audit warning:")
	} else {
		fmt.Fprintln(w, "policy", policyName, "->", "resource", resourcePath, "failed:")
	}
	for i, f := range failures {
		msg := f.Message
		if msg == "" {
			msg = "validation failed"
		}
		fmt.Fprintln(w, i+1, "-", f.Rule, msg)
	}
}

// WriteApplySkippedMutate prints the notice for a mutate rule that was
// skipped.
func WriteApplySkippedMutate(w io.Writer, policyName, resourcePath string) {
	fmt.Fprintln(w, "\nskipped mutate policy", policyName, "->", "resource", resourcePath)
}

// WriteApplyMutateError prints the notice for a mutate rule that errored.
// Kyverno's spacing is kept: a space before the newline and two after
// "error:".
func WriteApplyMutateError(w io.Writer, policyName, resourcePath, message string) {
	fmt.Fprintln(w, "\nerror while applying mutate policy", policyName, "->", "resource", resourcePath, "\nerror: ", message)
}

// WriteApplyGenerateError prints the notice for a generate rule that errored.
func WriteApplyGenerateError(w io.Writer, policyName, resourcePath, message string) {
	fmt.Fprintln(w, "\nerror while applying generate policy", policyName, "->", "resource", resourcePath, "\nerror:", message)
}

// WriteApplySummary prints the closing counters line. It is preceded by an
// empty line, and Kyverno leaves a space before the newline.
func WriteApplySummary(w io.Writer, c ApplyCounts) {
	fmt.Fprintf(w, "\npass: %d, fail: %d, warn: %d, error: %d, skip: %d \n", c.Pass, c.Fail, c.Warn, c.Error, c.Skip)
}

// PolicyDiagnostic names a policy that was skipped or found invalid, with
// the reason.
type PolicyDiagnostic struct {
	Name   string
	Reason string
}

const applyDivider = "----------------------------------------------------------------------"

// WriteApplySkippedAndInvalid prints the "Policies Skipped:" and "Invalid
// Policies:" blocks, each between two 70-dash dividers and only when
// non-empty. Entries are numbered from 1 as "N. name: reason", or "N. name"
// without a reason.
func WriteApplySkippedAndInvalid(w io.Writer, skipped, invalid []PolicyDiagnostic) {
	block := func(title string, list []PolicyDiagnostic) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintln(w, applyDivider)
		fmt.Fprintln(w, title)
		for i, d := range list {
			if d.Reason == "" {
				fmt.Fprintf(w, "%d. %s\n", i+1, d.Name)
			} else {
				fmt.Fprintf(w, "%d. %s: %s\n", i+1, d.Name, d.Reason)
			}
		}
		fmt.Fprintln(w, applyDivider)
	}
	block("Policies Skipped:", skipped)
	block("Invalid Policies:", invalid)
}

// ApplyExit applies Kyverno's exit rules for `kyverno apply`. It prints what
// Kyverno prints at exit and returns the process exit code. The rules are
// checked in order and the first one that matches wins:
//
//  1. fail > 0: exit 1, silent.
//  2. error > 0: exit 1, silent.
//  3. warn > 0 and warnExitCode != 0: prints "exit as warnExitCode is N"
//     without a newline, exit N.
//  4. pass == 0 and --warn-no-pass: prints "exit as no objects satisfied
//     policy" and a newline, exit warnExitCode. That can be 0.
//  5. Otherwise exit 0.
//
// In cases 1 and 2 Kyverno's error text ("exit as there are policy
// violations" / "exit as there are policy errors") is not printed: apply
// silences errors once its results are out.
func ApplyExit(w io.Writer, c ApplyCounts, warnExitCode int, warnNoPass bool) int {
	switch {
	case c.Fail > 0:
		return 1
	case c.Error > 0:
		return 1
	case c.Warn > 0 && warnExitCode != 0:
		fmt.Fprintf(w, "exit as warnExitCode is %d", warnExitCode)
		return warnExitCode
	case c.Pass == 0 && warnNoPass:
		fmt.Fprintln(w, "exit as no objects satisfied policy")
		return warnExitCode
	}
	return 0
}

// ApplyTableRow builds one row of `kyverno apply -t`. The caller numbers
// rows from 1 across all responses and rules, in order.
//   - POLICY is namespace/name.
//   - RULE is filled only for kyverno.io policies (for CEL/VAP kinds it is
//     the empty, unstyled string).
//   - RESOURCE is "namespace/Kind/name", or "Kind/name" when cluster-scoped.
//   - RESULT is the rule status, with this mapping for a failed rule:
//     "Warn" when the policy is not scored, or when --audit-warn is set and
//     the failure action is Audit; "Fail" otherwise.
//   - REASON is always empty.
//   - MESSAGE is the rule message.
type ApplyTableRow struct {
	PolicyNamespace, PolicyName     string
	IsKyvernoPolicy                 bool
	Rule                            string
	ResourceKind, ResourceNamespace string
	ResourceName                    string
	// Status is pass, fail, warn, error or skip.
	Status string
	// Scored is false when the policy has the annotation
	// policies.kyverno.io/scored: "false".
	Scored bool
	// AuditWarn is --audit-warn combined with the response's failure action
	// being Audit.
	AuditWarn bool
	Message   string
}

// Row converts r into a table [Row] with the given ID.
func (r ApplyTableRow) Row(p Palette, id int) Row {
	row := Row{
		ID:       id,
		Policy:   p.Policy(r.PolicyNamespace, r.PolicyName),
		Resource: p.Resource(r.ResourceKind, r.ResourceNamespace, r.ResourceName),
		Message:  r.Message,
	}
	if r.IsKyvernoPolicy {
		row.Rule = p.Rule(r.Rule)
	}
	status := r.Status
	if status == "fail" && (!r.Scored || r.AuditWarn) {
		status = "warn"
	}
	row.Result = p.Result(status)
	return row
}
