// Command kanon is the Kanon policy engine: the CLI (test, apply) and,
// later, the admission controller (serve). It only wires commands together.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/kanon-policy/kanon/internal/cli/apply"
	"github.com/kanon-policy/kanon/internal/cli/cleanup"
	"github.com/kanon-policy/kanon/internal/cli/exit"
	"github.com/kanon-policy/kanon/internal/cli/jp"
	"github.com/kanon-policy/kanon/internal/cli/playground"
	"github.com/kanon-policy/kanon/internal/cli/serve"
	clitest "github.com/kanon-policy/kanon/internal/cli/test"
	cliversion "github.com/kanon-policy/kanon/internal/cli/version"
	"github.com/kanon-policy/kanon/internal/version"
	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "kanon",
		Short:         "Kanon is a Kubernetes policy engine that speaks Kyverno's policy language",
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(clitest.NewCommand(), apply.NewCommand(), jp.NewCommand())
	root.AddCommand(serve.NewCommand(), playground.NewCommand())
	root.AddCommand(cliversion.NewCommand())
	root.AddCommand(cleanup.NewCommand())
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	var ee *exit.Error
	if errors.As(err, &ee) {
		if ee.Message != "" {
			fmt.Fprintln(os.Stderr, "Error:", ee.Message)
		}
		os.Exit(ee.Code)
	}
	fmt.Fprintln(os.Stderr, "Error:", err)
	os.Exit(1)
}
