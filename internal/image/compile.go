package image

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/kanon-policy/kanon/internal/version"
)

// DefaultPlatforms are the platforms Kanon's image is built for: amd64
// cloud nodes, arm64 and 32-bit ARMv7 boards.
func DefaultPlatforms() []v1.Platform {
	return []v1.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
	}
}

// ParsePlatform parses os/arch[/variant], e.g. linux/arm/v7.
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch or os/arch/variant", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	if _, err := goEnv(p); err != nil {
		return v1.Platform{}, err
	}
	return p, nil
}

// CompileOptions configures Compile.
type CompileOptions struct {
	// Dir is the module root, where `go build` runs.
	Dir string
	// Package is the main package to build, e.g. "./cmd/kanon".
	Package string
	// OutDir receives one directory per platform (linux-arm-v7/kanon).
	OutDir    string
	Platforms []v1.Platform
	// Version, Commit and Date are stamped into the binaries (see
	// version.LDFlags).
	Version, Commit, Date string
	// Go is the go command; "go" when empty.
	Go string
	// Reuse keeps a binary already in OutDir if it was built from the same
	// inputs (Go version, platform, flags, commit). Only set it when the
	// source tree is clean, i.e. the commit describes the sources.
	Reuse bool
}

// Compile cross-builds static binaries (CGO_ENABLED=0, -trimpath, stripped,
// stamped) for each platform, concurrently, and returns them in platform
// order. Builds are reproducible: the same sources, Go version and stamp give
// the same bytes, wherever the checkout is.
func Compile(ctx context.Context, opts CompileOptions) ([]Binary, error) {
	ldflags, err := version.LDFlags(opts.Version, opts.Commit, opts.Date)
	if err != nil {
		return nil, err
	}
	ldflags = "-s -w " + ldflags
	goCmd := opts.Go
	if goCmd == "" {
		goCmd = "go"
	}
	goVersion, err := run(ctx, opts.Dir, nil, goCmd, "env", "GOVERSION")
	if err != nil {
		return nil, err
	}
	bins := make([]Binary, len(opts.Platforms))
	errs := make([]error, len(opts.Platforms))
	var wg sync.WaitGroup
	for i, p := range opts.Platforms {
		wg.Go(func() {
			data, err := compileOne(ctx, opts, goCmd, strings.TrimSpace(goVersion), ldflags, p)
			bins[i], errs[i] = Binary{Platform: p, Data: data}, err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("building %s for %s: %w", opts.Package, PlatformString(opts.Platforms[i]), err)
		}
	}
	return bins, nil
}

func compileOne(ctx context.Context, opts CompileOptions, goCmd, goVersion, ldflags string, p v1.Platform) ([]byte, error) {
	env, err := goEnv(p)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(opts.OutDir, strings.ReplaceAll(PlatformString(p), "/", "-"))
	out := filepath.Join(dir, "kanon")
	inputsFile := out + ".inputs"
	args := []string{"build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, opts.Package}
	inputs := fmt.Sprintf("%s\n%s\n%s\ncommit %s\n", goVersion, strings.Join(env, " "), strings.Join(args, " "), opts.Commit)
	if opts.Reuse {
		if prev, err := os.ReadFile(inputsFile); err == nil && string(prev) == inputs {
			if data, err := os.ReadFile(out); err == nil {
				return data, nil
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// A stale record must not vouch for the binary being rebuilt.
	if err := os.Remove(inputsFile); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if _, err := run(ctx, opts.Dir, env, goCmd, args...); err != nil {
		return nil, err
	}
	if opts.Reuse {
		if err := os.WriteFile(inputsFile, []byte(inputs), 0o644); err != nil {
			return nil, err
		}
	}
	return os.ReadFile(out)
}

// goEnv returns the environment that pins a build to p. Unset variables
// would be taken from the host (GOAMD64=v3 on one machine, v1 on another),
// so every one that changes code generation is set.
func goEnv(p v1.Platform) ([]string, error) {
	env := []string{"CGO_ENABLED=0", "GOOS=" + p.OS, "GOARCH=" + p.Architecture, "GOFLAGS=-mod=readonly"}
	switch {
	case p.OS != "linux":
		return nil, fmt.Errorf("platform %s: only linux images are built", PlatformString(p))
	case p.Architecture == "amd64" && (p.Variant == "" || p.Variant == "v1" || p.Variant == "v2" || p.Variant == "v3" || p.Variant == "v4"):
		level := p.Variant
		if level == "" {
			level = "v1"
		}
		env = append(env, "GOAMD64="+level)
	case p.Architecture == "arm64" && (p.Variant == "" || p.Variant == "v8"):
		env = append(env, "GOARM64=v8.0")
	case p.Architecture == "arm" && (p.Variant == "v6" || p.Variant == "v7"):
		env = append(env, "GOARM="+strings.TrimPrefix(p.Variant, "v"))
	case p.Architecture == "arm" && p.Variant == "":
		return nil, fmt.Errorf("platform %s: arm needs a variant, v6 or v7 (linux/arm/v7)", PlatformString(p))
	default:
		return nil, fmt.Errorf("platform %s: not supported (amd64, arm64, arm/v6, arm/v7)", PlatformString(p))
	}
	return env, nil
}

func run(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
