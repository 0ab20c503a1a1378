// Package webhookconfig keeps Kanon's admission webhook configurations in
// the cluster in line with the policies: the kinds and operations of every
// served policy, split into Fail and Ignore webhooks by the policies'
// failure policy, with the highest policy timeout, the CA bundle, and
// Kanon's own namespace plus the configured namespaces excluded. Only the
// leader runs it; every replica serves the webhooks it writes.
package webhookconfig

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-logr/logr"
	kyvernov1 "github.com/kanon-policy/kanon/api/kyverno/v1"
	"github.com/kanon-policy/kanon/internal/config"
	"github.com/kanon-policy/kanon/internal/controllers/policycache"
	"github.com/kanon-policy/kanon/internal/webhook"
	"github.com/kanon-policy/kanon/pkg/engine"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Names of the configurations and webhooks Kanon manages.
const (
	ResourceValidatingName = "kanon-resource-validating-webhook-cfg"
	ResourceMutatingName   = "kanon-resource-mutating-webhook-cfg"
	PolicyValidatingName   = "kanon-policy-validating-webhook-cfg"
	ManagedByLabel         = "webhook.kanon.io/managed-by"
	ManagedByValue         = "kanon"
)

// Endpoint says where the API server reaches Kanon: a Service in the
// cluster, or a URL (the playground: https://127.0.0.1:port).
type Endpoint struct {
	ServiceNamespace, ServiceName string
	ServicePort                   int32
	URL                           string
}

func (e Endpoint) clientConfig(path string, ca []byte) admissionregistrationv1.WebhookClientConfig {
	cc := admissionregistrationv1.WebhookClientConfig{CABundle: ca}
	if e.URL != "" {
		u := strings.TrimSuffix(e.URL, "/") + path
		cc.URL = &u
		return cc
	}
	port := e.ServicePort
	if port == 0 {
		port = 443
	}
	p := path
	cc.Service = &admissionregistrationv1.ServiceReference{Namespace: e.ServiceNamespace, Name: e.ServiceName, Path: &p, Port: &port}
	return cc
}

// Options configure the controller.
type Options struct {
	Client    kubernetes.Interface
	Resources *Resources
	Policies  *policycache.Cache
	// CABundle returns the PEM bundle that signs the serving certificate.
	CABundle func() []byte
	// Changed signals CA or configuration changes (besides policy changes).
	Changed []<-chan struct{}
	Config  func() *config.Config
	// Namespace is Kanon's namespace, always excluded.
	Namespace      string
	Endpoint       Endpoint
	DefaultTimeout int32
	// Resync re-checks the configurations even without changes (repairs
	// edits and deletions by others); default 10s.
	Resync time.Duration
	// Reconciled is called after the configurations match a snapshot.
	Reconciled func(*policycache.Snapshot)
	Log        logr.Logger
}

// Controller reconciles the configurations.
type Controller struct{ opts Options }

// New returns a controller.
func New(opts Options) *Controller {
	if opts.Resync <= 0 {
		opts.Resync = 10 * time.Second
	}
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = 10
	}
	return &Controller{opts: opts}
}

