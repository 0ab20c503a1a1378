// Package serve is the `kanon serve` command: the admission controller.
// Flags are parsed here once and passed down as serve.Options.
package serve

import (
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/kanon-policy/kanon/internal/logging"
	"github.com/kanon-policy/kanon/internal/serve"
	"github.com/kanon-policy/kanon/internal/version"
	"github.com/kanon-policy/kanon/pkg/manifest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// NewCommand returns `kanon serve`.
func NewCommand() *cobra.Command {
	var (
		opts       serve.Options
		kubeconfig string
		logFormat  string
		verbosity  int
		certIPs    []string
		timeout    int
		configFile string
		gcPercent  int
		memLimit   string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the admission controller (validating and mutating webhooks)",
		Long: `Run Kanon's admission controller: an HTTPS server answering the API server's
admission reviews with the ClusterPolicies and Policies of the cluster.

Every replica serves; the elected leader keeps the webhook configurations and
policy status up to date. Endpoints: /validate/{fail,ignore},
/mutate/{fail,ignore}, /policyvalidate, /health/liveness, /health/readiness,
/metrics.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := logging.New(cmd.ErrOrStderr(), logging.Options{Format: logFormat, Verbosity: verbosity})
			if err != nil {
				return err
			}
			if opts.RESTConfig, err = restConfig(kubeconfig); err != nil {
				return err
			}
			for _, s := range certIPs {
				ip := net.ParseIP(s)
				if ip == nil {
					return fmt.Errorf("--cert-ip: %q is not an IP address", s)
				}
				opts.CertIPs = append(opts.CertIPs, ip)
			}
			if opts.Namespace == "" {
				opts.Namespace = os.Getenv("POD_NAMESPACE")
			}
			if os.Getenv("GOGC") == "" {
				// The live heap is small (~10 MiB): at the default GOGC=100
				// the collector runs often enough to take a fifth of the CPU
				// under load. GOGC in the environment still wins.
				debug.SetGCPercent(gcPercent)
			}
			if memLimit != "" && os.Getenv("GOMEMLIMIT") == "" {
				q, err := resource.ParseQuantity(memLimit)
				if err != nil || q.Value() <= 0 {
					return fmt.Errorf("--memory-limit: want a positive quantity such as 96Mi, got %q", memLimit)
				}
				// With a soft limit the collector runs when the heap nears it
				// rather than on every doubling: fewer cycles, a shorter tail.
				debug.SetMemoryLimit(q.Value())
			}
			opts.WebhookTimeoutSeconds = int32(timeout)
			opts.Version = version.Version
			opts.Log = log
			return serve.Run(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default: in-cluster, then $KUBECONFIG)")
	f.StringVar(&opts.Namespace, "namespace", "", "Kanon's namespace (default: $POD_NAMESPACE)")
	f.StringVar(&opts.ServiceName, "service-name", "", "Service the API server calls the webhooks through")
	f.Int32Var(&opts.ServicePort, "service-port", 443, "port of that Service")
	f.StringVar(&opts.WebhookURL, "webhook-url", "", "base URL the API server calls instead of a Service (e.g. https://127.0.0.1:9443)")
	f.StringVar(&opts.Address, "address", ":9443", "HTTPS listen address (admission, health, metrics)")
	f.IntVar(new(int), "port", 0, "HTTPS port; shorthand for --address :PORT")
	f.StringVar(&opts.MetricsAddress, "metrics-address", "", "plain-HTTP /metrics listen address (e.g. :8000); empty disables")
	f.StringVar(&opts.ProfileAddress, "profile-address", "", "plain-HTTP Go profiling endpoints (/debug/pprof/) listen address, e.g. 127.0.0.1:6060; empty disables")
	f.StringVar(&opts.TLSSecret, "tls-secret", "", "Secret keeping the self-signed CA and serving certificate (default <service-name>.kanon-tls)")
	f.StringVar(&opts.CertDir, "cert-dir", "", "load tls.crt, tls.key and ca.crt from this directory (e.g. cert-manager) instead of --tls-secret")
	f.StringSliceVar(&certIPs, "cert-ip", nil, "extra IP addresses in the serving certificate")
	f.StringSliceVar(&opts.CertDNSNames, "cert-dns-name", nil, "extra DNS names in the serving certificate")
	f.DurationVar(&opts.CertTiming.CAValidity, "ca-validity", 365*24*time.Hour, "lifetime of the self-signed CA")
	f.DurationVar(&opts.CertTiming.CertValidity, "cert-validity", 150*24*time.Hour, "lifetime of the serving certificate")
	f.DurationVar(&opts.CertTiming.RenewBefore, "cert-renew-before", 15*24*time.Hour, "renew certificates this long before they expire")
	f.StringVar(&opts.ConfigMap, "config-map", "kanon", "configuration ConfigMap in --namespace (Kyverno's keys)")
	f.BoolVar(&opts.LeaderElect, "leader-elect", true, "elect one replica to write webhook configurations and policy status")
	f.StringVar(&opts.LeaseName, "lease-name", "kanon", "Lease used for leader election")
	f.DurationVar(&opts.RetryPeriod, "leader-election-retry-period", 2*time.Second, "leader election retry period (lease = 6x, renew deadline = 5x)")
	f.IntVar(&timeout, "webhook-timeout-seconds", 10, "webhook timeout for policies that set none (1-30)")
	f.StringVar(&configFile, "config", "", "YAML file of settings: keys are this command's flag names (e.g. namespace: kanon); command-line flags win")
	f.IntVar(&gcPercent, "gc-percent", 300, "Go garbage collector target percentage (GOGC), unless GOGC is set")
	f.StringVar(&memLimit, "memory-limit", "", "soft Go memory limit (GOMEMLIMIT) such as 96Mi, unless GOMEMLIMIT is set; pair it with a high --gc-percent")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	f.IntVarP(&verbosity, "v", "v", 0, "log verbosity")
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if configFile != "" {
			if err := loadConfigFile(cmd.Flags(), configFile); err != nil {
				return err
			}
		}
		if p, _ := cmd.Flags().GetInt("port"); p > 0 {
			opts.Address = fmt.Sprintf(":%d", p)
		}
		if timeout < 1 || timeout > 30 {
			return fmt.Errorf("--webhook-timeout-seconds: want 1 to 30, got %d", timeout)
		}
		return nil
	}
	return cmd
}

// restConfig loads the API server configuration: the given file, else
// in-cluster, else $KUBECONFIG / ~/.kube/config.
func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		if cfg, err := rest.InClusterConfig(); err == nil {
			return cfg, nil
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig: %w", err)
	}
	return cfg, nil
}

// loadConfigFile sets every flag named in a YAML file that was not given on
// the command line. Unknown keys and bad values are errors naming the file
// and the key.
func loadConfigFile(flags *pflag.FlagSet, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	docs, err := manifest.Decode(path, data)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	if len(docs) != 1 {
		return fmt.Errorf("--config %s: want one YAML document of settings, found %d", path, len(docs))
	}
	keys := make([]string, 0, len(docs[0].Object))
	for k := range docs[0].Object {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		fl := flags.Lookup(key)
		if fl == nil || key == "config" {
			return fmt.Errorf("--config %s: unknown setting %q (settings are the flag names of kanon serve, e.g. namespace, service-name)", path, key)
		}
		if fl.Changed {
			continue
		}
		value := docs[0].Object[key]
		var s string
		if list, ok := value.([]any); ok {
			parts := make([]string, len(list))
			for i, v := range list {
				parts[i] = fmt.Sprint(v)
			}
			s = strings.Join(parts, ",")
		} else {
			s = fmt.Sprint(value)
		}
		if err := flags.Set(key, s); err != nil {
			return fmt.Errorf("--config %s: %s: %v", path, key, err)
		}
	}
	return nil
}
