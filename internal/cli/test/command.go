// Package test implements `kanon test`: it runs kyverno-test.yaml files (and
// the legacy test.yaml shape), applies their policies to their resources and
// reports, result by result, whether the engine behaves as the file expects.
package test

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/pkg/engine/wildcard"
	"github.com/spf13/cobra"
)

// DefaultFileName is the test file name discovered by default.
const DefaultFileName = "kyverno-test.yaml"

// Options configures a run of `kanon test`.
type Options struct {
	Paths        []string
	FileName     string
	Selector     string
	Output       string
	Detailed     bool
	FailOnly     bool
	RemoveColor  bool
	RequireTests bool
	// Color enables coloured output (off for files, pipes and --remove-color).
	Color  bool
	Stdout io.Writer
	Stderr io.Writer
}

// NewCommand returns the cobra command for `kanon test`.
func NewCommand() *cobra.Command {
	opts := Options{}
	cmd := &cobra.Command{
		Use:   "test [DIR|FILE]...",
		Short: "Run kyverno-test.yaml (and legacy test.yaml) files and check their expected results",
		Long: `Run Kyverno test files: each lists policies, resources and the result expected
for each policy, rule and resource. Directories are searched recursively for
kyverno-test.yaml files and for files in the legacy test.yaml format.`,
		Example: `  kanon test .
  kanon test policies/ --detailed-results
  kanon test . --test-case-selector "policy=require-*, rule=*, resource=*"`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"."}
			}
			opts.Stdout = cmd.OutOrStdout()
			opts.Stderr = cmd.ErrOrStderr()
			opts.Color = report.DetectColors(opts.RemoveColor, os.Getenv, report.IsTerminal(opts.Stdout)).Cells
			return Run(opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.FileName, "file-name", "f", DefaultFileName, "Test file name to look for in directories")
	f.StringVarP(&opts.Selector, "test-case-selector", "t", "policy=*,rule=*,resource=*", "Run only the results that match: policy=<glob>,rule=<glob>,resource=<glob>")
	f.StringVarP(&opts.Output, "output-format", "o", "", "Output format: json, yaml, markdown or junit")
	f.BoolVar(&opts.Detailed, "detailed-results", false, "Add a MESSAGE column with the rule's message")
	f.BoolVar(&opts.FailOnly, "fail-only", false, "Print only the failed results")
	f.BoolVar(&opts.RemoveColor, "remove-color", false, "Print without colours")
	f.BoolVar(&opts.RequireTests, "require-tests", false, "Fail when no test file is found")
	return cmd
}

// selector filters results by policy, rule and resource name globs
// (--test-case-selector "policy=<glob>,rule=<glob>,resource=<glob>").
type selector struct{ policy, rule, resource string }

// parseSelector parses the selector; malformed parts are reported and
// ignored, as Kyverno does.
func parseSelector(s string) (selector, []error) {
	sel := selector{policy: "*", rule: "*", resource: "*"}
	var errs []error
	if strings.TrimSpace(s) == "" {
		return sel, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			errs = append(errs, fmt.Errorf("Invalid test-case-selector argument (%s). Parameter must be in the form `<key>=<value>`.", part))
			continue
		}
		switch strings.TrimSpace(k) {
		case "policy":
			sel.policy = strings.TrimSpace(v)
		case "rule":
			sel.rule = strings.TrimSpace(v)
		case "resource":
			sel.resource = strings.TrimSpace(v)
		default:
			errs = append(errs, fmt.Errorf("Invalid test-case-selector (%s). Parameter can only be policy, rule or resource.", part))
		}
	}
	return sel, errs
}

// filter keeps the results the selector selects; an empty field always
// matches. Resource entries that do not match the resource glob are dropped.
func (s selector) filter(results []v1alpha1.TestResult) []v1alpha1.TestResult {
	var out []v1alpha1.TestResult
	for _, r := range results {
		if (r.Policy != "" && !wildcard.Match(s.policy, r.Policy)) || (r.Rule != "" && !wildcard.Match(s.rule, r.Rule)) {
			continue
		}
		if s.resource != "*" {
			var kept []string
			for _, name := range append(append([]string{}, r.Resources...), r.Resource) {
				if name != "" && wildcard.Match(s.resource, name) {
					kept = append(kept, name)
				}
			}
			if len(kept) == 0 && (len(r.Resources) > 0 || r.Resource != "") {
				continue
			}
			r.Resources, r.Resource = kept, ""
		}
		out = append(out, r)
	}
	return out
}
