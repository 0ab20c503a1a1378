package jmespath

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	gojmespath "github.com/kyverno/go-jmespath"
)

// Config customises the environment-dependent functions. The zero value
// gives Kyverno's defaults.
type Config struct {
	// DefaultRegistry is the registry image_normalize adds to references
	// without one. Empty means "docker.io".
	DefaultRegistry string
	// DisableDefaultRegistryMutation makes image_normalize leave the registry
	// out of references that had none (Kyverno's
	// enableDefaultRegistryMutation: false).
	DisableDefaultRegistryMutation bool
	// Now returns the current time for time_now, time_now_utc and time_since.
	// Nil means time.Now.
	Now func() time.Time
	// LookupIP resolves a host name for is_external_url. Nil means the
	// system resolver with a 10 second timeout.
	LookupIP func(ctx context.Context, host string) ([]net.IP, error)
	// RandIntN returns a uniformly random integer in [0, n) for random. Nil
	// means math/rand/v2.IntN. It must be safe for concurrent use.
	RandIntN func(n int) int
}

func (c Config) defaultRegistry() string {
	if c.DefaultRegistry == "" {
		return "docker.io"
	}
	return c.DefaultRegistry
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) lookupIP(host string) ([]net.IP, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c.LookupIP != nil {
		return c.LookupIP(ctx, host)
	}
	return net.DefaultResolver.LookupIP(ctx, "ip", host)
}

func (c Config) randIntN(n int) int {
	if c.RandIntN != nil {
		return c.RandIntN(n)
	}
	return rand.IntN(n)
}

// Env is a set of functions (the JMESPath built-ins plus Kyverno's custom
// functions) bound to a [Config]. An Env is immutable and safe for concurrent
// use; build it once and reuse it.
type Env struct {
	cfg    Config
	caller *gojmespath.FunctionCaller
}

// NewEnv returns the functions configured by cfg.
func NewEnv(cfg Config) *Env {
	e := &Env{cfg: cfg, caller: gojmespath.NewFunctionCaller()}
	for _, f := range functionTable {
		e.caller.Register(f.entry(e))
	}
	return e
}

var defaultEnv = sync.OnceValue(func() *Env { return NewEnv(Config{}) })
