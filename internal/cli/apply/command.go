// Package apply implements `kanon apply`: it applies policies to resource
// files and prints each violation, a summary, an optional table and an
// optional PolicyReport, with Kyverno's exit codes.
package apply

import (
	"io"

	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/spf13/cobra"
)

// Options configures a run of `kanon apply`.
type Options struct {
	PolicyPaths   []string
	ResourcePaths []string
	// TargetPaths are files or directories with the existing objects
	// mutate-existing rules patch (--target-resource).
	TargetPaths []string
	ValuesFile  string
	// Set holds --set key=value pairs for global values.
	Set          []string
	UserInfoFile string
	Table        bool
	Detailed     bool
	AuditWarn    bool
	// WarnExitCode is the exit code when there are warnings but no failures.
	WarnExitCode int
	WarnNoPass   bool
	PolicyReport bool
	OutputFormat string
	// Output is a file or directory for mutated resources (-o).
	Output string
	// StdinMode prints mutated resources alone, ready to pipe to kubectl (-i).
	StdinMode   bool
	RemoveColor bool
	Color       bool
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
}

// NewCommand returns the cobra command for `kanon apply`.
func NewCommand() *cobra.Command {
	opts := Options{}
	cmd := &cobra.Command{
		Use:   "apply POLICY... -r RESOURCE...",
		Short: "Apply policies to resource files and report the results",
		Example: `  kanon apply policies/ -r deployment.yaml
  kanon apply policy.yaml -r resources/ -t --detailed-results
  kubectl get pods -A -o yaml | kanon apply policy.yaml -r -
  kanon apply policies/ -r pods.yaml -p`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PolicyPaths = args
			opts.Stdin = cmd.InOrStdin()
			opts.Stdout = cmd.OutOrStdout()
			opts.Stderr = cmd.ErrOrStderr()
			opts.Color = !opts.RemoveColor && report.IsTerminal(opts.Stdout)
			return Run(opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVarP(&opts.ResourcePaths, "resource", "r", nil, "Resource files or directories (- for stdin)")
	f.StringSliceVar(&opts.ResourcePaths, "resources", nil, "Resource files or directories (- for stdin)")
	f.StringSliceVar(&opts.TargetPaths, "target-resource", nil, "Files or directories with the existing resources that mutate-existing rules patch")
	f.StringSliceVar(&opts.TargetPaths, "target-resources", nil, "Files or directories with the existing resources that mutate-existing rules patch")
	f.StringVarP(&opts.ValuesFile, "values-file", "f", "", "Values file with variables for policies and resources")
	f.StringSliceVarP(&opts.Set, "set", "s", nil, "Global values as key=value pairs")
	f.StringVarP(&opts.UserInfoFile, "userinfo", "u", "", "User-info file with the requester's roles, cluster roles and subjects")
	f.BoolVarP(&opts.Table, "table", "t", false, "Print the results as a table")
	f.BoolVar(&opts.Detailed, "detailed-results", false, "Add a MESSAGE column to the table")
	f.BoolVar(&opts.AuditWarn, "audit-warn", false, "Count failures of Audit policies as warnings")
	f.IntVar(&opts.WarnExitCode, "warn-exit-code", 0, "Exit code when there are warnings and no failures or errors")
	f.BoolVar(&opts.WarnNoPass, "warn-no-pass", false, "Use the warn exit code when no resource passed")
	f.BoolVarP(&opts.PolicyReport, "policy-report", "p", false, "Print a ClusterPolicyReport/PolicyReport instead of the text output")
	f.StringVar(&opts.OutputFormat, "output-format", "yaml", "Policy report format: yaml or json")
	f.BoolVar(&opts.RemoveColor, "remove-color", false, "Print without colours")
	f.StringVarP(&opts.Output, "output", "o", "", "Write mutated resources to this file, or to <name>-mutated.yaml files in this directory")
	f.BoolVarP(&opts.StdinMode, "stdin", "i", false, "Print mutated resources without headers, for piping to kubectl")
	return cmd
}
