package v1alpha1

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Test is a kyverno-test.yaml file: policies, resources and expected results.
// The legacy shape (top-level name, no apiVersion/kind, results with a
// singular resource) decodes into the same type.
type Test struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// Name is the legacy top-level name; metadata.name replaces it.
	Name                 string                   `json:"name,omitempty"`
	Policies             []string                 `json:"policies,omitempty"`
	Resources            []string                 `json:"resources,omitempty"`
	TargetResources      []string                 `json:"targetResources,omitempty"`
	ParamResources       []string                 `json:"paramResources,omitempty"`
	ClusterResources     []string                 `json:"clusterResources,omitempty"`
	Exceptions           []string                 `json:"exceptions,omitempty"`
	Variables            string                   `json:"variables,omitempty"`
	Values               *ValuesSpec              `json:"values,omitempty"`
	UserInfo             string                   `json:"userinfo,omitempty"`
	Context              string                   `json:"context,omitempty"`
	JSONPayload          string                   `json:"jsonPayload,omitempty"`
	JSONPayloads         []string                 `json:"jsonPayloads,omitempty"`
	HTTPPayloads         []string                 `json:"httpPayloads,omitempty"`
	EnvoyPayloads        []string                 `json:"envoyPayloads,omitempty"`
	APICallResponses     []APICallResponse        `json:"apiCallResponses,omitempty"`
	GlobalContextEntries []GlobalContextEntryMock `json:"globalContextEntries,omitempty"`
	Results              []TestResult             `json:"results,omitempty"`
}

// TestName returns metadata.name, or the legacy top-level name.
func (t *Test) TestName() string {
	if t.ObjectMeta.Name != "" {
		return t.ObjectMeta.Name
	}
	return t.Name
}

// TestResult is one expected result.
type TestResult struct {
	Policy    string   `json:"policy"`
	Rule      string   `json:"rule,omitempty"`
	Resources []string `json:"resources,omitempty"`
	// Resource is the legacy singular form of Resources.
	Resource      string         `json:"resource,omitempty"`
	ResourceSpecs []ResourceSpec `json:"resourceSpecs,omitempty"`
	Kind          string         `json:"kind,omitempty"`
	Namespace     string         `json:"namespace,omitempty"`
	Result        string         `json:"result,omitempty"`
	// Status is the legacy name of Result.
	Status    string `json:"status,omitempty"`
	Operation string `json:"operation,omitempty"`
	// PatchedResources is the file holding the expected mutated resource.
	PatchedResources string `json:"patchedResources,omitempty"`
	// PatchedResource is the legacy singular key of PatchedResources.
	PatchedResource        string   `json:"patchedResource,omitempty"`
	GeneratedResource      string   `json:"generatedResource,omitempty"`
	GeneratedResources     []string `json:"generatedResources,omitempty"`
	CloneSourceResource    string   `json:"cloneSourceResource,omitempty"`
	FailOnMissingResources bool     `json:"failOnMissingResources,omitempty"`

	IsValidatingAdmissionPolicy bool `json:"isValidatingAdmissionPolicy,omitempty"`
	IsMutatingAdmissionPolicy   bool `json:"isMutatingAdmissionPolicy,omitempty"`
	IsValidatingPolicy          bool `json:"isValidatingPolicy,omitempty"`
	IsMutatingPolicy            bool `json:"isMutatingPolicy,omitempty"`
	IsGeneratingPolicy          bool `json:"isGeneratingPolicy,omitempty"`
	IsImageValidatingPolicy     bool `json:"isImageValidatingPolicy,omitempty"`
	IsDeletingPolicy            bool `json:"isDeletingPolicy,omitempty"`
}

// ResourceSpec identifies a resource precisely.
type ResourceSpec struct {
	Group       string `json:"group,omitempty"`
	Version     string `json:"version,omitempty"`
	Kind        string `json:"kind,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Name        string `json:"name,omitempty"`
}

// APICallResponse mocks an apiCall context entry offline.
type APICallResponse struct {
	URL      string               `json:"url,omitempty"`
	URLPath  string               `json:"urlPath,omitempty"`
	Method   string               `json:"method,omitempty"`
	Response APICallResponseValue `json:"response"`
}

// APICallResponseValue is the mocked HTTP response.
type APICallResponseValue struct {
	StatusCode int            `json:"statusCode,omitempty"`
	Body       *apiextv1.JSON `json:"body,omitempty"`
}

// GlobalContextEntryMock mocks a GlobalContextEntry offline.
type GlobalContextEntryMock struct {
	Name          string          `json:"name"`
	Data          *apiextv1.JSON  `json:"data,omitempty"`
	Resources     []apiextv1.JSON `json:"resources,omitempty"`
	ResourceFiles []string        `json:"resourceFiles,omitempty"`
	FieldPath     string          `json:"fieldPath,omitempty"`
	Projections   []Projection    `json:"projections,omitempty"`
}

// Projection is a named JMESPath extract of a global context entry.
type Projection struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

// Values is a values file: variables for policies, rules and resources.
type Values struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	ValuesSpec        `json:",inline"`
}

// ValuesSpec is the body of a Values file (also inline in a Test).
type ValuesSpec struct {
	GlobalValues       map[string]any      `json:"globalValues,omitempty"`
	Policies           []PolicyValues      `json:"policies,omitempty"`
	NamespaceSelectors []NamespaceSelector `json:"namespaceSelector,omitempty"`
	Namespaces         []corev1.Namespace  `json:"namespaces,omitempty"`
	Subresources       []Subresource       `json:"subresources,omitempty"`
}

// PolicyValues holds values for one policy.
type PolicyValues struct {
	Name      string           `json:"name"`
	Resources []ResourceValues `json:"resources,omitempty"`
	Rules     []RuleValues     `json:"rules,omitempty"`
}

// ResourceValues holds values for one resource.
type ResourceValues struct {
	Name   string         `json:"name"`
	Values map[string]any `json:"values,omitempty"`
}

// RuleValues holds values for one rule.
type RuleValues struct {
	Name          string           `json:"name"`
	Values        map[string]any   `json:"values,omitempty"`
	ForeachValues map[string][]any `json:"foreachValues,omitempty"`
}

// NamespaceSelector gives the labels of a namespace.
type NamespaceSelector struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
}

// Subresource describes a subresource and its parent.
type Subresource struct {
	Subresource    metav1.APIResource `json:"subresource"`
	ParentResource metav1.APIResource `json:"parentResource"`
}

// UserInfo is a user-info file: the requester's roles and identity.
type UserInfo struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	RequestInfo       `json:",inline"`
}

// RequestInfo is the requester's identity with its bound roles.
type RequestInfo struct {
	Roles             []string                  `json:"roles,omitempty"`
	ClusterRoles      []string                  `json:"clusterRoles,omitempty"`
	AdmissionUserInfo authenticationv1.UserInfo `json:"userInfo,omitempty"`
}
