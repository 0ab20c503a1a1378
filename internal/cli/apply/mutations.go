package apply

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/pkg/engine"
	"sigs.k8s.io/yaml"
)

// writeMutations prints (or writes to -o) the resource produced by each
// policy that has mutate rules, as Kyverno does:
//
//	policy <name> applied to <ns>/<Kind>/<name>:
//	<yaml>
//	---
//
// followed by "Mutation:\nMutation has been applied successfully.". With
// --stdin only the YAML documents are printed, ready for `kubectl apply -f -`.
func writeMutations(opts *Options, responses []processor.Response) error {
	var sink io.Writer = opts.Stdout
	dir := ""
	if opts.Output != "" {
		if info, err := os.Stat(opts.Output); err == nil && info.IsDir() {
			dir = opts.Output
		} else {
			f, err := os.Create(opts.Output)
			if err != nil {
				return fmt.Errorf("cannot write mutated resources: %w", err)
			}
			defer f.Close()
			sink = f
		}
	}
	for i := range responses {
		r := &responses[i]
		if !hasMutateRule(r.Policy) {
			continue
		}
		obj := r.Patched()
		b, err := yaml.Marshal(obj)
		if err != nil {
			return err
		}
		m := processor.ResourceMeta(obj)
		if dir != "" {
			path := filepath.Join(dir, m.Name+"-mutated.yaml")
			if err := os.WriteFile(path, append([]byte("---\n"), b...), 0o644); err != nil {
				return fmt.Errorf("cannot write mutated resources: %w", err)
			}
		} else {
			if !opts.StdinMode && sink == opts.Stdout {
				fmt.Fprintf(sink, "\npolicy %s applied to %s:", r.Policy.Name, report.ApplyResourcePath(m.Namespace, m.Kind, m.Name))
			}
			fmt.Fprintf(sink, "\n%s---\n", b)
		}
		if !opts.StdinMode {
			fmt.Fprint(opts.Stdout, "\n\nMutation:\nMutation has been applied successfully.")
		}
	}
	return nil
}

func hasMutateRule(p *engine.Policy) bool {
	for _, r := range p.Rules {
		if r.Type == engine.Mutation {
			return true
		}
	}
	return false
}
