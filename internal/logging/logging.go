// Package logging builds the process logger: logr over log/slog, text or
// JSON, with a verbosity level; client-go's klog is routed to it.
package logging

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

// Options configure New.
type Options struct {
	// Format is "text" (default) or "json".
	Format string
	// Verbosity enables V(n) logs up to n.
	Verbosity int
}

// New returns a logger writing to w, and routes klog to it.
func New(w io.Writer, opts Options) (logr.Logger, error) {
	hopts := &slog.HandlerOptions{Level: slog.Level(-opts.Verbosity)}
	var h slog.Handler
	switch opts.Format {
	case "", "text":
		h = slog.NewTextHandler(w, hopts)
	case "json":
		h = slog.NewJSONHandler(w, hopts)
	default:
		return logr.Discard(), fmt.Errorf("--log-format: want text or json, got %q", opts.Format)
	}
	log := logr.FromSlogHandler(h)
	klog.SetLogger(log)
	return log, nil
}