// Run reconciles on every policy, CA or configuration change and every
// Resync until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	changed := make(chan struct{}, 1)
	notify := func(ch <-chan struct{}) {
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}
	}
	go notify(c.opts.Policies.Subscribe())
	for _, ch := range c.opts.Changed {
		go notify(ch)
	}
	ticker := time.NewTicker(c.opts.Resync)
	defer ticker.Stop()
	for {
		if err := c.Reconcile(ctx); err != nil && ctx.Err() == nil {
			c.opts.Log.Error(err, "reconciling webhook configurations")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		case <-changed:
			// Coalesce bursts (kubectl apply -f dir/) into one update.
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// Reconcile writes the configurations for the current snapshot.
func (c *Controller) Reconcile(ctx context.Context) error {
	snap := c.opts.Policies.Snapshot()
	ca := c.opts.CABundle()
	if len(ca) == 0 {
		return fmt.Errorf("no CA bundle yet")
	}
	validating, mutating := c.Build(snap, ca)
	policy := c.policyWebhook(ca)
	for _, v := range []*admissionregistrationv1.ValidatingWebhookConfiguration{validating, policy} {
		if err := c.applyValidating(ctx, v); err != nil {
			return err
		}
	}
	if err := c.applyMutating(ctx, mutating); err != nil {
		return err
	}
	if c.opts.Reconciled != nil {
		c.opts.Reconciled(snap)
	}
	return nil
}

func (c *Controller) meta(name string) metav1.ObjectMeta {
	cfg := c.cfg()
	labels := map[string]string{ManagedByLabel: ManagedByValue}
	for k, v := range cfg.WebhookLabels {
		labels[k] = v
	}
	var annotations map[string]string
	if len(cfg.WebhookAnnotations) > 0 {
		annotations = map[string]string{}
		for k, v := range cfg.WebhookAnnotations {
			annotations[k] = v
		}
	}
	return metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations}
}

func (c *Controller) cfg() *config.Config {
	if c.opts.Config == nil {
		return config.Default()
	}
	return c.opts.Config()
}

// group collects the rules of one webhook.
type group struct {
	ops     map[string]map[string]bool // "group/version" -> resources set, per operation key
	all     map[string]bool            // catch-all "*" operations
	timeout int32
}

func newGroup() *group { return &group{ops: map[string]map[string]bool{}, all: map[string]bool{}} }

func (g *group) add(res *Resources, kinds []string, ops []string, timeout int32) {
	if timeout > g.timeout {
		g.timeout = timeout
	}
	opKey := strings.Join(ops, ",")
	for _, k := range kinds {
		list, all := res.resolve(k)
		if all {
			for _, op := range ops {
				g.all[op] = true
			}
			continue
		}
		for _, x := range list {
			name := x.GVR.Resource
			if x.Subresource != "" {
				name += "/" + x.Subresource
			}
			key := opKey + "|" + x.GVR.Group + "|" + x.GVR.Version
			if g.ops[key] == nil {
				g.ops[key] = map[string]bool{}
			}
			g.ops[key][name] = true
		}
	}
}

func (g *group) rules() []admissionregistrationv1.RuleWithOperations {
	scope := admissionregistrationv1.AllScopes
	var out []admissionregistrationv1.RuleWithOperations
	if len(g.all) > 0 {
		out = append(out, admissionregistrationv1.RuleWithOperations{
			Operations: operations(keys(g.all)),
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{"*"}, APIVersions: []string{"*"}, Resources: []string{"*"}, Scope: &scope},
		})
	}
	for _, key := range keys(g.ops) {
		parts := strings.SplitN(key, "|", 3)
		out = append(out, admissionregistrationv1.RuleWithOperations{
			Operations: operations(strings.Split(parts[0], ",")),
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{parts[1]}, APIVersions: []string{parts[2]}, Resources: keys(g.ops[key]), Scope: &scope},
		})
	}
	return out
}

