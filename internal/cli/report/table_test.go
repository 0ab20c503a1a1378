package report

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden files in testdata/table were produced by Kyverno v1.19's own
// table stack (lensesio/tableprinter + kataras/tablewriter configured as in
// cmd/cli/kubectl-kyverno/output/table/printer.go), fed with exactly these
// cases. Pass -dump-table-cases=FILE to write the cases as JSON for
// regenerating them.
var dumpTableCases = flag.String("dump-table-cases", "", "write the table test cases as JSON to this file and skip comparison")

type tableCase struct {
	Name        string `json:"name"`
	Detailed    bool   `json:"detailed"`
	HeaderColor bool   `json:"headerColor"`
	Rows        []Row  `json:"rows"`
}

func tableCases() []tableCase {
	plain := Palette{}
	color := Palette{Enabled: true}
	row := func(p Palette, id int, policy, rule, key string, pass bool, reason, msg string) Row {
		result := p.Pass()
		if !pass {
			result = p.Fail()
		}
		return Row{ID: id, Policy: p.Policy("", policy), Rule: p.Rule(rule), Resource: p.TestResource(key), Result: result, Reason: reason, Message: msg, IsFailure: !pass}
	}
	var eleven []Row
	for i := 1; i <= 11; i++ {
		eleven = append(eleven, row(plain, i, "require-labels", "check-team", ResourceKey("v1", "Pod", "default", fmt.Sprintf("pod-%d", i)), i%3 != 0, ReasonOk, "validation rule 'check-team' passed."))
	}
	long := strings.Repeat("validation error: the field spec.containers[0].securityContext.runAsNonRoot must be set to true. ", 5)
	return []tableCase{
		{Name: "empty_compact"},
		{Name: "empty_detailed", Detailed: true},
		{Name: "single_row_compact", Rows: []Row{
			row(plain, 1, "disallow-latest-tag", "require-image-tag", ResourceKey("v1", "Pod", "default", "myapp-pod"), true, ReasonOk, "validation rule 'require-image-tag' passed."),
		}},
		{Name: "single_row_detailed", Detailed: true, Rows: []Row{
			row(plain, 1, "disallow-latest-tag", "require-image-tag", ResourceKey("v1", "Pod", "default", "myapp-pod"), true, ReasonOk, "validation rule 'require-image-tag' passed."),
		}},
		{Name: "column_widths_long_cells", Rows: []Row{
			row(plain, 1, "p", "r", ResourceKey("v1", "Pod", "default", "a"), true, ReasonOk, ""),
			row(plain, 2, "a-really-long-policy-name-that-stretches-the-column", "short", ResourceKey("apps/v1", "Deployment", "production-namespace", "frontend-deployment-with-long-name"), false, ReasonMismatch("pass", "fail"), ""),
			row(plain, 3, "team-ns/namespaced-policy", "autogen-cronjob-check-something-very-specific", ResourceKey("batch/v1", "CronJob", "team-ns", "nightly"), true, ReasonOk, ""),
			row(plain, 4, "cluster-policy", "rule", ResourceKey("v1", "Namespace", "", "prod"), true, ReasonOk, ""),
			row(plain, 5, "gen-policy", "generate-cm", "generated-configmap", true, ReasonOk, ""),
		}},
		{Name: "detailed_messages", Detailed: true, Rows: []Row{
			row(plain, 1, "require-run-as-nonroot", "check-runAsNonRoot", ResourceKey("v1", "Pod", "default", "good-pod"), true, ReasonOk, "validation rule 'check-runAsNonRoot' passed."),
			row(plain, 2, "require-run-as-nonroot", "check-runAsNonRoot", ResourceKey("v1", "Pod", "default", "bad-pod"), false, ReasonMismatch("pass", "fail"), "validation error: Running as root is not allowed. rule check-runAsNonRoot failed at path /spec/securityContext/runAsNonRoot/"),
			{ID: 3, Policy: "require-run-as-nonroot", Rule: "check-runAsNonRoot", Resource: "v1/Pod/default/other", Result: "Pass", Reason: "Excluded", Message: "Excluded"},
			{ID: 4, Policy: "require-run-as-nonroot", Rule: "check-runAsNonRoot", Resource: "v1/Pod/default/missing", Result: "Fail", Reason: "Not found", Message: "Not found", IsFailure: true},
			{ID: 5, Policy: "broken", Rule: "r", Resource: "v1/Pod/default/x", Result: "Skip", Reason: "Invalid Policy", Message: "invalid variable used at path: spec/rules[0]/validate/message"},
		}},
		{Name: "multiline_message", Detailed: true, Rows: []Row{
			row(plain, 1, "add-labels", "add-team", ResourceKey("v1", "Pod", "default", "nginx"), false, ReasonResourceDiff, "Patched resource didn't match the patched resource in the test result\n(only in expected only in actual)\n\napiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    team: a\n"),
			row(plain, 2, "add-labels", "add-team", ResourceKey("v1", "Pod", "default", "other"), true, ReasonOk, "mutated resource"),
		}},
		{Name: "multiline_in_several_columns", Detailed: true, Rows: []Row{
			{ID: 1, Policy: "p\nq", Rule: "r", Resource: "x", Result: "Fail", Reason: "a\nb\nc", Message: "one\ntwo", IsFailure: true},
		}},
		{Name: "eleven_rows_id_header", Rows: eleven},
		{Name: "eleven_rows_detailed_header_color", Detailed: true, HeaderColor: true, Rows: eleven},
		{Name: "over_300_bytes_wrapped", Detailed: true, Rows: []Row{
			row(plain, 1, "restrict-pss", "baseline", ResourceKey("v1", "Pod", "default", "priv"), false, ReasonMismatch("pass", "fail"), long),
		}},
		{Name: "over_300_bytes_trailing_newline", Detailed: true, Rows: []Row{
			row(plain, 1, "restrict-pss", "baseline", ResourceKey("v1", "Pod", "default", "priv"), false, ReasonMismatch("pass", "fail"), long+"\n"),
		}},
		{Name: "over_300_bytes_inner_newline", Detailed: true, Rows: []Row{
			row(plain, 1, "restrict-pss", "baseline", ResourceKey("v1", "Pod", "default", "priv"), false, ReasonResourceDiff, "diff:\n"+long),
		}},
		{Name: "over_300_bytes_single_word", Detailed: true, Rows: []Row{
			row(plain, 1, "p", "r", ResourceKey("v1", "Pod", "default", "x"), true, ReasonOk, strings.Repeat("abcdefghij", 35)+" tail words here"),
		}},
		{Name: "colored_cells_and_header", Detailed: true, HeaderColor: true, Rows: []Row{
			row(color, 1, "disallow-latest-tag", "require-image-tag", ResourceKey("v1", "Pod", "default", "myapp-pod"), true, ReasonOk, "validation rule 'require-image-tag' passed."),
			row(color, 2, "ns1/namespaced", "autogen-require-image-tag", ResourceKey("apps/v1", "Deployment", "ns1", "web"), false, ReasonMismatch("pass", "fail"), "validation error: An image tag is required."),
			{ID: 3, Policy: color.Policy("", "p"), Rule: color.Rule(""), Resource: color.TestResource(ResourceKey("v1", "ConfigMap", "", "cm")), Result: color.Pass(), Reason: color.Excluded(), Message: color.Excluded()},
			{ID: 4, Policy: color.Policy("", "p"), Rule: color.Rule("r"), Resource: color.TestResource("gen"), Result: color.Fail(), Reason: color.NotFound(), Message: color.NotFound(), IsFailure: true},
			{ID: 5, Policy: color.Policy("", "p"), Rule: color.Rule("r"), Resource: color.TestResource("x"), Result: color.Skip(), Reason: color.InvalidPolicy(), Message: "bad"},
		}},
		{Name: "header_color_plain_cells", HeaderColor: true, Rows: []Row{
			row(plain, 1, "disallow-latest-tag", "require-image-tag", ResourceKey("v1", "Pod", "default", "myapp-pod"), true, ReasonOk, ""),
		}},
		{Name: "unicode_and_control_chars", Detailed: true, Rows: []Row{
			{ID: 1, Policy: "politique-été", Rule: "règle", Resource: "v1/Pod/default/naïve", Result: "Pass", Reason: "Ok", Message: "中文消息 ✅ done"},
			{ID: 2, Policy: "p", Rule: "r", Resource: "v1/Pod/default/tab", Result: "Fail", Reason: "Ok", Message: "a\tb 🚀 x", IsFailure: true},
			{ID: 3, Policy: "ｆｕｌｌ", Rule: "e\u0301", Resource: "x", Result: "Pass", Reason: "Ok", Message: "zero\u200bwidth"},
		}},
		{Name: "apply_table_detailed", Detailed: true, Rows: []Row{
			ApplyTableRow{PolicyName: "require-labels", IsKyvernoPolicy: true, Rule: "check-team", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "fail", Scored: true, Message: "validation error: label team is required"}.Row(plain, 1),
			ApplyTableRow{PolicyName: "require-labels", IsKyvernoPolicy: true, Rule: "autogen-check-team", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "skip", Scored: true}.Row(plain, 2),
			ApplyTableRow{PolicyNamespace: "team", PolicyName: "vpol", Rule: "ignored", ResourceKind: "Namespace", ResourceName: "prod", Status: "pass", Scored: true, Message: "ok"}.Row(plain, 3),
			ApplyTableRow{PolicyName: "audit", IsKyvernoPolicy: true, Rule: "r", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "fail", Scored: false}.Row(plain, 4),
			ApplyTableRow{PolicyName: "err", IsKyvernoPolicy: true, Rule: "r", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "error", Scored: true, Message: "variable substitution failed"}.Row(plain, 5),
		}},
		{Name: "apply_table_colored", HeaderColor: true, Rows: []Row{
			ApplyTableRow{PolicyName: "require-labels", IsKyvernoPolicy: true, Rule: "check-team", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "fail", Scored: true}.Row(color, 1),
			ApplyTableRow{PolicyName: "require-labels", IsKyvernoPolicy: true, Rule: "check-team", ResourceKind: "Pod", ResourceNamespace: "default", ResourceName: "nginx", Status: "fail", Scored: true, AuditWarn: true}.Row(color, 2),
			ApplyTableRow{PolicyNamespace: "team", PolicyName: "vpol", ResourceKind: "Namespace", ResourceName: "prod", Status: "pass", Scored: true}.Row(color, 3),
		}},
	}
}

