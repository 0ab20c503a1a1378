// Package cleanup implements `kanon cleanup webhooks`: the Helm chart's
// pre-delete hook. It scales the admission controller to zero, waits until
// its Pods are gone (so no replica can write the configurations again), and
// deletes the webhook configurations kanon serve manages. Without it an
// uninstall would leave Fail webhooks pointing at a deleted Service, and the
// API server would reject every request they match.
package cleanup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/kanon-policy/kanon/internal/controllers/webhookconfig"
	"github.com/spf13/cobra"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Options configure one cleanup run.
type Options struct {
	// Client talks to the API server; when nil it is built from Kubeconfig
	// (empty: in-cluster).
	Client     kubernetes.Interface
	Kubeconfig string
	// Namespace of the admission controller Deployment.
	Namespace string
	// Deployment to scale to zero first; empty skips that step.
	Deployment string
	// Timeout bounds the wait for the Deployment's Pods to go away.
	Timeout time.Duration
	// Interval between checks while waiting (default 1s).
	Interval time.Duration
	Out      io.Writer
}

// NewCommand returns `kanon cleanup` with its `webhooks` subcommand.
func NewCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove what kanon serve left in the cluster (used by the Helm chart's pre-delete hook)",
		Args:  cobra.NoArgs,
	}
	opts := Options{Namespace: os.Getenv("POD_NAMESPACE"), Timeout: 2 * time.Minute}
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "Scale the admission controller to zero and delete Kanon's webhook configurations",
		Long: "Scales --deployment in --namespace to zero replicas, waits up to --timeout for its Pods to\n" +
			"terminate, then deletes the validating and mutating webhook configurations labelled\n" +
			webhookconfig.ManagedByLabel + "=" + webhookconfig.ManagedByValue + " (and those with Kanon's names).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			return Webhooks(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster configuration)")
	f.StringVar(&opts.Namespace, "namespace", opts.Namespace, "namespace of the admission controller (default: $POD_NAMESPACE)")
	f.StringVar(&opts.Deployment, "deployment", "", "admission controller Deployment to scale to zero first")
	f.DurationVar(&opts.Timeout, "timeout", opts.Timeout, "how long to wait for the admission controller's Pods to stop")
	root.AddCommand(cmd)
	return root
}

// Webhooks runs the cleanup. The webhook configurations are deleted even if
// the Deployment cannot be scaled or its Pods do not stop in time; such a
// failure is reported in the returned error after the deletion.
func Webhooks(ctx context.Context, opts Options) error {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	client := opts.Client
	if client == nil {
		cfg, err := clientcmd.BuildConfigFromFlags("", opts.Kubeconfig)
		if err != nil {
			return fmt.Errorf("kubeconfig %q: %w", opts.Kubeconfig, err)
		}
		if client, err = kubernetes.NewForConfig(cfg); err != nil {
			return fmt.Errorf("kubernetes client: %w", err)
		}
	}
	var stopErr error
	if opts.Deployment != "" {
		if opts.Namespace == "" {
			return errors.New("--namespace (or $POD_NAMESPACE) is required with --deployment")
		}
		stopErr = stopDeployment(ctx, client, opts)
	}
	if err := deleteConfigurations(ctx, client, opts.Out); err != nil {
		return errors.Join(stopErr, err)
	}
	return stopErr
}

// stopDeployment scales the Deployment to zero and waits until no Pod
// matching its selector is left.
func stopDeployment(ctx context.Context, client kubernetes.Interface, opts Options) error {
	deployments := client.AppsV1().Deployments(opts.Namespace)
	d, err := deployments.Get(ctx, opts.Deployment, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		fmt.Fprintf(opts.Out, "deployment %s/%s not found; nothing to stop\n", opts.Namespace, opts.Deployment)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get deployment %s/%s: %w", opts.Namespace, opts.Deployment, err)
	}
	scale := &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{Name: d.Name, Namespace: d.Namespace, ResourceVersion: d.ResourceVersion},
		Spec:       autoscalingv1.ScaleSpec{Replicas: 0},
	}
	if _, err := deployments.UpdateScale(ctx, d.Name, scale, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("scale deployment %s/%s to 0: %w", d.Namespace, d.Name, err)
	}
	fmt.Fprintf(opts.Out, "deployment %s/%s scaled to 0\n", d.Namespace, d.Name)
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return fmt.Errorf("deployment %s/%s: selector: %w", d.Namespace, d.Name, err)
	}
	pods := client.CoreV1().Pods(d.Namespace)
	left := -1
	err = wait.PollUntilContextTimeout(ctx, opts.Interval, opts.Timeout, true, func(ctx context.Context) (bool, error) {
		list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
		if err != nil {
			return false, fmt.Errorf("list pods of %s/%s: %w", d.Namespace, d.Name, err)
		}
		left = len(list.Items)
		return left == 0, nil
	})
	if err != nil {
		if left > 0 {
			return fmt.Errorf("%d pod(s) of %s/%s still present after %s: %w", left, d.Namespace, d.Name, opts.Timeout, err)
		}
		return err
	}
	fmt.Fprintf(opts.Out, "pods of %s/%s stopped\n", d.Namespace, d.Name)
	return nil
}

// deleteConfigurations deletes the validating and mutating webhook
// configurations that carry Kanon's managed-by label or one of its names.
func deleteConfigurations(ctx context.Context, client kubernetes.Interface, out io.Writer) error {
	selector := webhookconfig.ManagedByLabel + "=" + webhookconfig.ManagedByValue
	adm := client.AdmissionregistrationV1()
	validating := map[string]bool{webhookconfig.ResourceValidatingName: true, webhookconfig.PolicyValidatingName: true}
	mutating := map[string]bool{webhookconfig.ResourceMutatingName: true}
	vl, err := adm.ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return fmt.Errorf("list validating webhook configurations: %w", err)
	}
	for _, c := range vl.Items {
		validating[c.Name] = true
	}
	ml, err := adm.MutatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return fmt.Errorf("list mutating webhook configurations: %w", err)
	}
	for _, c := range ml.Items {
		mutating[c.Name] = true
	}
	var errs []error
	del := func(kind string, names map[string]bool, remove func(context.Context, string, metav1.DeleteOptions) error) {
		for _, name := range sortedKeys(names) {
			err := remove(ctx, name, metav1.DeleteOptions{})
			switch {
			case apierrors.IsNotFound(err):
			case err != nil:
				errs = append(errs, fmt.Errorf("delete %s %s: %w", kind, name, err))
			default:
				fmt.Fprintf(out, "deleted %s %s\n", kind, name)
			}
		}
	}
	del("validatingwebhookconfiguration", validating, adm.ValidatingWebhookConfigurations().Delete)
	del("mutatingwebhookconfiguration", mutating, adm.MutatingWebhookConfigurations().Delete)
	return errors.Join(errs...)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
