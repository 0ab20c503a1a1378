package certs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
)

// DefaultPollInterval is how often a FileSource looks for new files.
const DefaultPollInterval = 2 * time.Second

// FileSource serves certificates written by someone else, typically a
// cert-manager Certificate whose Secret is mounted at dir: tls.crt (the
// serving certificate, optionally followed by intermediates), tls.key and
// ca.crt (the bundle for webhook configurations). Run reads the three files
// every PollInterval and loads them when their content changed and they are
// consistent: the key matches, the certificate is current and chains to
// ca.crt. Inconsistent content (a half-written update, a wrong bundle) is
// logged once and not served; the previous pair stays. Reading the content
// rather than modification times also catches the symlink swap that kubelet
// uses to update Secret volumes.
type FileSource struct {
	*publisher
	dir string
	log logr.Logger
	now func() time.Time
	// PollInterval is how often Run reads the files; DefaultPollInterval
	// unless changed before Run (zero or less means the default).
	PollInterval time.Duration
	loaded       [3][]byte // the content last loaded
	lastErr      string    // the error last logged
}

// NewFileSource returns a FileSource for dir, which must be a directory, and
// loads the files in it if they are already there and usable (otherwise Run
// waits for them).
func NewFileSource(dir string, log logr.Logger) (*FileSource, error) {
	if dir == "" {
		return nil, errors.New("certs: no certificate directory given")
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("certs: certificate directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("certs: certificate directory %s is not a directory", dir)
	}
	f := &FileSource{
		publisher:    newPublisher(),
		dir:          dir,
		log:          log.WithValues("dir", dir),
		now:          time.Now,
		PollInterval: DefaultPollInterval,
	}
	f.poll()
	return f, nil
}

// Run reloads the files when they change until ctx ends, then returns nil.
func (f *FileSource) Run(ctx context.Context) error {
	interval := f.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			f.poll()
		}
	}
}

// poll loads the files if they changed since the last load.
func (f *FileSource) poll() {
	var content [3][]byte
	for i, name := range []string{keyServingCert, keyServingKey, keyCACert} {
		data, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			f.report(err)
			return
		}
		content[i] = data
	}
	if f.current() != nil && bytes.Equal(content[0], f.loaded[0]) && bytes.Equal(content[1], f.loaded[1]) && bytes.Equal(content[2], f.loaded[2]) {
		return
	}
	mat := parseMaterial(map[string][]byte{keyServingCert: content[0], keyServingKey: content[1], keyCACert: content[2]})
	if err := mat.servable(f.now()); err != nil {
		f.report(fmt.Errorf("not loading the certificates in %s: %w", f.dir, err))
		return
	}
	f.loaded, f.lastErr = content, ""
	if f.publish(mat.pair, mat.bundlePEM) {
		f.log.Info("serving certificate loaded", "certificate", describe(mat.pair.Leaf))
	}
}

// report logs err unless it is the one logged last.
func (f *FileSource) report(err error) {
	if err.Error() != f.lastErr {
		f.lastErr = err.Error()
		f.log.Error(err, "cannot load the serving certificate; keeping the previous one")
	}
}
