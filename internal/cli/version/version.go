// Package version implements `kanon version`: the release, commit, build
// date, Go version and platform of the running binary, as text, JSON or YAML.
//
// Shell completion needs no code here: cobra adds `kanon completion
// bash|zsh|fish|powershell` to the root command, and `kubectl kanon` gets
// the same completions through the kubectl_complete-kanon helper that
// `make install` writes (see README.md).
package version

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/kanon-policy/kanon/internal/version"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// Options configures `kanon version`.
type Options struct {
	// Output is "" (text), "json" or "yaml".
	Output string
}

// NewCommand returns the cobra command for `kanon version`.
func NewCommand() *cobra.Command {
	opts := Options{}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go version and platform",
		Example: `  kanon version
  kanon version -o json
  kubectl kanon version -o yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Run(opts, version.Info(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "Output format: json or yaml (text when empty)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run prints info in the requested format.
func Run(opts Options, info version.BuildInfo, out io.Writer) error {
	switch opts.Output {
	case "":
		_, err := fmt.Fprintf(out, "Version:    %s\nCommit:     %s\nBuild date: %s\nGo version: %s\nPlatform:   %s\n",
			orUnknown(info.Version), orUnknown(info.Commit), orUnknown(info.BuildDate), info.GoVersion, info.Platform)
		return err
	case "json":
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(info)
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	default:
		return fmt.Errorf("--output %q: must be json or yaml (or empty for text)", opts.Output)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
