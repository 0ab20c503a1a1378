package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Row is one line of Kyverno's results table. The text fields are final cell
// contents. They may carry styling produced by a [Palette], since Kyverno
// styles cells when it builds rows, not when it prints them.
type Row struct {
	ID        int
	Policy    string
	Rule      string
	Resource  string
	Result    string
	Reason    string
	Message   string
	IsFailure bool
}

// TableOptions control how a results table is rendered.
type TableOptions struct {
	// Detailed adds the MESSAGE column (--detailed-results).
	Detailed bool
	// HeaderColor wraps each header cell in Kyverno's black/green SGR
	// sequence (ColorConfig.Header).
	HeaderColor bool
}

const (
	// cellByteLimit is the byte length above which Kyverno re-wraps a cell.
	cellByteLimit = 300
	// manyRows is the row count above which the ID header becomes "ID (N)".
	manyRows = 10

	tableVertical   = "│"
	tableHorizontal = "─"
)

// PrintTable writes the results table the way Kyverno's table printer does.
// The output always ends with a newline. An empty table prints nothing at
// all: no header and no borders.
func PrintTable(w io.Writer, rows []Row, opts TableOptions) error {
	_, err := io.WriteString(w, RenderTable(rows, opts))
	return err
}

// RenderTable returns the text [PrintTable] writes.
//
// It reproduces the layout of Kyverno's table printer:
//
//	│────│────────│
//	│ ID │ POLICY │ ...
//	│────│────────│
//	│ 1  │ p      │ ...
//	│────│────────│
//
// Every border and separator line is "│" plus, per column, a run of "─" two
// longer than the column's width, each run closed by "│". All cells are
// left-aligned and padded with one space on each side. A column is as wide
// as its widest line, measured with [DisplayWidth], or its header, whichever
// is wider. A cell containing "\n" spans several physical lines. Cells
// longer than 300 bytes are re-wrapped first (see wrapLongCell). With more
// than 10 rows the ID header reads "ID (N)". Its column is then sized for
// the raw header text "id (N) ", which includes a trailing space.
func RenderTable(rows []Row, opts TableOptions) string {
	if len(rows) == 0 {
		return ""
	}
	headers := []string{"id", "policy", "rule", "resource", "result", "reason"}
	if opts.Detailed {
		headers = append(headers, "message")
	}
	if len(rows) > manyRows {
		headers[0] = fmt.Sprintf("%s (%d) ", headers[0], len(rows))
	}
	ncols := len(headers)
	widths := make([]int, ncols)
	for i, h := range headers {
		widths[i] = maxLineWidth(strings.Split(h, "\n"))
	}

	cells := make([][][]string, len(rows)) // row -> column -> lines
	heights := make([]int, len(rows))
	for r, row := range rows {
		values := []string{strconv.Itoa(row.ID), row.Policy, row.Rule, row.Resource, row.Result, row.Reason}
		if opts.Detailed {
			values = append(values, row.Message)
		}
		cells[r] = make([][]string, ncols)
		for c, v := range values {
			if len(v) > cellByteLimit {
				v = wrapLongCell(v, cellByteLimit)
			}
			lines := strings.Split(v, "\n")
			cells[r][c] = lines
			if lw := maxLineWidth(lines); lw > widths[c] {
				widths[c] = lw
			}
			if len(lines) > heights[r] {
				heights[r] = len(lines)
			}
		}
	}

	var b strings.Builder
	separator := separatorLine(widths)
	b.WriteString(separator)
	b.WriteString(tableVertical)
	for c, h := range headers {
		title := padRight(strings.ToUpper(strings.TrimSpace(h)), widths[c])
		if opts.HeaderColor {
			title = sgrHeader + title + sgrHeaderReset
		}
		b.WriteString(" " + title + " " + tableVertical)
	}
	b.WriteString("\n")
	b.WriteString(separator)
	for r := range rows {
		for line := 0; line < heights[r]; line++ {
			for c := 0; c < ncols; c++ {
				text := ""
				if line < len(cells[r][c]) {
					text = cells[r][c][line]
				}
				b.WriteString(tableVertical + " " + padRight(text, widths[c]) + " ")
			}
			b.WriteString(tableVertical + "\n")
		}
	}
	b.WriteString(separator)
	return b.String()
}

func separatorLine(widths []int) string {
	var b strings.Builder
	b.WriteString(tableVertical)
	for _, w := range widths {
		b.WriteString(strings.Repeat(tableHorizontal, w+2))
		b.WriteString(tableVertical)
	}
	b.WriteString("\n")
	return b.String()
}

func maxLineWidth(lines []string) int {
	m := 0
	for _, l := range lines {
		if w := DisplayWidth(l); w > m {
			m = w
		}
	}
	return m
}

func padRight(s string, width int) string {
	if gap := width - DisplayWidth(s); gap > 0 {
		return s + strings.Repeat(" ", gap)
	}
	return s
}

// wrapLongCell reproduces how Kyverno's table printer shortens cells longer
// than the byte limit. All lengths are in bytes, escape sequences included.
//
// A cell that contains a newline is left as it is. The one exception is a
// trailing newline: the last two bytes are cut off, and if the result is
// still over the limit it goes through the same procedure again.
//
// A cell without newlines is split into words. Words are joined greedily
// with a single space while len(word)+1 fits the remaining budget, and the
// budget then shrinks by len(word)+2. Otherwise the word starts a new line
// and the budget resets to limit-len(word). The first word of the cell
// consumes only its own length.
func wrapLongCell(cell string, limit int) string {
	if strings.Contains(cell, "\n") {
		if strings.HasSuffix(cell, "\n") {
			cell = cell[:len(cell)-2]
			if len(cell) > limit {
				return wrapLongCell(cell, limit)
			}
		}
		return cell
	}
	words := strings.Fields(strings.TrimSpace(cell))
	if len(words) == 0 {
		return cell
	}
	var b strings.Builder
	b.WriteString(words[0])
	remaining := limit - len(words[0])
	for _, word := range words[1:] {
		if len(word)+1 <= remaining {
			b.WriteString(" " + word)
			remaining -= len(word) + 2
			continue
		}
		b.WriteString("\n" + word)
		remaining = limit - len(word)
	}
	return b.String()
}
