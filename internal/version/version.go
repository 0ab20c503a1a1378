// Package version describes this build of kanon: the release, commit and
// build date stamped at link time (see LDFlags and the Makefile's LDFLAGS),
// plus the Go version and platform it was built for.
//
// Builds that were not stamped (go install, go run) fall back to what the
// Go toolchain recorded in the binary: the module version and, when built
// from a git checkout, the VCS revision and commit time.
package version

import (
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped at link time with -ldflags "-X <this package>.Version=...";
// LDFlags builds those flags.
var (
	// Version is the release or `git describe` of this build.
	Version = "dev"
	// Commit is the full git commit the build was made from.
	Commit = ""
	// Date is the build date (RFC 3339, UTC). Reproducible builds use the
	// commit time or SOURCE_DATE_EPOCH, never the wall clock.
	Date = ""
)

// BuildInfo is what `kanon version` prints.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildDate string `json:"buildDate"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Info returns the stamped values, completed from the Go build information
// where a value was not stamped.
func Info() BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return resolve(Version, Commit, Date, bi)
}

func resolve(ver, commit, date string, bi *debug.BuildInfo) BuildInfo {
	info := BuildInfo{
		Version:   ver,
		Commit:    commit,
		BuildDate: date,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi == nil {
		return info
	}
	if info.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if info.Commit == "" {
				info.Commit = s.Value
			}
		case "vcs.time":
			if info.BuildDate == "" {
				info.BuildDate = s.Value
			}
		case "GOARM":
			// "7" or "7,softfloat": the platform variant is v7.
			if runtime.GOARCH == "arm" {
				v, _, _ := strings.Cut(s.Value, ",")
				info.Platform += "/v" + v
			}
		}
	}
	return info
}

// LDFlags returns the -X linker flags that stamp version, commit and date
// into a kanon binary. The values must not contain white space.
func LDFlags(version, commit, date string) (string, error) {
	pkg := reflect.TypeFor[BuildInfo]().PkgPath()
	var flags []string
	for _, kv := range [][2]string{{"Version", version}, {"Commit", commit}, {"Date", date}} {
		if kv[1] == "" || strings.ContainsAny(kv[1], " \t\r\n'\"") {
			return "", fmt.Errorf("version stamp %s=%q: must be non-empty, without spaces or quotes", kv[0], kv[1])
		}
		flags = append(flags, fmt.Sprintf("-X %s.%s=%s", pkg, kv[0], kv[1]))
	}
	return strings.Join(flags, " "), nil
}