func TestRenderTableGolden(t *testing.T) {
	cases := tableCases()
	if *dumpTableCases != "" {
		data, err := json.MarshalIndent(cases, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*dumpTableCases, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skip("cases dumped")
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "table", tc.Name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			got := RenderTable(tc.Rows, TableOptions{Detailed: tc.Detailed, HeaderColor: tc.HeaderColor})
			if got != string(want) {
				t.Errorf("table mismatch\n--- got ---\n%s\n--- want ---\n%s\n--- got (quoted) ---\n%q\n--- want (quoted) ---\n%q", got, want, got, want)
			}
		})
	}
}

func TestRenderTableShapes(t *testing.T) {
	tests := []struct {
		name string
		rows []Row
		opts TableOptions
		want string
	}{
		{
			name: "empty table prints nothing",
			want: "",
		},
		{
			name: "unicode borders and padding",
			rows: []Row{{ID: 1, Policy: "p", Rule: "r", Resource: "v1/Pod/default/x", Result: "Pass", Reason: "Ok"}},
			want: "" +
				"│────│────────│──────│──────────────────│────────│────────│\n" +
				"│ ID │ POLICY │ RULE │ RESOURCE         │ RESULT │ REASON │\n" +
				"│────│────────│──────│──────────────────│────────│────────│\n" +
				"│ 1  │ p      │ r    │ v1/Pod/default/x │ Pass   │ Ok     │\n" +
				"│────│────────│──────│──────────────────│────────│────────│\n",
		},
		{
			name: "detailed adds MESSAGE",
			rows: []Row{{ID: 7, Policy: "p", Rule: "r", Resource: "x", Result: "Fail", Reason: "Want pass, got fail", Message: "boom", IsFailure: true}},
			opts: TableOptions{Detailed: true},
			want: "" +
				"│────│────────│──────│──────────│────────│─────────────────────│─────────│\n" +
				"│ ID │ POLICY │ RULE │ RESOURCE │ RESULT │ REASON              │ MESSAGE │\n" +
				"│────│────────│──────│──────────│────────│─────────────────────│─────────│\n" +
				"│ 7  │ p      │ r    │ x        │ Fail   │ Want pass, got fail │ boom    │\n" +
				"│────│────────│──────│──────────│────────│─────────────────────│─────────│\n",
		},
		{
			name: "header colour wraps only the padded title",
			rows: []Row{{ID: 1}},
			opts: TableOptions{HeaderColor: true},
			want: "" +
				"│────│────────│──────│──────────│────────│────────│\n" +
				"│ \x1b[40;32mID\x1b[0m │ \x1b[40;32mPOLICY\x1b[0m │ \x1b[40;32mRULE\x1b[0m │ \x1b[40;32mRESOURCE\x1b[0m │ \x1b[40;32mRESULT\x1b[0m │ \x1b[40;32mREASON\x1b[0m │\n" +
				"│────│────────│──────│──────────│────────│────────│\n" +
				"│ 1  │        │      │          │        │        │\n" +
				"│────│────────│──────│──────────│────────│────────│\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RenderTable(tt.rows, tt.opts); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestWrapLongCell(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"budget shrinks by len+2", "aa bb cc dd ee", 8, "aa bb\ncc dd\nee"},
		{"single long word kept", "abcdefghijklmnop q", 5, "abcdefghijklmnop\nq"},
		{"inner newline untouched", "a b\nc d e f g", 3, "a b\nc d e f g"},
		{"trailing newline drops two bytes", "abcdef\n", 3, "abcde"},
		{"trailing newline then wrap", "aa bb cc dd\n", 5, "aa bb\ncc d"},
		{"blank cell", "     ", 2, "     "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wrapLongCell(tt.in, tt.limit); got != tt.want {
				t.Errorf("wrapLongCell(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Pass", 4},
		{"\x1b[32;1mPass\x1b[0;22m", 4},
		{"\x1b[40;32mID\x1b[0m", 2},
		{"a\tb", 2},
		{"中文", 4},
		{"été", 3},
		{"e\u0301", 1},
		{"ｆｕｌｌ", 8},
		{"🚀", 2},
		{"👨\u200d👩\u200d👧", 2},
		{"🇫🇷", 2},
		{"zero\u200bwidth", 9},
	}
	for _, tt := range tests {
		if got := DisplayWidth(tt.in); got != tt.want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
