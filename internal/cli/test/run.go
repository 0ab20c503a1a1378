package test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kanon-policy/kanon/api/cli/v1alpha1"
	"github.com/kanon-policy/kanon/internal/cli/exit"
	"github.com/kanon-policy/kanon/internal/cli/processor"
	"github.com/kanon-policy/kanon/internal/cli/report"
	"github.com/kanon-policy/kanon/internal/cli/source"
	"github.com/kanon-policy/kanon/pkg/engine/match"
	"github.com/kanon-policy/kanon/pkg/manifest"
)

// testCase is one loaded test file.
type testCase struct {
	path string
	test *v1alpha1.Test
	// legacy is true for the older schema (no apiVersion/kind).
	legacy bool
}

// Run runs every test file found under opts.Paths. Kyverno stops at the
// first broken test file; Kanon reports it, runs the others and still exits 1.
func Run(opts Options) error {
	if opts.FileName == "" {
		opts.FileName = DefaultFileName
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Output != "" && !report.ValidTestFormat(opts.Output) {
		return report.ErrInvalidTestFormat
	}
	colors := report.ColorConfig{Cells: opts.Color, Header: opts.Color}
	if opts.Output != "" {
		colors = report.NoColor
	}
	out := opts.Stdout
	sel, filterErrs := parseSelector(opts.Selector)
	report.WriteFilterErrors(out, filterErrs)

	files, err := discover(opts.Paths, opts.FileName, opts.FileName == DefaultFileName)
	if err != nil {
		report.WriteLoadTestsError(out, err)
		return err
	}
	var cases []testCase
	var fileErrs []report.TestFileError
	for _, f := range files {
		tc, warnings, err := loadTest(f)
		source.PrintWarnings(opts.Stderr, warnings)
		if err != nil {
			fileErrs = append(fileErrs, report.TestFileError{Path: f, Err: err})
			continue
		}
		if tc != nil {
			cases = append(cases, *tc)
		}
	}
	report.WriteTestFileErrors(out, fileErrs)
	if len(cases) == 0 && len(fileErrs) == 0 {
		report.WriteNoTests(out)
		if opts.RequireTests {
			return exit.Code(1, "no tests found")
		}
		return nil
	}
	rep := &report.TestReporter{Out: out, Format: opts.Output, FailOnly: opts.FailOnly, Detailed: opts.Detailed, Colors: colors}
	var runErrs int
	for i := range cases {
		rows, ran, err := runTest(&opts, &cases[i], sel, report.NewPalette(colors))
		if err != nil {
			runErrs++
			fmt.Fprintf(opts.Stderr, "Error: failed to run test (%v)\n", err)
			continue
		}
		if ran {
			rep.AddTest(rows)
		}
	}
	finishErr := rep.Finish()
	if n := len(fileErrs) + runErrs; n > 0 {
		return exit.Code(1, report.TestFileErrorsError(n).Error())
	}
	if finishErr != nil {
		return exit.Code(1, finishErr.Error())
	}
	return nil
}

// loadTest reads a test file. A legacy test.yaml that does not look like a
// test (no policies and no results) is not one and is skipped (nil, nil).
func loadTest(path string) (*testCase, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		return nil, nil, fmt.Errorf("%s: empty test file", path)
	}
	doc := docs[0]
	apiVersion, kind := source.Kind(&doc)
	legacy := apiVersion == "" && kind == ""
	if !legacy && (!strings.HasPrefix(apiVersion, "cli.kyverno.io/") || kind != "Test") {
		if filepath.Base(path) == legacyFileName {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("%s: document 0: expected apiVersion cli.kyverno.io/v1alpha1 and kind Test, got %q %q", path, apiVersion, kind)
	}
	var t v1alpha1.Test
	warnings, err := manifest.Into(doc, &t)
	if err != nil {
		return nil, warnings, err
	}
	if legacy && len(t.Policies) == 0 && len(t.Results) == 0 {
		return nil, nil, nil
	}
	return &testCase{path: path, test: &t, legacy: legacy}, warnings, nil
}

// runTest loads one test's inputs, applies the policies and checks the
// results. ran is false when the selector left no result to check.
func runTest(opts *Options, tc *testCase, sel selector, palette report.Palette) (rows []report.Row, ran bool, err error) {
	t := tc.test
	results := sel.filter(t.Results)
	if len(results) == 0 {
		return nil, false, nil
	}
	dir := filepath.Dir(tc.path)
	progress := io.Writer(opts.Stdout)
	if opts.Output != "" || opts.FailOnly {
		progress = io.Discard
	}
	say := func(s string) { fmt.Fprintln(progress, s) }
	say(report.LoadingTestLine(t.Name, tc.path))
	if tc.legacy {
		fmt.Fprintf(opts.Stderr, "Note: %s uses the legacy test schema (no apiVersion/kind); Kanon runs it as is. Kyverno 1.19 rejects it.\n", tc.path)
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) || p == "-" {
			return p
		}
		return filepath.Join(dir, p)
	}
	var warnings []string
	say(report.LineLoadingValues)
	values := source.NewValues(t.Values)
	if t.Variables != "" {
		v, w, err := source.LoadValues(rel(t.Variables))
		warnings = append(warnings, w...)
		if err != nil {
			return nil, true, fmt.Errorf("%s: variables: %w", tc.path, err)
		}
		values = v
	}
	var user *match.UserInfo
	if t.UserInfo != "" {
		say(report.LineLoadingUserInfos)
		u, w, err := source.LoadUserInfo(rel(t.UserInfo))
		warnings = append(warnings, w...)
		if err != nil {
			return nil, true, fmt.Errorf("%s: userinfo: %w", tc.path, err)
		}
		user = u
	}
	say(report.LineLoadingPolicies)
	reader := &source.Reader{}
	policyDocs, err := reader.Documents(joinAll(rel, t.Policies)...)
	if err != nil {
		return nil, true, fmt.Errorf("%s: failed to load policies (%w)", tc.path, err)
	}
	policies, w := source.Policies(policyDocs)
	warnings = append(warnings, w...)
	for _, p := range policies {
		if p.Err != nil {
			say(report.PolicyLoadErrorLine(p.Doc.Source, p.Err.Error()))
		}
	}
	say(report.LineLoadingResources)
	resourceDocs, err := reader.Documents(joinAll(rel, t.Resources)...)
	if err != nil {
		return nil, true, fmt.Errorf("%s: failed to load resources (%w)", tc.path, err)
	}
	resources := unique(source.Resources(resourceDocs), say)
	source.PrintWarnings(opts.Stderr, warnings)
	say(report.LineLoadingExceptions)
	if len(t.Exceptions) > 0 {
		fmt.Fprintf(opts.Stderr, "Warning: %s: PolicyExceptions are not evaluated by this version of Kanon; results that depend on them will differ\n", tc.path)
	}
	say(report.ApplyingTestLine(len(policies), len(resources), 0))
	data := &source.Offline{Resources: resources, APIResponses: t.APICallResponses, GlobalEntries: t.GlobalContextEntries}
	for _, r := range t.Results {
		if r.CloneSourceResource == "" {
			continue
		}
		docs, err := reader.Documents(rel(r.CloneSourceResource))
		if err != nil {
			return nil, true, fmt.Errorf("%s: cloneSourceResource: %w", tc.path, err)
		}
		data.Sources = append(data.Sources, docs...)
	}
	targetDocs, err := reader.Documents(joinAll(rel, t.TargetResources)...)
	if err != nil {
		return nil, true, fmt.Errorf("%s: failed to load target resources (%w)", tc.path, err)
	}
	targets := source.Resources(targetDocs)
	responses := processor.Process(processor.Input{Policies: policies, Resources: resources, Values: values, User: user, Data: data, Sources: data, Targets: source.Objects(targets)})
	say(report.LineCheckingResults)
	c := &checker{rows: &report.TestRows{Palette: palette}, expected: &expectedFiles{dir: dir}, resources: resources, targets: targets, responses: responses, policies: policies}
	for _, want := range results {
		c.check(want)
	}
	return c.rows.Rows(), true, nil
}

func joinAll(rel func(string) string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = rel(p)
	}
	return out
}

// unique drops resources that appear twice (same apiVersion, kind,
// namespace and name), keeping the first, as Kyverno does.
func unique(docs []manifest.Document, say func(string)) []manifest.Document {
	seen := map[string]bool{}
	var out []manifest.Document
	for _, d := range docs {
		m := processor.ResourceMeta(d.Object)
		key := resourceKey(m)
		if seen[key] {
			say(report.DuplicateResourceLine(m.Kind, m.Name, m.Namespace))
			continue
		}
		seen[key] = true
		out = append(out, d)
	}
	return out
}

// resourceKey is Kyverno's "apiVersion,kind,namespace,name" key.
func resourceKey(m processor.Meta) string {
	return m.APIVersion + "," + m.Kind + "," + m.Namespace + "," + m.Name
}
