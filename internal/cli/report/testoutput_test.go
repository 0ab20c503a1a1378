package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func sampleRows() []Row {
	var b TestRows
	b.Checked("require-labels", "check-team", ResourceKey("v1", "Pod", "default", "good"), true, ReasonOk, "validation rule 'check-team' passed.")
	b.Checked("require-labels", "autogen-check-team", ResourceKey("apps/v1", "Deployment", "default", "web"), false, ReasonMismatch("pass", "fail"), "validation error: label <team> & owner required")
	return b.Rows()
}

func TestWriteTestMachineOutput(t *testing.T) {
	tests := []struct {
		name     string
		format   string
		rows     []Row
		detailed bool
		want     string
	}{
		{
			name:   "json",
			format: FormatJSON,
			rows:   sampleRows(),
			want: "\n[\n" +
				"  {\n" +
				"    \"ID\": 1,\n" +
				"    \"POLICY\": \"require-labels\",\n" +
				"    \"REASON\": \"Ok\",\n" +
				"    \"RESOURCE\": \"v1/Pod/default/good\",\n" +
				"    \"RESULT\": \"Pass\",\n" +
				"    \"RULE\": \"check-team\"\n" +
				"  },\n" +
				"  {\n" +
				"    \"ID\": 2,\n" +
				"    \"POLICY\": \"require-labels\",\n" +
				"    \"REASON\": \"Want pass, got fail\",\n" +
				"    \"RESOURCE\": \"apps/v1/Deployment/default/web\",\n" +
				"    \"RESULT\": \"Fail\",\n" +
				"    \"RULE\": \"autogen-check-team\"\n" +
				"  }\n" +
				"]\n\n",
		},
		{
			name:     "json detailed uses Message key and HTML escaping",
			format:   FormatJSON,
			rows:     sampleRows()[1:],
			detailed: true,
			want: "\n[\n" +
				"  {\n" +
				"    \"ID\": 2,\n" +
				"    \"Message\": \"validation error: label \\u003cteam\\u003e \\u0026 owner required\",\n" +
				"    \"POLICY\": \"require-labels\",\n" +
				"    \"REASON\": \"Want pass, got fail\",\n" +
				"    \"RESOURCE\": \"apps/v1/Deployment/default/web\",\n" +
				"    \"RESULT\": \"Fail\",\n" +
				"    \"RULE\": \"autogen-check-team\"\n" +
				"  }\n" +
				"]\n\n",
		},
		{
			name:   "json empty",
			format: FormatJSON,
			want:   "\n[]\n\n",
		},
		{
			name:     "yaml",
			format:   FormatYAML,
			rows:     sampleRows(),
			detailed: true,
			want: "\n" +
				"- ID: 1\n" +
				"  Message: validation rule 'check-team' passed.\n" +
				"  POLICY: require-labels\n" +
				"  REASON: Ok\n" +
				"  RESOURCE: v1/Pod/default/good\n" +
				"  RESULT: Pass\n" +
				"  RULE: check-team\n" +
				"- ID: 2\n" +
				"  Message: 'validation error: label <team> & owner required'\n" +
				"  POLICY: require-labels\n" +
				"  REASON: Want pass, got fail\n" +
				"  RESOURCE: apps/v1/Deployment/default/web\n" +
				"  RESULT: Fail\n" +
				"  RULE: autogen-check-team\n" +
				"\n\n",
		},
		{
			name:   "yaml empty",
			format: FormatYAML,
			want:   "\n[]\n\n\n",
		},
		{
			name:   "markdown",
			format: FormatMarkdown,
			rows:   sampleRows(),
			want: "\n" +
				"| ID | POLICY | RULE | RESOURCE | RESULT | REASON | \n" +
				"|----|----|----|----|----|----|\n" +
				"| 1 | require-labels | check-team | v1/Pod/default/good | Pass | Ok |\n" +
				"| 2 | require-labels | autogen-check-team | apps/v1/Deployment/default/web | Fail | Want pass, got fail |\n" +
				"\n\n",
		},
		{
			name:     "markdown detailed",
			format:   FormatMarkdown,
			rows:     sampleRows()[:1],
			detailed: true,
			want: "\n" +
				"| ID | POLICY | RULE | RESOURCE | RESULT | REASON | MESSAGE | \n" +
				"|----|----|----|----|----|----|----|\n" +
				"| 1 | require-labels | check-team | v1/Pod/default/good | Pass | Ok | validation rule 'check-team' passed. |\n" +
				"\n\n",
		},
		{
			name:   "junit compact leaves failure unclosed",
			format: FormatJUnit,
			rows:   sampleRows(),
			want: "\n" +
				"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
				"<testsuites tests=\"2\" failures=\"1\">\n" +
				" <testsuite name=\"require-labels\" tests=\"2\" failures=\"1\">\n" +
				"  <testcase classname=\"check-team\" name=\"v1/Pod/default/good\">\n" +
				"   <system-out><![CDATA[\n" +
				"    Reason: Ok\n" +
				"    Policy: require-labels\n" +
				"    Rule: check-team\n" +
				"    Resource: v1/Pod/default/good\n" +
				"   ]]></system-out>\n" +
				"  </testcase>\n" +
				"  <testcase classname=\"autogen-check-team\" name=\"apps/v1/Deployment/default/web\">\n" +
				"   <failure message=\"Want pass, got fail\">\n" +
				"    Policy: require-labels\n" +
				"    Rule: autogen-check-team\n" +
				"    Resource: apps/v1/Deployment/default/web\n" +
				"    Result: Fail  </testcase>\n" +
				" </testsuite>\n" +
				"</testsuites>\n\n",
		},
		{
			name:     "junit detailed",
			format:   FormatJUnit,
			rows:     sampleRows(),
			detailed: true,
			want: "\n" +
				"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
				"<testsuites tests=\"2\" failures=\"1\">\n" +
				" <testsuite name=\"require-labels\" tests=\"2\" failures=\"1\">\n" +
				"  <testcase classname=\"check-team\" name=\"v1/Pod/default/good\">\n" +
				"   <system-out><![CDATA[\n" +
				"    Reason: Ok\n" +
				"    Policy: require-labels\n" +
				"    Rule: check-team\n" +
				"    Resource: v1/Pod/default/good\n" +
				"    Message: validation rule 'check-team' passed.\n" +
				"   ]]></system-out>\n" +
				"  </testcase>\n" +
				"  <testcase classname=\"autogen-check-team\" name=\"apps/v1/Deployment/default/web\">\n" +
				"   <failure message=\"Want pass, got fail\">\n" +
				"    Policy: require-labels\n" +
				"    Rule: autogen-check-team\n" +
				"    Resource: apps/v1/Deployment/default/web\n" +
				"    Result: Fail    Message: validation error: label <team> & owner required\n" +
				"   </failure>\n" +
				"  </testcase>\n" +
				" </testsuite>\n" +
				"</testsuites>\n\n",
		},
		{
			name:   "junit suites in first-appearance order",
			format: FormatJUnit,
			rows: []Row{
				{ID: 1, Policy: "b", Rule: "r", Resource: "x", Result: "Pass", Reason: "Ok"},
				{ID: 2, Policy: "a", Rule: "r", Resource: "x", Result: "Pass", Reason: "Ok"},
				{ID: 3, Policy: "b", Rule: "r", Resource: "y", Result: "Pass", Reason: "Ok"},
			},
			want: "\n" +
				"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
				"<testsuites tests=\"3\" failures=\"0\">\n" +
				" <testsuite name=\"b\" tests=\"2\" failures=\"0\">\n" +
				"  <testcase classname=\"r\" name=\"x\">\n   <system-out><![CDATA[\n    Reason: Ok\n    Policy: b\n    Rule: r\n    Resource: x\n   ]]></system-out>\n  </testcase>\n" +
				"  <testcase classname=\"r\" name=\"y\">\n   <system-out><![CDATA[\n    Reason: Ok\n    Policy: b\n    Rule: r\n    Resource: y\n   ]]></system-out>\n  </testcase>\n" +
				" </testsuite>\n" +
				" <testsuite name=\"a\" tests=\"1\" failures=\"0\">\n" +
				"  <testcase classname=\"r\" name=\"x\">\n   <system-out><![CDATA[\n    Reason: Ok\n    Policy: a\n    Rule: r\n    Resource: x\n   ]]></system-out>\n  </testcase>\n" +
				" </testsuite>\n" +
				"</testsuites>\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			WriteTestMachineOutput(&buf, tt.format, tt.rows, tt.detailed)
			if got := buf.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTestReporter(t *testing.T) {
	passing := func() []Row {
		var b TestRows
		b.Checked("p", "r", ResourceKey("v1", "Pod", "default", "a"), true, ReasonOk, "")
		b.Excluded("p", "r", ResourceKey("v1", "Pod", "default", "b"))
		return b.Rows()
	}
	failing := func() []Row {
		var b TestRows
		b.Checked("p", "r", ResourceKey("v1", "Pod", "default", "c"), false, ReasonMismatch("pass", "fail"), "")
		b.NotFound("p", "r", "missing")
		b.InvalidPolicy("q", "r", "x", "bad policy")
		return b.Rows()
	}
	tests := []struct {
		name    string
		rep     TestReporter
		tests   [][]Row
		want    string
		wantErr string
	}{
		{
			name:  "all passing",
			rep:   TestReporter{},
			tests: [][]Row{passing()},
			want: "\n" +
				"│────│────────│──────│──────────────────│────────│──────────│\n" +
				"│ ID │ POLICY │ RULE │ RESOURCE         │ RESULT │ REASON   │\n" +
				"│────│────────│──────│──────────────────│────────│──────────│\n" +
				"│ 1  │ p      │ r    │ v1/Pod/default/a │ Pass   │ Ok       │\n" +
				"│ 2  │ p      │ r    │ v1/Pod/default/b │ Pass   │ Excluded │\n" +
				"│────│────────│──────│──────────────────│────────│──────────│\n" +
				"\n" +
				"\nTest Summary: 2 tests passed and 0 tests failed\n\n",
		},
		{
			name:  "failures without fail-only print no aggregate",
			rep:   TestReporter{},
			tests: [][]Row{failing()},
			want: "\n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n" +
				"│ ID │ POLICY │ RULE │ RESOURCE         │ RESULT │ REASON              │\n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n" +
				"│ 1  │ p      │ r    │ v1/Pod/default/c │ Fail   │ Want pass, got fail │\n" +
				"│ 2  │ p      │ r    │ /missing         │ Fail   │ Not found           │\n" +
				"│ 3  │ q      │ r    │ /x               │ Skip   │ Invalid Policy      │\n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n" +
				"\n" +
				"\nTest Summary: 1 tests passed and 2 tests failed\n\n",
			wantErr: "2 tests failed",
		},
		{
			name:  "fail-only prints summary then renumbered aggregate",
			rep:   TestReporter{FailOnly: true},
			tests: [][]Row{passing(), failing()},
			want: "\nTest Summary: 2 out of 5 tests failed\n\n" +
				"Aggregated Failed Test Cases : \n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n" +
				"│ ID │ POLICY │ RULE │ RESOURCE         │ RESULT │ REASON              │\n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n" +
				"│ 1  │ p      │ r    │ v1/Pod/default/c │ Fail   │ Want pass, got fail │\n" +
				"│ 2  │ p      │ r    │ /missing         │ Fail   │ Not found           │\n" +
				"│────│────────│──────│──────────────────│────────│─────────────────────│\n",
			wantErr: "2 tests failed",
		},
		{
			name:  "fail-only all passing",
			rep:   TestReporter{FailOnly: true},
			tests: [][]Row{passing()},
			want:  "\nTest Summary: 0 out of 2 tests failed\n\n",
		},
		{
			name:  "fail-only with -o keeps original IDs",
			rep:   TestReporter{FailOnly: true, Format: FormatMarkdown},
			tests: [][]Row{passing(), failing()},
			want: "\nTest Summary: 2 out of 5 tests failed\n\n" +
				"\n| ID | POLICY | RULE | RESOURCE | RESULT | REASON | \n" +
				"|----|----|----|----|----|----|\n" +
				"| 1 | p | r | v1/Pod/default/c | Fail | Want pass, got fail |\n" +
				"| 2 | p | r | /missing | Fail | Not found |\n" +
				"\n\n",
			wantErr: "2 tests failed",
		},
		{
			name:  "no rows at all",
			rep:   TestReporter{},
			tests: [][]Row{nil},
			want:  "\n\n\nTest Summary: 0 tests passed and 0 tests failed\n\n",
		},
		{
			name:  "header colour in the per-test table",
			rep:   TestReporter{Colors: ColorConfig{Header: true}},
			tests: [][]Row{{{ID: 1, Policy: "p", Rule: "r", Resource: "x", Result: "Pass", Reason: "Ok"}}},
			want: "\n" +
				"│────│────────│──────│──────────│────────│────────│\n" +
				"│ \x1b[40;32mID\x1b[0m │ \x1b[40;32mPOLICY\x1b[0m │ \x1b[40;32mRULE\x1b[0m │ \x1b[40;32mRESOURCE\x1b[0m │ \x1b[40;32mRESULT\x1b[0m │ \x1b[40;32mREASON\x1b[0m │\n" +
				"│────│────────│──────│──────────│────────│────────│\n" +
				"│ 1  │ p      │ r    │ x        │ Pass   │ Ok     │\n" +
				"│────│────────│──────│──────────│────────│────────│\n" +
				"\n" +
				"\nTest Summary: 1 tests passed and 0 tests failed\n\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			rep := tt.rep
			rep.Out = &buf
			for _, rows := range tt.tests {
				rep.AddTest(rows)
			}
			err := rep.Finish()
			if got := buf.String(); got != tt.want {
				t.Errorf("output\n%s\nwant\n%s\nquoted got %q", got, tt.want, got)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestWriteFailedTestCasesDoesNotMutate(t *testing.T) {
	rows := []Row{{ID: 5, Policy: "p", IsFailure: true}}
	var buf bytes.Buffer
	WriteFailedTestCases(&buf, rows, TableOptions{})
	if rows[0].ID != 5 {
		t.Fatalf("input mutated")
	}
	if !strings.Contains(buf.String(), "│ 1  │ p ") {
		t.Fatalf("not renumbered:\n%s", buf.String())
	}
}

func TestProgressLines(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"loading test without name", LoadingTestLine("", "dir/kyverno-test.yaml"), "Loading test  ( dir/kyverno-test.yaml ) ..."},
		{"loading test with name", LoadingTestLine("legacy", "kyverno-test.yaml"), "Loading test legacy ( kyverno-test.yaml ) ..."},
		{"applying singular", ApplyingTestLine(1, 1, 1), "  Applying 1 policy to 1 resource with 1 exception ..."},
		{"applying plural", ApplyingTestLine(2, 4, 0), "  Applying 2 policies to 4 resources with 0 exceptions ..."},
		{"applying zero", ApplyingTestLine(0, 0, 3), "  Applying 0 policies to 0 resources with 3 exceptions ..."},
		{"duplicate resource cluster scoped", DuplicateResourceLine("Namespace", "prod", ""), "  warning: found duplicated resource Namespace prod "},
		{"policy load error", PolicyLoadErrorLine("p.yaml", "boom"), "  ERROR: p.yaml: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestErrorBlocks(t *testing.T) {
	var buf bytes.Buffer
	WriteFilterErrors(&buf, []error{errors.New("Invalid test-case-selector (x=y). Parameter can only be policy, rule or resource.")})
	WriteLoadTestsError(&buf, errors.New("open nope: no such file or directory"))
	WriteNoTests(&buf)
	WriteTestFileErrors(&buf, []TestFileError{{Path: "a/kyverno-test.yaml", Err: errors.New("error converting YAML to JSON")}})
	WriteDeprecatedTestWarning(&buf, "b/kyverno-test.yaml")
	want := "\nFilter errors:\n  Error: Invalid test-case-selector (x=y). Parameter can only be policy, rule or resource.\n" +
		"\nError loading tests: open nope: no such file or directory\n" +
		"\nNo test yamls available\n" +
		"\nTest errors:\n  Path: a/kyverno-test.yaml\n    Error: error converting YAML to JSON\n" +
		"\nWARNING: test file (b/kyverno-test.yaml) uses a deprecated schema that will be removed in 1.15\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
	if got := TestFileErrorsError(2).Error(); got != "found 2 errors after loading tests" {
		t.Errorf("TestFileErrorsError: %q", got)
	}
	if got := DeprecatedTestError("t.yaml").Error(); got != "test file t.yaml uses a deprecated schema — please migrate to the latest format" {
		t.Errorf("DeprecatedTestError: %q", got)
	}
	if ValidTestFormat("xml") || !ValidTestFormat("") || !ValidTestFormat("junit") {
		t.Errorf("ValidTestFormat")
	}
}
