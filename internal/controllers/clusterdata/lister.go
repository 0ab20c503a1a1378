package clusterdata

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kanon-policy/kanon/pkg/engine"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// ResourceMapper maps an apiVersion ("" for the preferred one) and a kind to
// the resource serving it (webhookconfig.Resources implements it from
// discovery).
type ResourceMapper interface {
	ResourceFor(apiVersion, kind string) (gvr schema.GroupVersionResource, namespaced, ok bool)
}

// ListerOptions configure a Lister.
type ListerOptions struct {
	Client dynamic.Interface
	Mapper ResourceMapper
	// Timeout bounds one List (all its pages); default 10s.
	Timeout time.Duration
	// PageSize is the page size of list calls; default 500.
	PageSize int64
	// MaxObjects bounds the objects one query may return; default 10000.
	// A query that selects more is an error, not a silent truncation.
	MaxObjects int
}

// Lister implements engine.ResourceLister against the API server: the
// sources of generate clone and cloneList rules and the targets of
// mutate-existing rules. A query naming one object is a GET; any other a
// paged LIST (with the query's label selector sent to the server), filtered
// with ResourceQuery.Matches. Results are sorted by namespace and name.
type Lister struct {
	opts ListerOptions
}

// NewLister returns a lister; Client and Mapper are required.
func NewLister(opts ListerOptions) *Lister {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 500
	}
	if opts.MaxObjects <= 0 {
		opts.MaxObjects = 10000
	}
	return &Lister{opts: opts}
}

// List implements engine.ResourceLister.
func (l *Lister) List(q engine.ResourceQuery) ([]map[string]any, error) {
	gvr, namespaced, ok := l.opts.Mapper.ResourceFor(q.APIVersion, q.Kind)
	if !ok {
		return nil, fmt.Errorf("the API server does not serve kind %s", kindName(q.APIVersion, q.Kind))
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.Timeout)
	defer cancel()
	api := l.opts.Client.Resource(gvr)
	var client dynamic.ResourceInterface = api
	if namespaced && q.Namespace != "" {
		client = api.Namespace(q.Namespace)
	}
	if q.Name != "" && !strings.ContainsAny(q.Name, "*?") && (!namespaced || q.Namespace != "") {
		u, err := client.Get(ctx, q.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("getting %s %s: %w", kindName(q.APIVersion, q.Kind), objectName(q.Namespace, q.Name), err)
		}
		if !q.Matches(u.Object) {
			return nil, nil
		}
		return []map[string]any{u.Object}, nil
	}
	opts := metav1.ListOptions{Limit: l.opts.PageSize}
	if q.Selector != nil && !q.Selector.Empty() {
		opts.LabelSelector = q.Selector.String()
	}
	var out []map[string]any
	for {
		list, err := client.List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing %s in %s: %w", kindName(q.APIVersion, q.Kind), namespaceName(q.Namespace), err)
		}
		for i := range list.Items {
			obj := list.Items[i].Object
			// List items carry no apiVersion/kind of their own in some
			// encodings; the list's are theirs.
			if _, ok := obj["kind"]; !ok {
				obj["apiVersion"], obj["kind"] = gvr.GroupVersion().String(), q.Kind
			}
			if q.Matches(obj) {
				out = append(out, obj)
			}
		}
		if len(out) > l.opts.MaxObjects {
			return nil, fmt.Errorf("listing %s in %s: more than %d objects match", kindName(q.APIVersion, q.Kind), namespaceName(q.Namespace), l.opts.MaxObjects)
		}
		if opts.Continue = list.GetContinue(); opts.Continue == "" {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return sortKey(out[i]) < sortKey(out[j]) })
	return out, nil
}

func sortKey(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return ns + "/" + name
}

func kindName(apiVersion, kind string) string {
	if apiVersion == "" {
		return kind
	}
	return apiVersion + "/" + kind
}

func objectName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

func namespaceName(namespace string) string {
	if namespace == "" {
		return "all namespaces"
	}
	return "namespace " + namespace
}
