package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/kanon-policy/kanon/api/policyreport/v1alpha2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Report kinds written by `kanon apply -p`. Kyverno v1.19 writes
// openreports.io documents here; Kanon writes the wgpolicyk8s.io/v1alpha2
// reports that the policy-report tooling (and Kanon's own background scan)
// use: one ClusterPolicyReport "merged" for the results of cluster-wide
// policies and one PolicyReport per namespaced policy.
const (
	ReportAPIVersion        = "wgpolicyk8s.io/v1alpha2"
	MergedClusterReportName = "merged"
)

// SummaryOf counts results by status, ignoring unknown statuses.
func SummaryOf(results []v1alpha2.Result) v1alpha2.Summary {
	var s v1alpha2.Summary
	for _, r := range results {
		switch r.Result {
		case v1alpha2.StatusPass:
			s.Pass++
		case v1alpha2.StatusFail:
			s.Fail++
		case v1alpha2.StatusWarn:
			s.Warn++
		case v1alpha2.StatusError:
			s.Error++
		case v1alpha2.StatusSkip:
			s.Skip++
		}
	}
	return s
}

// PolicyResults are the report results of one policy applied to one
// resource, in rule order.
type PolicyResults struct {
	PolicyName      string
	PolicyNamespace string
	Results         []v1alpha2.Result
}

// WritePolicyReports prints the output of `kanon apply -p`: first a
// ClusterPolicyReport named "merged" with every result of cluster-wide
// policies (only if there is one), then, after a "---" line each, one
// PolicyReport per namespaced policy (in first-appearance order), named after
// the policy and in its namespace. format "json" gives one compact JSON line
// per document, anything else YAML.
func WritePolicyReports(w io.Writer, format string, entries []PolicyResults) error {
	emit := func(doc any) error {
		var out []byte
		var err error
		if format == "json" {
			out, err = json.Marshal(doc)
		} else {
			out, err = yaml.Marshal(doc)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w, string(out))
		return err
	}
	var merged []v1alpha2.Result
	clustered := false
	type nsKey struct{ ns, name string }
	var order []nsKey
	byPolicy := map[nsKey][]v1alpha2.Result{}
	for _, e := range entries {
		if e.PolicyNamespace == "" {
			clustered = true
			merged = append(merged, e.Results...)
			continue
		}
		k := nsKey{e.PolicyNamespace, e.PolicyName}
		if _, ok := byPolicy[k]; !ok {
			order = append(order, k)
		}
		byPolicy[k] = append(byPolicy[k], e.Results...)
	}
	if clustered {
		if err := emit(&v1alpha2.ClusterPolicyReport{
			TypeMeta:   metav1.TypeMeta{APIVersion: ReportAPIVersion, Kind: "ClusterPolicyReport"},
			ObjectMeta: metav1.ObjectMeta{Name: MergedClusterReportName},
			Summary:    SummaryOf(merged),
			Results:    merged,
		}); err != nil {
			return err
		}
	}
	for _, k := range order {
		if _, err := fmt.Fprintln(w, "---"); err != nil {
			return err
		}
		results := byPolicy[k]
		if err := emit(&v1alpha2.PolicyReport{
			TypeMeta:   metav1.TypeMeta{APIVersion: ReportAPIVersion, Kind: "PolicyReport"},
			ObjectMeta: metav1.ObjectMeta{Name: k.name, Namespace: k.ns},
			Summary:    SummaryOf(results),
			Results:    results,
		}); err != nil {
			return err
		}
	}
	return nil
}
