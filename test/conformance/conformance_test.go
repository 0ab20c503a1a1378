// Package conformance runs `kanon test` over the Kyverno conformance corpus
// (../shared/corpus beside the repository, or $KANON_CORPUS) and fails when
// a test directory listed in passing.txt stops passing.
//
// Set KANON_UPDATE_CONFORMANCE=1 to rewrite passing.txt with the directories
// that pass now.
package conformance

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	clitest "github.com/kanon-policy/kanon/internal/cli/test"
)

func corpusDir(t *testing.T) string {
	if dir := os.Getenv("KANON_CORPUS"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		c := filepath.Join(filepath.Dir(d), "shared", "corpus")
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return c
		}
	}
	t.Skip("corpus not found")
	return ""
}

// testDirs lists the corpus directories holding a test file, relative to the corpus.
func testDirs(t *testing.T, corpus string) []string {
	var dirs []string
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (d.Name() == clitest.DefaultFileName || d.Name() == "test.yaml") {
			rel, _ := filepath.Rel(corpus, filepath.Dir(p))
			dirs = append(dirs, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

func readList(t *testing.T, path string) map[string]bool {
	out := map[string]bool{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out[line] = true
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	corpus := corpusDir(t)
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus not found at %s", corpus)
	}
	want := readList(t, "passing.txt")
	var passing []string
	for _, dir := range testDirs(t, corpus) {
		var out bytes.Buffer
		err := clitest.Run(clitest.Options{
			Paths:       []string{filepath.Join(corpus, dir)},
			FileName:    clitest.DefaultFileName,
			RemoveColor: true,
			Stdout:      &out,
			Stderr:      &out,
		})
		if err == nil {
			passing = append(passing, dir)
			continue
		}
		if want[dir] {
			t.Errorf("%s: was passing, now fails: %v\n%s", dir, err, out.String())
		}
	}
	got := map[string]bool{}
	for _, d := range passing {
		got[d] = true
		if !want[d] {
			t.Logf("newly passing (add to passing.txt): %s", d)
		}
	}
	t.Logf("%d of %d corpus test dirs pass", len(passing), len(testDirs(t, corpus)))
	if os.Getenv("KANON_UPDATE_CONFORMANCE") == "1" {
		var b strings.Builder
		b.WriteString("# Corpus test directories that `kanon test` passes; TestConformance fails if one regresses.\n")
		b.WriteString("# Regenerate with: KANON_UPDATE_CONFORMANCE=1 go test ./test/conformance/\n")
		for _, d := range passing {
			b.WriteString(d + "\n")
		}
		if err := os.WriteFile("passing.txt", []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
