package apply

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/pkg/engine"
	"sigs.k8s.io/yaml"
)

// resourceWriter prints the resources that mutate and generate rules
// produce, as Kyverno does:
//
//	policy <name> applied to <ns>/<Kind>/<name>:
//	<yaml>
//	---
//	patched targets:
//	<yaml of each patched target>
//	---
//
// followed by "Mutation:\nMutation has been applied successfully." (and for
// generate rules "Generate:\nGeneration completed successfully.").
//
// With -o FILE every document goes to FILE; with -o DIR mutated resources
// and patched targets go to <name>-mutated.yaml (the last version of each)
// and generated ones to <policy>-generated.yaml. With --stdin only the YAML
// documents are printed, ready for `kubectl apply -f -`.
type resourceWriter struct {
	opts *Options
	// file collects the documents for -o FILE, dir those for -o DIR by
	// file name (in first-write order).
	file     []byte
	dirFiles map[string][]byte
	dirOrder []string
	toFile   bool
	dir      string
}

func writeResources(opts *Options, responses []processor.Response) error {
	w := &resourceWriter{opts: opts}
	if opts.Output != "" {
		if info, err := os.Stat(opts.Output); err == nil && info.IsDir() {
			w.dir, w.dirFiles = opts.Output, map[string][]byte{}
		} else {
			w.toFile = true
		}
	}
	for i := range responses {
		r := &responses[i]
		if hasMutateRule(r.Policy) {
			if err := w.mutated(r); err != nil {
				return err
			}
		}
		if err := w.generated(r); err != nil {
			return err
		}
	}
	return w.flush()
}

func (w *resourceWriter) mutated(r *processor.Response) error {
	obj := r.Patched()
	doc, err := yaml.Marshal(obj)
	if err != nil {
		return err
	}
	var targets [][]byte
	for _, rr := range r.Result.Rules {
		if rr.PatchedTarget == nil || rr.Status != engine.StatusPass {
			continue
		}
		b, err := yaml.Marshal(rr.PatchedTarget)
		if err != nil {
			return err
		}
		if w.dir != "" {
			w.set(processor.ResourceMeta(rr.PatchedTarget).Name+"-mutated.yaml", b)
		}
		targets = append(targets, b)
	}
	m := processor.ResourceMeta(obj)
	switch {
	case w.dir != "":
		w.set(m.Name+"-mutated.yaml", doc)
	case w.toFile:
		w.file = appendDoc(w.file, doc)
		for _, t := range targets {
			w.file = appendDoc(w.file, t)
		}
	default:
		out := w.opts.Stdout
		if !w.opts.StdinMode {
			fmt.Fprintf(out, "\npolicy %s applied to %s:", r.Policy.Name, report.ApplyResourcePath(m.Namespace, m.Kind, m.Name))
		}
		fmt.Fprintf(out, "\n%s---\n", doc)
		if len(targets) > 0 {
			if !w.opts.StdinMode {
				fmt.Fprint(out, "patched targets: \n")
			}
			for _, t := range targets {
				fmt.Fprintf(out, "\n%s---\n\n", t)
			}
		}
	}
	if !w.opts.StdinMode {
		fmt.Fprint(w.opts.Stdout, "\n\nMutation:\nMutation has been applied successfully.")
	}
	return nil
}

func (w *resourceWriter) generated(r *processor.Response) error {
	wrote := false
	m := processor.ResourceMeta(r.Object)
	for _, rr := range r.Result.Rules {
		for _, g := range rr.Generated {
			doc, err := yaml.Marshal(g.Object)
			if err != nil {
				return err
			}
			wrote = true
			switch {
			case w.dir != "":
				name := r.Policy.Name + "-generated.yaml"
				w.set(name, append(w.dirFiles[name], appendDoc(nil, doc)...))
			case w.toFile:
				w.file = appendDoc(w.file, doc)
			default:
				if !w.opts.StdinMode {
					fmt.Fprintf(w.opts.Stdout, "\npolicy %s applied to %s:", r.Policy.Name, report.ApplyResourcePath(m.Namespace, m.Kind, m.Name))
				}
				fmt.Fprintf(w.opts.Stdout, "\n%s---\n", doc)
			}
		}
	}
	if wrote && !w.opts.StdinMode {
		fmt.Fprint(w.opts.Stdout, "\n\nGenerate:\nGeneration completed successfully.")
	}
	return nil
}

// set stores the content of a file of the -o directory.
func (w *resourceWriter) set(name string, content []byte) {
	if _, ok := w.dirFiles[name]; !ok {
		w.dirOrder = append(w.dirOrder, name)
	}
	w.dirFiles[name] = content
}

func (w *resourceWriter) flush() error {
	switch {
	case w.toFile:
		if err := os.WriteFile(w.opts.Output, w.file, 0o644); err != nil {
			return fmt.Errorf("cannot write mutated and generated resources: %w", err)
		}
	case w.dir != "":
		for _, name := range w.dirOrder {
			content := w.dirFiles[name]
			if !strings.HasPrefix(string(content), "---\n") {
				content = appendDoc(nil, content)
			}
			if err := os.WriteFile(filepath.Join(w.dir, name), content, 0o644); err != nil {
				return fmt.Errorf("cannot write mutated and generated resources: %w", err)
			}
		}
	}
	return nil
}

// appendDoc appends one YAML document with its "---" separator.
func appendDoc(buf, doc []byte) []byte {
	buf = append(buf, "---\n"...)
	return append(buf, doc...)
}

func hasMutateRule(p *engine.Policy) bool {
	for _, r := range p.Rules {
		if r.Type == engine.Mutation {
			return true
		}
	}
	return false
}

// resultsOut is where the text results go: stdout, or stderr with
// --stdin so that stdout holds only YAML for kubectl.
func resultsOut(opts *Options) io.Writer {
	if opts.StdinMode {
		return opts.Stderr
	}
	return opts.Stdout
}
