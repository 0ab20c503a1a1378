// Package report renders the human and machine output of `kanon test` and
// `kanon apply` byte for byte like Kyverno v1.19's CLI.
//
// The package is a set of writers; it never decides which policies pass. The
// commands match engine results to expectations and build [Row] values. This
// package then prints them the way Kyverno does:
//
//   - [PrintTable] / [RenderTable]: the bordered results table. Columns are ID,
//     POLICY, RULE, RESOURCE, RESULT and REASON, plus MESSAGE in detailed mode.
//     Kyverno prints this table with a reflection-based table printer. Its
//     quirks are reproduced: `│────│` separator lines, an "ID (N)" header for
//     more than 10 rows, 300-byte cell wrapping, and nothing printed for an
//     empty table.
//   - [Palette]: the ANSI styling Kyverno puts inside cells (bold cyan
//     policy/rule/resource segments, bold green Pass, and so on).
//     [ColorConfig] holds the two colour decisions Kyverno makes independently.
//     Nothing here reads fatih/color's global NoColor; callers pass colour
//     decisions in explicitly (see [DetectColors]).
//   - [TestReporter] and the Write* helpers for `kanon test`: progress lines,
//     the per-test table, the -o json|yaml|markdown|junit outputs, the summary
//     line and the --fail-only aggregate.
//   - The Apply* helpers for `kanon apply`: the "Applying N policy rule(s)"
//     line, the per-failure blocks, the summary line, the skipped/invalid
//     policy blocks, the exit-code rules, and the -p policy-report documents
//     ([WritePolicyReports]).
//
// KYVERNO_OUTPUT.md in this directory is the written specification of
// Kyverno's behaviour that this package and the commands implement. It cites
// the Kyverno source file behind each fact.
package report