func operations(ops []string) []admissionregistrationv1.OperationType {
	out := make([]admissionregistrationv1.OperationType, len(ops))
	for i, op := range ops {
		out[i] = admissionregistrationv1.OperationType(op)
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RuleKinds returns the kinds the match blocks of rules name (a compiled
// policy's rules include autogen rules), each once, in order.
func RuleKinds(rules []*kyvernov1.Rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rules {
		r.Match.Filters(func(_ string, f *kyvernov1.ResourceFilter) bool {
			for _, k := range f.Resources.Kinds {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
			return true
		})
	}
	return out
}

// Build computes the resource webhook configurations for a snapshot.
func (c *Controller) Build(snap *policycache.Snapshot, ca []byte) (*admissionregistrationv1.ValidatingWebhookConfiguration, *admissionregistrationv1.MutatingWebhookConfiguration) {
	groups := map[string]*group{}
	get := func(name string) *group {
		if groups[name] == nil {
			groups[name] = newGroup()
		}
		return groups[name]
	}
	for _, e := range snap.Entries {
		if e.Err != nil || !e.Admission() {
			continue
		}
		fp := e.FailurePolicy()
		timeout := e.TimeoutSeconds()
		validateOps := []string{"CREATE", "UPDATE"}
		for _, op := range []string{"CONNECT", "DELETE"} {
			if e.ExplicitOperations[op] {
				validateOps = append(validateOps, op)
			}
		}
		sort.Strings(validateOps)
		if e.Validate != nil {
			get("validate-"+fp).add(c.opts.Resources, RuleKinds(rawRules(e.Validate)), validateOps, timeout)
		}
		if e.Generate != nil {
			get("validate-"+fp).add(c.opts.Resources, RuleKinds(rawRules(e.Generate)), validateOps, timeout)
		}
		if e.Mutate != nil {
			get("mutate-"+fp).add(c.opts.Resources, RuleKinds(rawRules(e.Mutate)), []string{"CREATE", "UPDATE"}, timeout)
			// Mutate-existing rules run after admission, from the
			// validating webhook (as Kyverno does), on every operation
			// their triggers name.
			if existing := mutateExistingRules(e.Mutate); len(existing) > 0 {
				get("validate-"+fp).add(c.opts.Resources, RuleKinds(existing), validateOps, timeout)
			}
		}
	}
	cfg := c.cfg()
	nsSel := namespaceSelector(cfg.Webhooks.NamespaceSelector, c.opts.Namespace)
	objSel := cfg.Webhooks.ObjectSelector
	if objSel == nil {
		objSel = &metav1.LabelSelector{}
	}
	sideEffects := admissionregistrationv1.SideEffectClassNoneOnDryRun
	matchPolicy := admissionregistrationv1.Equivalent
	reinvoke := admissionregistrationv1.IfNeededReinvocationPolicy
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: c.meta(ResourceValidatingName)}
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: c.meta(ResourceMutatingName)}
	for _, fp := range []string{"Fail", "Ignore"} {
		failurePolicy := admissionregistrationv1.FailurePolicyType(fp)
		suffix := strings.ToLower(fp)
		if g := groups["validate-"+fp]; g != nil && len(g.rules()) > 0 {
			t := c.timeout(g.timeout)
			validating.Webhooks = append(validating.Webhooks, admissionregistrationv1.ValidatingWebhook{
				Name:                    "validate.kanon.svc-" + suffix,
				ClientConfig:            c.opts.Endpoint.clientConfig("/validate/"+suffix, ca),
				Rules:                   g.rules(),
				FailurePolicy:           &failurePolicy,
				MatchPolicy:             &matchPolicy,
				NamespaceSelector:       nsSel,
				ObjectSelector:          objSel,
				SideEffects:             &sideEffects,
				TimeoutSeconds:          &t,
				AdmissionReviewVersions: []string{"v1"},
			})
		}
		if g := groups["mutate-"+fp]; g != nil && len(g.rules()) > 0 {
			t := c.timeout(g.timeout)
			mutating.Webhooks = append(mutating.Webhooks, admissionregistrationv1.MutatingWebhook{
				Name:                    "mutate.kanon.svc-" + suffix,
				ClientConfig:            c.opts.Endpoint.clientConfig("/mutate/"+suffix, ca),
				Rules:                   g.rules(),
				FailurePolicy:           &failurePolicy,
				MatchPolicy:             &matchPolicy,
				NamespaceSelector:       nsSel,
				ObjectSelector:          objSel,
				SideEffects:             &sideEffects,
				TimeoutSeconds:          &t,
				AdmissionReviewVersions: []string{"v1"},
				ReinvocationPolicy:      &reinvoke,
			})
		}
	}
	return validating, mutating
}

func mutateExistingRules(p *engine.Policy) []*kyvernov1.Rule {
	var out []*kyvernov1.Rule
	for _, r := range p.Rules {
		if r.MutateExisting() {
			out = append(out, r.Raw)
		}
	}
	return out
}

func rawRules(p *engine.Policy) []*kyvernov1.Rule {
	out := make([]*kyvernov1.Rule, len(p.Rules))
	for i, r := range p.Rules {
		out[i] = r.Raw
	}
	return out
}

func (c *Controller) timeout(t int32) int32 {
	if t <= 0 {
		t = c.opts.DefaultTimeout
	}
	return min(max(t, 1), 30)
}

// namespaceSelector adds Kanon's namespace to the configured selector's
// kubernetes.io/metadata.name NotIn list.
func namespaceSelector(configured *metav1.LabelSelector, own string) *metav1.LabelSelector {
	sel := &metav1.LabelSelector{}
	if configured != nil {
		sel = configured.DeepCopy()
	}
	if own == "" {
		return sel
	}
	for i, e := range sel.MatchExpressions {
		if e.Key == "kubernetes.io/metadata.name" && e.Operator == metav1.LabelSelectorOpNotIn {
			for _, v := range e.Values {
				if v == own {
					return sel
				}
			}
			sel.MatchExpressions[i].Values = append(sel.MatchExpressions[i].Values, own)
			return sel
		}
	}
	sel.MatchExpressions = append(sel.MatchExpressions, metav1.LabelSelectorRequirement{
		Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{own},
	})
	return sel
}

// policyWebhook validates ClusterPolicies and Policies at kubectl apply.
func (c *Controller) policyWebhook(ca []byte) *admissionregistrationv1.ValidatingWebhookConfiguration {
	fail := admissionregistrationv1.Fail
	none := admissionregistrationv1.SideEffectClassNone
	matchPolicy := admissionregistrationv1.Equivalent
	scope := admissionregistrationv1.AllScopes
	t := c.timeout(0)
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: c.meta(PolicyValidatingName),
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:         "validate-policy.kanon.svc",
			ClientConfig: c.opts.Endpoint.clientConfig(webhook.PathPolicyValidate, ca),
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"kyverno.io"}, APIVersions: []string{"v1"}, Resources: []string{"clusterpolicies", "policies"}, Scope: &scope},
			}},
			FailurePolicy:           &fail,
			MatchPolicy:             &matchPolicy,
			NamespaceSelector:       &metav1.LabelSelector{},
			ObjectSelector:          &metav1.LabelSelector{},
			SideEffects:             &none,
			TimeoutSeconds:          &t,
			AdmissionReviewVersions: []string{"v1"},
		}},
	}
}

