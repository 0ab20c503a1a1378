// Package playground is the `kanon playground` command (what `make run`
// runs): a real kube-apiserver + etcd on this machine with Kanon wired in.
package playground

import (
	"github.com/kanon-policy/kanon/internal/logging"
	"github.com/kanon-policy/kanon/internal/playground"
	"github.com/kanon-policy/kanon/internal/version"
	"github.com/spf13/cobra"
)

// NewCommand returns `kanon playground`.
func NewCommand() *cobra.Command {
	var (
		opts      playground.Options
		logFormat string
		verbosity int
	)
	cmd := &cobra.Command{
		Use:   "playground",
		Short: "Start a local kube-apiserver + etcd with Kanon enforcing policies",
		Long: `Start a real kube-apiserver and etcd on this machine (binaries from
hack/controlplane/build.sh), install Kanon's CRDs, and run the admission
controller wired to them. Prints KUBECONFIG=<path> when ready; use kubectl
with it to apply policies and resources. Ctrl-C stops everything.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logging.New(cmd.ErrOrStderr(), logging.Options{Format: logFormat, Verbosity: verbosity})
			if err != nil {
				return err
			}
			opts.Out, opts.Log, opts.Version = cmd.OutOrStdout(), log, version.Version
			return playground.Run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.AssetsDir, "assets", "", "directory with kube-apiserver and etcd (default $KUBEBUILDER_ASSETS or ~/.cache/kanon/controlplane-1.37.2)")
	f.StringVar(&opts.Dir, "dir", "", "directory for the kubeconfig (default: a temporary directory)")
	f.StringVar(&opts.Address, "address", "127.0.0.1:0", "where Kanon listens")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	f.IntVarP(&verbosity, "v", "v", 0, "log verbosity")
	return cmd
}
