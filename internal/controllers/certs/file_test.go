package certs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
)

func TestNewFileSourceErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tls.crt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"no directory", "", "no certificate directory given"},
		{"missing", filepath.Join(t.TempDir(), "missing"), "no such file or directory"},
		{"a file", file, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewFileSource(tt.dir, logr.Discard()); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// volume writes certificate files the way kubelet updates a Secret volume:
// a new timestamped directory, then an atomic swap of the ..data symlink.
type volume struct {
	t   *testing.T
	dir string
	n   int
}

func (v *volume) write(files map[string][]byte) {
	v.t.Helper()
	v.n++
	gen := "..gen" + string(rune('a'+v.n))
	if err := os.Mkdir(filepath.Join(v.dir, gen), 0o700); err != nil {
		v.t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(v.dir, gen, name), data, 0o600); err != nil {
			v.t.Fatal(err)
		}
		link := filepath.Join(v.dir, name)
		if _, err := os.Lstat(link); os.IsNotExist(err) {
			if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
				v.t.Fatal(err)
			}
		}
	}
	tmp := filepath.Join(v.dir, "..data_tmp")
	if err := os.Symlink(gen, tmp); err != nil {
		v.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(v.dir, "..data")); err != nil {
		v.t.Fatal(err)
	}
}

// pairFiles issues a CA and a serving pair valid now.
func pairFiles(t *testing.T) (files map[string][]byte, serving *issued) {
	t.Helper()
	ca, err := newCA(ECDSA, time.Now(), 365*day)
	if err != nil {
		t.Fatal(err)
	}
	serving, err = newServing(ECDSA, time.Now(), 150*day, ca.cert, ca.key, sans{dns: []string{servingName}})
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"tls.crt": serving.certPEM, "tls.key": serving.keyPEM, "ca.crt": ca.certPEM}, serving
}

func TestFileSource(t *testing.T) {
	v := &volume{t: t, dir: t.TempDir()}
	var log logs
	src, err := NewFileSource(v.dir, log.logger())
	if err != nil {
		t.Fatal(err)
	}
	src.PollInterval = 5 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() {
		if err := src.Run(ctx); err != nil {
			t.Error(err)
		}
	})

	// The files appear after start.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := src.WaitReady(short); err == nil {
		t.Fatal("ready without files")
	}
	files, first := pairFiles(t)
	changed := src.Changed()
	v.write(files)
	if err := src.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	<-changed
	trusts(t, src.CABundle(), src.current(), time.Now())

	// cert-manager renews with a new CA.
	changed = src.Changed()
	files, second := pairFiles(t)
	v.write(files)
	select {
	case <-changed:
	case <-ctx.Done():
		t.Fatal("Changed not closed after the files changed")
	}
	waitFor(ctx, t, func() bool { return src.current().Leaf.Equal(second.cert) })
	trusts(t, src.CABundle(), src.current(), time.Now())

	// A key that does not match is not served, and said once.
	_, other := pairFiles(t)
	files["tls.key"] = other.keyPEM
	v.write(files)
	waitFor(ctx, t, func() bool { return strings.Contains(log.String(), "private key does not match public key") })
	time.Sleep(50 * time.Millisecond)
	if !src.current().Leaf.Equal(second.cert) {
		t.Fatal("an inconsistent pair replaced the served one")
	}
	if n := strings.Count(log.String(), "private key does not match public key"); n != 1 {
		t.Errorf("error logged %d times", n)
	}
	if src.current().Leaf.Equal(first.cert) {
		t.Fatal("went back to the first pair")
	}
}

func TestFileSourceRejectsForeignCA(t *testing.T) {
	dir := t.TempDir()
	files, _ := pairFiles(t)
	otherFiles, _ := pairFiles(t)
	files["ca.crt"] = otherFiles["ca.crt"]
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var log logs
	src, err := NewFileSource(dir, log.logger())
	if err != nil {
		t.Fatal(err)
	}
	if src.current() != nil || !strings.Contains(log.String(), "does not chain to the CA bundle") {
		t.Fatalf("a pair not trusted by ca.crt was loaded; log:\n%s", log.String())
	}
}

func waitFor(ctx context.Context, t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		if ctx.Err() != nil {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
