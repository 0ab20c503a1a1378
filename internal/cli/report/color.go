package report

import (
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
)

// SGR sequences, byte-identical to what Kyverno prints.
//
// Cell styles are fatih/color Colors built as New(Fg...).Add(Bold). Such a
// colour opens with "ESC[<fg>;1m" and closes with "ESC[0;22m": the reset of
// a foreground colour is 0 and the reset of bold is 22. The table header
// uses the table writer's own colouring: background black (40) and
// foreground green (32), closed with "ESC[0m".
const (
	sgrBoldGreen  = "\x1b[32;1m"
	sgrBoldRed    = "\x1b[31;1m"
	sgrBoldYellow = "\x1b[33;1m"
	sgrBoldCyan   = "\x1b[36;1m"
	sgrCellReset  = "\x1b[0;22m"

	sgrHeader      = "\x1b[40;32m"
	sgrHeaderReset = "\x1b[0m"
)

// ColorConfig holds the two colour decisions Kyverno makes. They are
// independent of each other.
//
// Cells: the styling inside table cells (policy, rule, resource, result and
// the yellow Excluded / Not found / Invalid Policy markers). Kyverno uses
// fatih/color here. That library styles only when --remove-color is unset,
// NO_COLOR is empty, TERM is not "dumb" and the process's stdout is a
// terminal.
//
// Header: the black-background, green header cells of the table. Kyverno
// turns these on whenever --remove-color is unset, even when stdout is a pipe
// or a file.
type ColorConfig struct {
	Cells  bool
	Header bool
}

// NoColor is the configuration for --remove-color and for any -o output
// format. Kyverno's `test -o ...` forces --remove-color.
var NoColor = ColorConfig{}

// DetectColors returns Kyverno's colour decisions for a command. The
// arguments are the --remove-color flag, an environment lookup (os.Getenv in
// production) and whether the process's stdout is a terminal (see
// [StdoutIsTerminal]). Kyverno checks os.Stdout, not the writer it prints to.
func DetectColors(removeColor bool, getenv func(string) string, stdoutIsTerminal bool) ColorConfig {
	if removeColor {
		return NoColor
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	cells := getenv("NO_COLOR") == "" && getenv("TERM") != "dumb" && stdoutIsTerminal
	return ColorConfig{Cells: cells, Header: true}
}

// StdoutIsTerminal reports whether os.Stdout is a terminal (or a Cygwin
// pty), the test fatih/color uses.
func StdoutIsTerminal() bool {
	if os.Stdout == nil {
		return false
	}
	fd := os.Stdout.Fd()
	return isatty.IsTerminal(fd) || isatty.IsCygwinTerminal(fd)
}

// Palette builds cell text the way Kyverno's output/color package does.
// Build rows with a Palette whose Enabled field is ColorConfig.Cells. When
// Enabled is false every method returns plain text.
type Palette struct {
	Enabled bool
}

// NewPalette returns the cell palette for a colour configuration.
func NewPalette(c ColorConfig) Palette { return Palette{Enabled: c.Cells} }

func (p Palette) wrap(seq, s string) string {
	if !p.Enabled {
		return s
	}
	// fatih/color wraps even the empty string.
	return seq + s + sgrCellReset
}

func (p Palette) cyan(s string) string { return p.wrap(sgrBoldCyan, s) }

// Policy formats a POLICY cell. If name contains "/", Kyverno splits it: the
// first segment becomes the namespace and the second the name, and any
// further segments are dropped. Namespace and name are styled separately
// around a plain "/".
func (p Palette) Policy(namespace, name string) string {
	if strings.Contains(name, "/") {
		parts := strings.Split(name, "/")
		namespace, name = parts[0], parts[1]
	}
	if namespace == "" {
		return p.cyan(name)
	}
	return p.cyan(namespace) + "/" + p.cyan(name)
}

// Rule formats a RULE cell (bold cyan, even when empty).
func (p Palette) Rule(name string) string { return p.cyan(name) }

// Resource formats a RESOURCE cell from its parts: "namespace/kind/name", or
// "kind/name" when the namespace is empty. If name contains "/", its first
// segment replaces the namespace and its second becomes the name. `kyverno
// apply -t` uses this form with the resource's kind, namespace and name.
func (p Palette) Resource(kind, namespace, name string) string {
	if strings.Contains(name, "/") {
		parts := strings.Split(name, "/")
		namespace, name = parts[0], parts[1]
	}
	if namespace == "" {
		return p.cyan(kind) + "/" + p.cyan(name)
	}
	return p.cyan(namespace) + "/" + p.cyan(kind) + "/" + p.cyan(name)
}

// TestResource formats the RESOURCE cell of a `kyverno test` row from a
// resource key. Kyverno replaces every "," of the key with "/". The last
// "/"-segment is the name and everything before it is styled as the "kind".
// So "v1,Pod,default,nginx" shows as "v1/Pod/default/nginx", and a
// cluster-scoped "v1,Namespace,,prod" as "v1/Namespace//prod". A generated
// resource's bare name "cm" shows as "/cm". See [ResourceKey].
func (p Palette) TestResource(key string) string {
	parts := strings.Split(strings.ReplaceAll(key, ",", "/"), "/")
	return p.Resource(strings.Join(parts[:len(parts)-1], "/"), "", parts[len(parts)-1])
}

// ResourceKey returns the key Kyverno's test command gives a loaded resource:
// "apiVersion,kind,namespace,name".
func ResourceKey(apiVersion, kind, namespace, name string) string {
	return apiVersion + "," + kind + "," + namespace + "," + name
}

// Pass is the bold green "Pass" RESULT.
func (p Palette) Pass() string { return p.wrap(sgrBoldGreen, "Pass") }

// Fail is the bold red "Fail" RESULT.
func (p Palette) Fail() string { return p.wrap(sgrBoldRed, "Fail") }

// Warn is the bold yellow "Warn" RESULT (apply -t only).
func (p Palette) Warn() string { return p.wrap(sgrBoldYellow, "Warn") }

// Error is the bold red "Error" RESULT (apply -t only).
func (p Palette) Error() string { return p.wrap(sgrBoldRed, "Error") }

// Skip is the bold cyan "Skip" RESULT. `kyverno test` uses it for rows of
// invalid policies; `kyverno apply -t` uses it for skipped rules.
func (p Palette) Skip() string { return p.wrap(sgrBoldCyan, "Skip") }

// Excluded is the bold yellow "Excluded" REASON (also used as MESSAGE).
func (p Palette) Excluded() string { return p.wrap(sgrBoldYellow, "Excluded") }

// NotFound is the bold yellow "Not found" REASON (also used as MESSAGE).
func (p Palette) NotFound() string { return p.wrap(sgrBoldYellow, "Not found") }

// InvalidPolicy is the bold yellow "Invalid Policy" REASON.
func (p Palette) InvalidPolicy() string { return p.wrap(sgrBoldYellow, "Invalid Policy") }

// Result maps an engine status (pass, fail, warn, error, skip) to its styled
// RESULT cell, as `kyverno apply -t` shows it. Any other status gives "".
func (p Palette) Result(status string) string {
	switch status {
	case "pass":
		return p.Pass()
	case "fail":
		return p.Fail()
	case "warn":
		return p.Warn()
	case "error":
		return p.Error()
	case "skip":
		return p.Skip()
	}
	return ""
}

// IsTerminal reports whether w is a terminal. Kanon colours only terminal
// output: unlike Kyverno it also leaves the table header plain when piped.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
