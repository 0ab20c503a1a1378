package test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// legacyFileName is the older test file name, still run by default.
const legacyFileName = "test.yaml"

// discover finds test files under the given paths: a file is taken as is, a
// directory is walked for files named fileName (and the legacy test.yaml
// when fileName is the default).
func discover(paths []string, fileName string, legacy bool) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			if name := d.Name(); name == fileName || (legacy && name == legacyFileName) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}
