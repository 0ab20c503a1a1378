// Package playground runs Kanon against a real kube-apiserver and etcd on
// this machine: it starts the control plane, installs the CRDs, runs the
// admission controller wired to it, and hands the user a kubeconfig, so
// policies can be tried with kubectl without a cluster.
package playground

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/config/crds"
	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/kanon-policy/kanon/internal/controlplane"
	"github.com/kanon-policy/kanon/internal/serve"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Namespace is where Kanon keeps its Secret, Lease and ConfigMap.
const Namespace = "kanon"

// Options configure Run.
type Options struct {
	// AssetsDir holds kube-apiserver and etcd (default: the build cache).
	AssetsDir string
	// Dir receives the kubeconfig; empty means a temporary directory.
	Dir string
	// Address is where Kanon listens; default 127.0.0.1:0 (a free port).
	Address string
	// Out receives the KUBECONFIG line and the instructions.
	Out     io.Writer
	Version string
	Log     logr.Logger
	// Ready, when set, receives the kubeconfig path once everything serves.
	Ready chan<- string
}

// Run starts everything, prints KUBECONFIG=<path>, and stops everything
// when ctx ends.
func Run(ctx context.Context, opts Options) error {
	objs, err := crds.Objects()
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.Out, "starting kube-apiserver and etcd ...")
	cp, err := controlplane.Start(ctx, controlplane.Options{AssetsDir: opts.AssetsDir, CRDs: objs, Dir: opts.Dir})
	if err != nil {
		return err
	}
	defer func() {
		if err := cp.Stop(); err != nil {
			opts.Log.Error(err, "stopping the control plane")
		}
	}()
	client, err := kubernetes.NewForConfig(cp.Config)
	if err != nil {
		return err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	addr := opts.Address
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(serveCtx, serve.Options{
			RESTConfig:  cp.Config,
			Namespace:   Namespace,
			ServiceName: "kanon-svc",
			WebhookURL:  fmt.Sprintf("https://127.0.0.1:%d", port),
			Listener:    ln,
			CertIPs:     []net.IP{net.ParseIP("127.0.0.1")},
			LeaderElect: false,
			Version:     opts.Version,
			Log:         opts.Log,
		})
	}()
	// Ready when the policy-validation webhook is registered: from then on
	// kubectl apply of a policy goes through Kanon.
	for {
		_, err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, webhookconfig.PolicyValidatingName, metav1.GetOptions{})
		if err == nil {
			break
		}
		select {
		case err := <-done:
			if err == nil {
				err = errors.New("kanon serve stopped")
			}
			return err
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
	fmt.Fprintf(opts.Out, "\nKUBECONFIG=%s\n\n", cp.Kubeconfig)
	fmt.Fprintf(opts.Out, "Kanon is serving admission webhooks on 127.0.0.1:%d for the API server at %s.\n", port, cp.Config.Host)
	fmt.Fprintf(opts.Out, "In another shell:\n  export KUBECONFIG=%s\n  kubectl apply -f <policy.yaml>\n", cp.Kubeconfig)
	fmt.Fprintln(opts.Out, "There is no kubelet: Pods stay Pending, but every admission decision is real.")
	fmt.Fprintln(opts.Out, "Press Ctrl-C to stop.")
	if opts.Ready != nil {
		opts.Ready <- cp.Kubeconfig
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(opts.Out, "stopping ...")
		stopServe()
		<-done
		return nil
	case err := <-done:
		if err == nil {
			err = errors.New("kanon serve stopped")
		}
		return err
	}
}