// configClient is the part of the typed webhook-configuration clients
// reconciliation uses.
type configClient[T metav1.Object] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
}

func (c *Controller) applyValidating(ctx context.Context, want *admissionregistrationv1.ValidatingWebhookConfiguration) error {
	return apply(ctx, c.opts.Log, c.opts.Client.AdmissionregistrationV1().ValidatingWebhookConfigurations(), want, len(want.Webhooks),
		func(have *admissionregistrationv1.ValidatingWebhookConfiguration) bool {
			return equality.Semantic.DeepEqual(have.Webhooks, want.Webhooks)
		})
}

func (c *Controller) applyMutating(ctx context.Context, want *admissionregistrationv1.MutatingWebhookConfiguration) error {
	return apply(ctx, c.opts.Log, c.opts.Client.AdmissionregistrationV1().MutatingWebhookConfigurations(), want, len(want.Webhooks),
		func(have *admissionregistrationv1.MutatingWebhookConfiguration) bool {
			return equality.Semantic.DeepEqual(have.Webhooks, want.Webhooks)
		})
}

// apply creates the configuration or updates it when its webhooks, labels
// or annotations differ.
func apply[T metav1.Object](ctx context.Context, log logr.Logger, api configClient[T], want T, webhooks int, sameWebhooks func(T) bool) error {
	have, err := api.Get(ctx, want.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err = api.Create(ctx, want, metav1.CreateOptions{FieldManager: "kanon"}); err == nil {
			log.Info("created webhook configuration", "name", want.GetName(), "webhooks", webhooks)
		}
		return err
	}
	if err != nil {
		return err
	}
	if sameWebhooks(have) && equality.Semantic.DeepEqual(have.GetLabels(), want.GetLabels()) && equality.Semantic.DeepEqual(have.GetAnnotations(), want.GetAnnotations()) {
		return nil
	}
	want.SetResourceVersion(have.GetResourceVersion())
	if _, err = api.Update(ctx, want, metav1.UpdateOptions{FieldManager: "kanon"}); err == nil {
		log.Info("updated webhook configuration", "name", want.GetName(), "webhooks", webhooks)
	}
	return err
}

// Delete removes every configuration Kanon manages (uninstall cleanup).
func Delete(ctx context.Context, client kubernetes.Interface) error {
	sel := metav1.ListOptions{LabelSelector: ManagedByLabel + "=" + ManagedByValue}
	if err := client.AdmissionregistrationV1().ValidatingWebhookConfigurations().DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
		return err
	}
	return client.AdmissionregistrationV1().MutatingWebhookConfigurations().DeleteCollection(ctx, metav1.DeleteOptions{}, sel)
}
