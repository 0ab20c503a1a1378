package report

import "fmt"

// REASON texts of `kyverno test` rows that are not styled. The styled ones
// come from [Palette.Excluded], [Palette.NotFound] and
// [Palette.InvalidPolicy].
const (
	ReasonOk            = "Ok"
	ReasonResourceDiff  = "Resource diff"
	ReasonResourceError = "Resource error"
)

// ReasonMismatch is the REASON of a result whose computed status differs
// from the expected one: "Want <expected>, got <actual>".
func ReasonMismatch(expected, actual string) string {
	return fmt.Sprintf("Want %s, got %s", expected, actual)
}

// TestRows builds the rows of one test file the way Kyverno's printTestResult
// does. IDs run from 1 in creation order, and each row is exactly one test in
// the summary. Use a new TestRows for every test file: Kyverno restarts IDs
// at 1 for each one.
type TestRows struct {
	Palette Palette
	rows    []Row
}

// Rows returns the rows built so far.
func (t *TestRows) Rows() []Row { return t.rows }

func (t *TestRows) add(row Row) {
	row.ID = len(t.rows) + 1
	t.rows = append(t.rows, row)
}

// Checked adds the row of one rule response compared with an expectation.
// policy is the test result's `policy` field as written (it may be
// "ns/name"). rule is the name of the engine's rule response, so an autogen
// match shows "autogen-<rule>". resourceKey is the resource's
// "apiVersion,kind,namespace,name" key, or a generated resource's bare name.
// ok, reason and message are the outcome of the comparison. reason is one
// of ReasonOk, ReasonMismatch(...), ReasonResourceDiff or
// ReasonResourceError; message is the result's message or the diff/error
// text.
func (t *TestRows) Checked(policy, rule, resourceKey string, ok bool, reason, message string) {
	result := t.Palette.Pass()
	if !ok {
		result = t.Palette.Fail()
	}
	t.add(Row{
		Policy:    t.Palette.Policy("", policy),
		Rule:      t.Palette.Rule(rule),
		Resource:  t.Palette.TestResource(resourceKey),
		Result:    result,
		Reason:    reason,
		Message:   message,
		IsFailure: !ok,
	})
}

// Excluded adds the row for a resource that has an engine response for the
// policy but produced no rows (no rule matched). It is a pass, whatever the
// expected result. rule is the test result's `rule` field.
func (t *TestRows) Excluded(policy, rule, resourceKey string) {
	t.add(Row{
		Policy:   t.Palette.Policy("", policy),
		Rule:     t.Palette.Rule(rule),
		Resource: t.Palette.TestResource(resourceKey),
		Result:   t.Palette.Pass(),
		Reason:   t.Palette.Excluded(),
		Message:  t.Palette.Excluded(),
	})
}

// NotFound adds the failing row for a resource for which nothing was found
// to compare.
func (t *TestRows) NotFound(policy, rule, resourceKey string) {
	t.add(Row{
		Policy:    t.Palette.Policy("", policy),
		Rule:      t.Palette.Rule(rule),
		Resource:  t.Palette.TestResource(resourceKey),
		Result:    t.Palette.Fail(),
		Reason:    t.Palette.NotFound(),
		Message:   t.Palette.NotFound(),
		IsFailure: true,
	})
}

// InvalidPolicy adds the row used instead of NotFound when the policy was
// dropped by policy validation. RESULT is "Skip" and the row counts as a
// pass. message is the validation error; it is not styled.
func (t *TestRows) InvalidPolicy(policy, rule, resourceKey, message string) {
	t.add(Row{
		Policy:   t.Palette.Policy("", policy),
		Rule:     t.Palette.Rule(rule),
		Resource: t.Palette.TestResource(resourceKey),
		Result:   t.Palette.Skip(),
		Reason:   t.Palette.InvalidPolicy(),
		Message:  message,
	})
}
