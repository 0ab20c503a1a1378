// Package controlplane starts a real kube-apiserver and etcd on this machine
// (no kubelet, scheduler or controller-manager) for the playground and for
// tests that must run against a real API server. The binaries are built from
// Go modules by hack/controlplane/build.sh into a versioned cache directory;
// controller-runtime's envtest starts and stops them.
package controlplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Version is the Kubernetes version hack/controlplane/build.sh builds.
const Version = "1.37.2"

// Options configure Start.
type Options struct {
	// AssetsDir holds the kube-apiserver and etcd binaries; empty means
	// DefaultAssetsDir.
	AssetsDir string
	// CRDs are installed before Start returns.
	CRDs []*apiextv1.CustomResourceDefinition
	// Dir is where the admin kubeconfig is written; empty means a new
	// temporary directory, removed by Stop.
	Dir string
	// Output, when set, receives the control plane's own logs.
	Output bool
}

// ControlPlane is a running kube-apiserver + etcd.
type ControlPlane struct {
	// Config is an admin (system:masters) client configuration.
	Config *rest.Config
	// Kubeconfig is the path of a kubeconfig file for the same admin user.
	Kubeconfig string

	env     *envtest.Environment
	dir     string
	ownsDir bool
}

// DefaultAssetsDir is where the binaries are looked for: KUBEBUILDER_ASSETS
// when set, else the cache directory hack/controlplane/build.sh fills.
func DefaultAssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "kanon", "controlplane-"+Version)
}

// ErrNoBinaries means the control-plane binaries are missing.
var ErrNoBinaries = errors.New("control-plane binaries not found")

// CheckAssets reports whether dir holds both binaries, with an error that
// says how to build them.
func CheckAssets(dir string) error {
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
			return fmt.Errorf("%w: %s missing in %s; build them with hack/controlplane/build.sh (or set KUBEBUILDER_ASSETS)", ErrNoBinaries, name, dir)
		}
	}
	return nil
}

// Start starts etcd and kube-apiserver, installs the CRDs and writes an
// admin kubeconfig. It returns when the API server is ready.
func Start(ctx context.Context, opts Options) (*ControlPlane, error) {
	assets := opts.AssetsDir
	if assets == "" {
		assets = DefaultAssetsDir()
	}
	if err := CheckAssets(assets); err != nil {
		return nil, err
	}
	cp := &ControlPlane{dir: opts.Dir}
	if cp.dir == "" {
		d, err := os.MkdirTemp("", "kanon-controlplane-")
		if err != nil {
			return nil, err
		}
		cp.dir, cp.ownsDir = d, true
	} else if err := os.MkdirAll(cp.dir, 0o755); err != nil {
		return nil, err
	}
	cp.env = &envtest.Environment{
		BinaryAssetsDirectory:    assets,
		CRDs:                     opts.CRDs,
		ErrorIfCRDPathMissing:    true,
		ControlPlaneStartTimeout: 90 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
		AttachControlPlaneOutput: opts.Output,
	}
	// Controller-runtime reads these from the environment too; make the
	// choice explicit so a stray USE_EXISTING_CLUSTER cannot redirect tests.
	existing := false
	cp.env.UseExistingCluster = &existing
	cfg, err := cp.env.Start()
	if err != nil {
		cp.cleanup()
		return nil, fmt.Errorf("starting kube-apiserver and etcd from %s: %w", assets, err)
	}
	cp.Config = cfg
	user, err := cp.env.AddUser(envtest.User{Name: "kanon-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("creating the admin user: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		_ = cp.Stop()
		return nil, err
	}
	cp.Kubeconfig = filepath.Join(cp.dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, kubeconfig, 0o600); err != nil {
		_ = cp.Stop()
		return nil, err
	}
	return cp, nil
}

// AddUser returns a client configuration for another user (for RBAC tests).
func (c *ControlPlane) AddUser(name string, groups ...string) (*rest.Config, error) {
	user, err := c.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return nil, err
	}
	return user.Config(), nil
}

// Stop stops the API server and etcd and removes temporary files.
func (c *ControlPlane) Stop() error {
	err := c.env.Stop()
	c.cleanup()
	return err
}

func (c *ControlPlane) cleanup() {
	if c.ownsDir {
		_ = os.RemoveAll(c.dir)
	}
}
