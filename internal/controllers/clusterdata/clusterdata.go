// Package clusterdata is the cluster side of the engine's seams: namespace
// labels (match.NamespaceLabeler), the requester's roles from RBAC bindings,
// and context entries (engine.ExternalData: configMap, apiCall) loaded from
// the API server. Informers keep namespaces and bindings in memory so an
// admission review never waits on the API server for them.
package clusterdata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/kanon-policy/kanon/pkg/engine"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	rbaclisters "k8s.io/client-go/listers/rbac/v1"
)

// Options configure the cluster data sources.
type Options struct {
	Client kubernetes.Interface
	// CallTimeout bounds one configMap or apiCall load; default 5s.
	CallTimeout time.Duration
	// MaxResponseBytes bounds an apiCall response; default 10 MiB (Kyverno's).
	MaxResponseBytes int64
	// HTTPClient calls external services (apiCall.service); default has
	// CallTimeout.
	HTTPClient *http.Client
	Log        logr.Logger
}

// Cluster implements the seams against a live API server.
type Cluster struct {
	opts       Options
	factory    informers.SharedInformerFactory
	namespaces corelisters.NamespaceLister
	rb         rbaclisters.RoleBindingLister
	crb        rbaclisters.ClusterRoleBindingLister
}

// New prepares the informers; call Start before use.
func New(opts Options) *Cluster {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 5 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 10 << 20
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: opts.CallTimeout}
	}
	f := informers.NewSharedInformerFactory(opts.Client, 10*time.Minute)
	return &Cluster{
		opts:       opts,
		factory:    f,
		namespaces: f.Core().V1().Namespaces().Lister(),
		rb:         f.Rbac().V1().RoleBindings().Lister(),
		crb:        f.Rbac().V1().ClusterRoleBindings().Lister(),
	}
}

// Start starts the informers and waits for their first sync.
func (c *Cluster) Start(ctx context.Context) error {
	c.factory.Start(ctx.Done())
	for typ, ok := range c.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("cluster data: %v did not sync", typ)
		}
	}
	return nil
}

// Shutdown stops the informers.
func (c *Cluster) Shutdown() { c.factory.Shutdown() }

// NamespaceLabels implements match.NamespaceLabeler.
func (c *Cluster) NamespaceLabels(namespace string) map[string]string {
	ns, err := c.namespaces.Get(namespace)
	if err != nil {
		return nil
	}
	return ns.Labels
}

// RolesFor returns the Roles ("namespace:name") and ClusterRoles bound to a
// user or to one of its groups (service accounts by their
// system:serviceaccount:ns:name user name), as Kyverno resolves them.
func (c *Cluster) RolesFor(username string, groups []string) (roles, clusterRoles []string) {
	matches := func(subjects []rbacv1.Subject) bool {
		for _, s := range subjects {
			switch s.Kind {
			case rbacv1.UserKind:
				if s.Name == username {
					return true
				}
			case rbacv1.GroupKind:
				for _, g := range groups {
					if s.Name == g {
						return true
					}
				}
			case rbacv1.ServiceAccountKind:
				if username == "system:serviceaccount:"+s.Namespace+":"+s.Name {
					return true
				}
			}
		}
		return false
	}
	seenR, seenC := map[string]bool{}, map[string]bool{}
	if rbs, err := c.rb.List(labels.Everything()); err == nil {
		for _, rb := range rbs {
			if !matches(rb.Subjects) {
				continue
			}
			if rb.RoleRef.Kind == "ClusterRole" {
				seenC[rb.RoleRef.Name] = true
			} else {
				seenR[rb.Namespace+":"+rb.RoleRef.Name] = true
			}
		}
	}
	if crbs, err := c.crb.List(labels.Everything()); err == nil {
		for _, crb := range crbs {
			if matches(crb.Subjects) {
				seenC[crb.RoleRef.Name] = true
			}
		}
	}
	return sortedKeys(seenR), sortedKeys(seenC)
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ConfigMap implements engine.ExternalData.
func (c *Cluster) ConfigMap(namespace, name string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.CallTimeout)
	defer cancel()
	cm, err := c.opts.Client.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("configmap %s/%s not found: %w", namespace, name, engine.ErrNoData)
	}
	if err != nil {
		return nil, fmt.Errorf("loading configmap %s/%s: %w", namespace, name, err)
	}
	data := map[string]any{}
	for k, v := range cm.Data {
		data[k] = v
	}
	meta := map[string]any{"name": cm.Name, "namespace": cm.Namespace}
	if len(cm.Labels) > 0 {
		l := map[string]any{}
		for k, v := range cm.Labels {
			l[k] = v
		}
		meta["labels"] = l
	}
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}, nil
}

// APICall implements engine.ExternalData: a GET or POST on the API server
// (urlPath) or on an external service, bounded in time and size.
func (c *Cluster) APICall(call engine.APICall) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.CallTimeout)
	defer cancel()
	method := strings.ToUpper(call.Method)
	if method == "" {
		method = http.MethodGet
	}
	var body []byte
	if method == http.MethodPost && call.Data != nil {
		var err error
		if body, err = json.Marshal(call.Data); err != nil {
			return nil, err
		}
	}
	var raw []byte
	if call.URLPath != "" {
		rc := c.opts.Client.CoreV1().RESTClient()
		var req = rc.Get()
		if method == http.MethodPost {
			req = rc.Post().Body(body)
		}
		stream, err := req.AbsPath(call.URLPath).Stream(ctx)
		if err != nil {
			return nil, fmt.Errorf("apiCall %s %s: %w", method, call.URLPath, err)
		}
		defer stream.Close()
		if raw, err = readLimited(stream, c.opts.MaxResponseBytes); err != nil {
			return nil, fmt.Errorf("apiCall %s %s: %w", method, call.URLPath, err)
		}
	} else if call.ServiceURL != "" {
		req, err := http.NewRequestWithContext(ctx, method, call.ServiceURL, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("apiCall service %s: %w", call.ServiceURL, err)
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range call.Headers {
			req.Header.Set(k, v)
		}
		resp, err := c.opts.HTTPClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("apiCall service %s: %w", call.ServiceURL, err)
		}
		defer resp.Body.Close()
		if raw, err = readLimited(resp.Body, c.opts.MaxResponseBytes); err != nil {
			return nil, fmt.Errorf("apiCall service %s: %w", call.ServiceURL, err)
		}
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("apiCall service %s: HTTP %d: %s", call.ServiceURL, resp.StatusCode, clip(raw))
		}
	} else {
		return nil, fmt.Errorf("apiCall has neither urlPath nor service.url")
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("apiCall response is not JSON: %v (%s)", err, clip(raw))
	}
	return out, nil
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("response larger than %d bytes", max)
	}
	return raw, nil
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// ImageData implements engine.ExternalData. Registry lookups are not made
// from the admission path (they need registry credentials and network
// access); rules using imageRegistry context entries answer with an error.
func (c *Cluster) ImageData(reference string) (map[string]any, error) {
	return nil, fmt.Errorf("imageRegistry context entries are not supported by kanon serve (image %s): %w", reference, engine.ErrNoData)
}

// GlobalContext implements engine.ExternalData. GlobalContextEntry
// resources are not served by Kanon.
func (c *Cluster) GlobalContext(name string) (any, error) {
	return nil, fmt.Errorf("globalReference %q: GlobalContextEntry resources are not supported by kanon serve: %w", name, engine.ErrNoData)
}
