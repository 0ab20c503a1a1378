// Package version holds the build's version, stamped at link time with
// -ldflags "-X github.com/kanon-policy/kanon/internal/version.Version=...".
package version

// Version is the release or git description of this build.
var Version = "dev"
