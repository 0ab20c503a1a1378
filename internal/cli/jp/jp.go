// Package jp implements `kanon jp`: evaluate JMESPath expressions with
// Kanon's (Kyverno's) custom functions, print their AST, list the functions.
package jp

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kanon-policy/kanon/pkg/engine/jmespath"
	"github.com/kanon-policy/kanon/pkg/manifest"
	"github.com/spf13/cobra"
)

// NewCommand returns `kanon jp` with its query, parse and function subcommands.
func NewCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jp",
		Short: "Evaluate JMESPath expressions with Kanon's custom functions",
	}
	cmd.AddCommand(queryCommand(), parseCommand(), functionCommand())
	return cmd
}

// QueryOptions configures `kanon jp query`.
type QueryOptions struct {
	Input     string
	QueryFile string
	Compact   bool
	Unquoted  bool
	Queries   []string
}

func queryCommand() *cobra.Command {
	opts := QueryOptions{}
	cmd := &cobra.Command{
		Use:     "query [EXPRESSION]...",
		Short:   "Evaluate expressions on a JSON or YAML input (file or stdin)",
		Example: "  kubectl get pod web -o yaml | kanon jp query 'spec.containers[].image'\n  kanon jp query -i pod.yaml \"to_upper(metadata.name)\"",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Queries = args
			return Query(opts, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&opts.Input, "input", "i", "", "Input file (JSON or YAML); stdin when empty")
	cmd.Flags().StringVarP(&opts.QueryFile, "query", "q", "", "Read the expression from a file")
	cmd.Flags().BoolVarP(&opts.Compact, "compact", "c", false, "Print compact JSON")
	cmd.Flags().BoolVarP(&opts.Unquoted, "unquoted", "u", false, "Print string results without quotes")
	return cmd
}

// Query evaluates each expression on the input and prints the results.
func Query(opts QueryOptions, stdin io.Reader, out io.Writer) error {
	queries := opts.Queries
	if opts.QueryFile != "" {
		b, err := os.ReadFile(opts.QueryFile)
		if err != nil {
			return err
		}
		queries = append(queries, strings.TrimSpace(string(b)))
	}
	if len(queries) == 0 {
		return fmt.Errorf("no expression given: pass one as an argument or with -q")
	}
	var data []byte
	var err error
	source := opts.Input
	if source == "" {
		source = "-"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(source)
	}
	if err != nil {
		return err
	}
	var input any
	if docs, err := manifest.Decode(source, data); err != nil {
		return err
	} else if len(docs) > 0 {
		input = docs[0].Object
	}
	for _, q := range queries {
		res, err := jmespath.Search(q, input)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		if s, ok := res.(string); ok && opts.Unquoted {
			fmt.Fprintln(out, s)
			continue
		}
		var b []byte
		if opts.Compact {
			b, err = json.Marshal(res)
		} else {
			b, err = json.MarshalIndent(res, "", "  ")
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(out, string(b))
	}
	return nil
}

func parseCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "parse [EXPRESSION]...",
		Short: "Print the abstract syntax tree of expressions",
		RunE: func(cmd *cobra.Command, args []string) error {
			if file != "" {
				b, err := os.ReadFile(file)
				if err != nil {
					return err
				}
				args = append(args, strings.TrimSpace(string(b)))
			}
			if len(args) == 0 {
				return fmt.Errorf("no expression given")
			}
			for _, e := range args {
				ast, err := jmespath.ParseAST(e)
				if err != nil {
					return fmt.Errorf("%s: %w", e, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "# %s\n%s\n", e, ast)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "Read the expression from a file")
	return cmd
}

func functionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "function [NAME]...",
		Short: "List the custom JMESPath functions with their signatures",
		RunE: func(cmd *cobra.Command, args []string) error {
			return PrintFunctions(cmd.OutOrStdout(), args)
		},
	}
}

// PrintFunctions lists the custom functions (only the named ones, if any).
func PrintFunctions(out io.Writer, names []string) error {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := 0
	for _, f := range jmespath.Functions() {
		if len(want) > 0 && !want[f.Name] {
			continue
		}
		found++
		fmt.Fprintf(out, "Name: %s\n  Signature: %s\n", f.Name, f.Signature)
		if f.Note != "" {
			fmt.Fprintf(out, "  Note: %s\n", f.Note)
		}
		fmt.Fprintln(out)
	}
	if len(want) > 0 && found < len(want) {
		return fmt.Errorf("unknown function name(s): %s", strings.Join(names, ", "))
	}
	return nil
}
