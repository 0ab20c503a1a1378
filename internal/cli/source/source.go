// Package source reads what the CLI commands are given: files, directories
// (recursively), stdin ("-"); YAML or JSON, multi-document, List kinds. It
// sorts the documents into policies and resources and reports every
// problem with the file, document and field it concerns.
package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/pkg/engine"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// Reader reads sources. Stdin is used for the path "-".
type Reader struct {
	Stdin io.Reader
	// stdinDocs caches stdin, which can be read only once.
	stdinDocs []manifest.Document
	stdinRead bool
}

// IsManifestFile reports whether a file name looks like a manifest.
func IsManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// Documents decodes every manifest under the given paths: files as given,
// directories recursively (YAML and JSON files only, in lexical order), and
// "-" for stdin.
func (r *Reader) Documents(paths ...string) ([]manifest.Document, error) {
	var docs []manifest.Document
	var errs []error
	for _, p := range paths {
		d, err := r.documents(p)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return docs, errors.Join(errs...)
}

func (r *Reader) documents(path string) ([]manifest.Document, error) {
	if path == "-" {
		if !r.stdinRead {
			r.stdinRead = true
			if r.Stdin == nil {
				return nil, fmt.Errorf("-: no standard input")
			}
			data, err := io.ReadAll(r.Stdin)
			if err != nil {
				return nil, fmt.Errorf("-: %w", err)
			}
			docs, err := manifest.Decode("-", data)
			r.stdinDocs = docs
			if err != nil {
				return docs, err
			}
		}
		return r.stdinDocs, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return decodeFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && IsManifestFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var docs []manifest.Document
	var errs []error
	for _, f := range files {
		d, err := decodeFile(f)
		docs = append(docs, d...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return docs, errors.Join(errs...)
}

func decodeFile(path string) ([]manifest.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return manifest.Decode(path, data)
}

// Kind returns a document's apiVersion and kind.
func Kind(doc *manifest.Document) (apiVersion, kind string) {
	apiVersion, _ = doc.Object["apiVersion"].(string)
	kind, _ = doc.Object["kind"].(string)
	return apiVersion, kind
}

// IsPolicy reports whether a document is a kyverno.io ClusterPolicy or Policy.
func IsPolicy(doc *manifest.Document) bool {
	apiVersion, kind := Kind(doc)
	return strings.HasPrefix(apiVersion, "kyverno.io/") && (kind == "ClusterPolicy" || kind == "Policy")
}

// Policy is a policy document decoded and compiled.
type Policy struct {
	Doc    manifest.Document
	Source engine.Source
	// Compiled is nil when the policy is invalid; Err then says why.
	Compiled *engine.Policy
	Err      error
}

// Policies decodes and compiles the policy documents among docs. Unknown
// fields become warnings; an invalid policy is returned with its error, so
// callers can report it and go on with the others.
func Policies(docs []manifest.Document) (policies []*Policy, warnings []string) {
	for i := range docs {
		doc := docs[i]
		if !IsPolicy(&doc) {
			continue
		}
		p := &Policy{Doc: doc}
		policies = append(policies, p)
		_, kind := Kind(&doc)
		var pol kyvernov1.ClusterPolicy
		w, err := manifest.Into(doc, &pol)
		warnings = append(warnings, w...)
		p.Source = engine.Source{
			Kind:        kind,
			Name:        pol.Name,
			Namespace:   pol.Namespace,
			Annotations: pol.Annotations,
			Spec:        &pol.Spec,
		}
		if err != nil {
			p.Err = err
			continue
		}
		if kind == "Policy" && p.Source.Namespace == "" {
			p.Source.Namespace = "default"
		}
		p.Compiled, err = engine.Compile(p.Source)
		if err != nil {
			p.Err = fmt.Errorf("%s: document %d: policy %s: %w", doc.Source, doc.Index, pol.Name, err)
		}
	}
	return policies, warnings
}

// Resources returns the documents that are not policies or CLI files. A
// namespaced resource without a namespace is put in "default".
func Resources(docs []manifest.Document) []manifest.Document {
	var out []manifest.Document
	for i := range docs {
		apiVersion, _ := Kind(&docs[i])
		if IsPolicy(&docs[i]) || strings.HasPrefix(apiVersion, "cli.kyverno.io/") {
			continue
		}
		defaultNamespace(docs[i].Object)
		out = append(out, docs[i])
	}
	return out
}

// PrintWarnings prints load warnings (unknown fields and the like) to w.
func PrintWarnings(w io.Writer, warnings []string) {
	for _, s := range warnings {
		fmt.Fprintln(w, "Warning:", s)
	}
}
