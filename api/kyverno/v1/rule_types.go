package v1

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Rule is one validate, mutate, generate or verifyImages rule.
type Rule struct {
	Name    string          `json:"name"`
	Context []ContextEntry  `json:"context,omitempty"`
	Match   MatchResources  `json:"match,omitempty"`
	Exclude *MatchResources `json:"exclude,omitempty"`
	// ImageExtractors maps a kind to custom image locations.
	ImageExtractors map[string][]ImageExtractorConfig `json:"imageExtractors,omitempty"`
	// Preconditions are JMESPath conditions: {any: [...], all: [...]} or a legacy list.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawAnyAllConditions *apiextv1.JSON                           `json:"preconditions,omitempty"`
	CELPreconditions    []admissionregistrationv1.MatchCondition `json:"celPreconditions,omitempty"`
	Mutation            *Mutation                                `json:"mutate,omitempty"`
	Validation          *Validation                              `json:"validate,omitempty"`
	Generation          *Generation                              `json:"generate,omitempty"`
	VerifyImages        []ImageVerification                      `json:"verifyImages,omitempty"`
	// SkipBackgroundRequests ignores requests from the background controller.
	// +kubebuilder:default=true
	SkipBackgroundRequests *bool             `json:"skipBackgroundRequests,omitempty"`
	ReportProperties       map[string]string `json:"reportProperties,omitempty"`
}

// ImageExtractorConfig locates images in custom resources.
type ImageExtractorConfig struct {
	Path     string `json:"path"`
	Value    string `json:"value,omitempty"`
	Name     string `json:"name,omitempty"`
	Key      string `json:"key,omitempty"`
	JMESPath string `json:"jmesPath,omitempty"`
}

// MatchResources selects resources by kind, name, namespace, labels, user info.
// Either Any, All, or the legacy inline ResourceDescription/UserInfo form.
type MatchResources struct {
	Any ResourceFilters `json:"any,omitempty"`
	All ResourceFilters `json:"all,omitempty"`
	// Legacy form.
	UserInfo  `json:",inline"`
	Resources ResourceDescription `json:"resources,omitempty"`
}

// ResourceFilters is a list of ResourceFilter.
type ResourceFilters []ResourceFilter

// ResourceFilter is one entry of match/exclude any or all.
type ResourceFilter struct {
	UserInfo  `json:",inline"`
	Resources ResourceDescription `json:"resources,omitempty"`
}

// UserInfo selects requests by requester.
type UserInfo struct {
	Roles        []string         `json:"roles,omitempty"`
	ClusterRoles []string         `json:"clusterRoles,omitempty"`
	Subjects     []rbacv1.Subject `json:"subjects,omitempty"`
}

// ResourceDescription describes resources by attributes; attributes are ANDed,
// list items ORed.
type ResourceDescription struct {
	Kinds []string `json:"kinds,omitempty"`
	// Name is deprecated; use Names.
	Name              string                `json:"name,omitempty"`
	Names             []string              `json:"names,omitempty"`
	Namespaces        []string              `json:"namespaces,omitempty"`
	Annotations       map[string]string     `json:"annotations,omitempty"`
	Selector          *metav1.LabelSelector `json:"selector,omitempty"`
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`
	Operations        []string              `json:"operations,omitempty"`
}

// ContextEntry adds a named value to the rule's JMESPath context.
type ContextEntry struct {
	Name            string                       `json:"name"`
	ConfigMap       *ConfigMapReference          `json:"configMap,omitempty"`
	APICall         *ContextAPICall              `json:"apiCall,omitempty"`
	ImageRegistry   *ImageRegistry               `json:"imageRegistry,omitempty"`
	Variable        *Variable                    `json:"variable,omitempty"`
	GlobalReference *GlobalContextEntryReference `json:"globalReference,omitempty"`
}

// ConfigMapReference names a ConfigMap.
type ConfigMapReference struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

// ContextAPICall is a Kubernetes API or external service call.
type ContextAPICall struct {
	APICall `json:",inline"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Default *apiextv1.JSON `json:"default,omitempty"`
}

// APICall describes the request.
type APICall struct {
	URLPath  string        `json:"urlPath,omitempty"`
	Method   string        `json:"method,omitempty"`
	Data     []RequestData `json:"data,omitempty"`
	Service  *ServiceCall  `json:"service,omitempty"`
	JMESPath string        `json:"jmesPath,omitempty"`
}

// RequestData is one key of a POST body.
type RequestData struct {
	Key string `json:"key"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Value *apiextv1.JSON `json:"value"`
}

// ServiceCall is an external HTTP call.
type ServiceCall struct {
	URL      string       `json:"url"`
	Headers  []HTTPHeader `json:"headers,omitempty"`
	CABundle string       `json:"caBundle,omitempty"`
}

// HTTPHeader is one request header.
type HTTPHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ImageRegistry fetches image metadata.
type ImageRegistry struct {
	Reference                string                    `json:"reference"`
	JMESPath                 string                    `json:"jmesPath,omitempty"`
	ImageRegistryCredentials *ImageRegistryCredentials `json:"imageRegistryCredentials,omitempty"`
}

// ImageRegistryCredentials configures registry authentication.
type ImageRegistryCredentials struct {
	AllowInsecureRegistry bool     `json:"allowInsecureRegistry,omitempty"`
	Providers             []string `json:"providers,omitempty"`
	Secrets               []string `json:"secrets,omitempty"`
}

// Variable is an inline context value.
type Variable struct {
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Value    *apiextv1.JSON `json:"value,omitempty"`
	JMESPath string         `json:"jmesPath,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Default *apiextv1.JSON `json:"default,omitempty"`
}

// GlobalContextEntryReference reads a GlobalContextEntry.
type GlobalContextEntryReference struct {
	Name     string `json:"name"`
	JMESPath string `json:"jmesPath,omitempty"`
}

// Validation is a validate rule.
type Validation struct {
	// +kubebuilder:validation:Enum=Audit;Enforce
	FailureAction          *string                           `json:"failureAction,omitempty"`
	FailureActionOverrides []ValidationFailureActionOverride `json:"failureActionOverrides,omitempty"`
	// AllowExistingViolations skips Enforce on updates of already failing resources.
	// +kubebuilder:default=true
	AllowExistingViolations *bool               `json:"allowExistingViolations,omitempty"`
	Message                 string              `json:"message,omitempty"`
	Manifests               *Manifests          `json:"manifests,omitempty"`
	ForEachValidation       []ForEachValidation `json:"foreach,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawPattern *apiextv1.JSON `json:"pattern,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawAnyPattern *apiextv1.JSON `json:"anyPattern,omitempty"`
	Deny          *Deny          `json:"deny,omitempty"`
	PodSecurity   *PodSecurity   `json:"podSecurity,omitempty"`
	CEL           *CEL           `json:"cel,omitempty"`
	// Assert is deprecated and has no effect.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	Assert *apiextv1.JSON `json:"assert,omitempty"`
}

// Deny fails the rule when its conditions hold.
type Deny struct {
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawAnyAllConditions *apiextv1.JSON `json:"conditions,omitempty"`
}

// ForEachValidation applies a validation to each element of a list.
type ForEachValidation struct {
	List         string         `json:"list"`
	ElementScope *bool          `json:"elementScope,omitempty"`
	Context      []ContextEntry `json:"context,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	AnyAllConditions *apiextv1.JSON `json:"preconditions,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawPattern *apiextv1.JSON `json:"pattern,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawAnyPattern *apiextv1.JSON `json:"anyPattern,omitempty"`
	Deny          *Deny          `json:"deny,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	ForEachValidation *apiextv1.JSON `json:"foreach,omitempty"`
}

// PodSecurity applies a Pod Security Standards level.
type PodSecurity struct {
	// +kubebuilder:validation:Enum=privileged;baseline;restricted
	Level   string                `json:"level,omitempty"`
	Version string                `json:"version,omitempty"`
	Exclude []PodSecurityStandard `json:"exclude,omitempty"`
}

// PodSecurityStandard exempts a control.
type PodSecurityStandard struct {
	ControlName     string   `json:"controlName"`
	Images          []string `json:"images,omitempty"`
	RestrictedField string   `json:"restrictedField,omitempty"`
	Values          []string `json:"values,omitempty"`
}

// CEL is a validate.cel block.
type CEL struct {
	Generate         *bool             `json:"generate,omitempty"`
	Expressions      []CELValidation   `json:"expressions,omitempty"`
	ParamKind        *ParamKind        `json:"paramKind,omitempty"`
	ParamRef         *ParamRef         `json:"paramRef,omitempty"`
	AuditAnnotations []AuditAnnotation `json:"auditAnnotations,omitempty"`
	Variables        []CELVariable     `json:"variables,omitempty"`
}

// CELValidation is one CEL expression.
type CELValidation struct {
	Expression        string               `json:"expression"`
	Message           string               `json:"message,omitempty"`
	MessageExpression string               `json:"messageExpression,omitempty"`
	Reason            *metav1.StatusReason `json:"reason,omitempty"`
}

// ParamKind names the kind of a parameter resource.
type ParamKind struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// ParamRef references a parameter resource.
type ParamRef struct {
	Name                    string                `json:"name,omitempty"`
	Namespace               string                `json:"namespace,omitempty"`
	Selector                *metav1.LabelSelector `json:"selector,omitempty"`
	ParameterNotFoundAction *string               `json:"parameterNotFoundAction,omitempty"`
}

// AuditAnnotation is a CEL audit annotation.
type AuditAnnotation struct {
	Key             string `json:"key"`
	ValueExpression string `json:"valueExpression"`
}

// CELVariable is a named CEL expression.
type CELVariable struct {
	Name       string `json:"name"`
	Expression string `json:"expression"`
}

// Manifests verifies signed YAML manifests.
type Manifests struct {
	Attestors        []AttestorSet        `json:"attestors,omitempty"`
	AnnotationDomain string               `json:"annotationDomain,omitempty"`
	IgnoreFields     []ObjectFieldBinding `json:"ignoreFields,omitempty"`
	DryRunOption     *DryRunOption        `json:"dryRun,omitempty"`
	Repository       string               `json:"repository,omitempty"`
}

// ObjectFieldBinding lists fields ignored for given objects.
type ObjectFieldBinding struct {
	Fields  []string       `json:"fields,omitempty"`
	Objects []TargetObject `json:"objects,omitempty"`
}

// TargetObject identifies an object.
type TargetObject struct {
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
}

// DryRunOption configures dry-run manifest checks.
type DryRunOption struct {
	Enable    bool   `json:"enable,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// Mutation is a mutate rule.
type Mutation struct {
	MutateExistingOnPolicyUpdate *bool                `json:"mutateExistingOnPolicyUpdate,omitempty"`
	Targets                      []TargetResourceSpec `json:"targets,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawPatchStrategicMerge *apiextv1.JSON    `json:"patchStrategicMerge,omitempty"`
	PatchesJSON6902        string            `json:"patchesJson6902,omitempty"`
	ForEachMutation        []ForEachMutation `json:"foreach,omitempty"`
}

// TargetResourceSpec selects mutate-existing targets.
type TargetResourceSpec struct {
	ResourceSpec `json:",inline"`
	Selector     *metav1.LabelSelector `json:"selector,omitempty"`
	Context      []ContextEntry        `json:"context,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawAnyAllConditions *apiextv1.JSON `json:"preconditions,omitempty"`
}

// ResourceSpec identifies a resource.
type ResourceSpec struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
	UID        string `json:"uid,omitempty"`
}

// ForEachMutation applies a patch per list element.
type ForEachMutation struct {
	// +kubebuilder:validation:Enum=Ascending;Descending
	Order   *string        `json:"order,omitempty"`
	List    string         `json:"list,omitempty"`
	Context []ContextEntry `json:"context,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	AnyAllConditions *apiextv1.JSON `json:"preconditions,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawPatchStrategicMerge *apiextv1.JSON `json:"patchStrategicMerge,omitempty"`
	PatchesJSON6902        string         `json:"patchesJson6902,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	ForEachMutation *apiextv1.JSON `json:"foreach,omitempty"`
}

// Generation is a generate rule.
type Generation struct {
	GenerateExisting               *bool `json:"generateExisting,omitempty"`
	Synchronize                    bool  `json:"synchronize,omitempty"`
	OrphanDownstreamOnPolicyDelete bool  `json:"orphanDownstreamOnPolicyDelete,omitempty"`
	GeneratePattern                `json:",inline"`
	ForEachGeneration              []ForEachGeneration `json:"foreach,omitempty"`
}

// GeneratePattern is the downstream resource and its source.
type GeneratePattern struct {
	ResourceSpec `json:",inline"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	RawData   *apiextv1.JSON `json:"data,omitempty"`
	Clone     CloneFrom      `json:"clone,omitempty"`
	CloneList CloneList      `json:"cloneList,omitempty"`
}

// CloneFrom names the source of a clone.
type CloneFrom struct {
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// CloneList clones every matching source.
type CloneList struct {
	Namespace string                `json:"namespace,omitempty"`
	Kinds     []string              `json:"kinds,omitempty"`
	Selector  *metav1.LabelSelector `json:"selector,omitempty"`
}

// ForEachGeneration generates per list element.
type ForEachGeneration struct {
	List    string         `json:"list,omitempty"`
	Context []ContextEntry `json:"context,omitempty"`
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Schemaless
	AnyAllConditions *apiextv1.JSON `json:"preconditions,omitempty"`
	GeneratePattern  `json:",inline"`
}

// Filters calls fn for the legacy inline block (path "") and then for each
// any and all entry (paths ".any[i]", ".all[i]"), in order; it stops early
// when fn returns false.
func (m *MatchResources) Filters(fn func(path string, f *ResourceFilter) bool) {
	legacy := ResourceFilter{UserInfo: m.UserInfo, Resources: m.Resources}
	if !fn("", &legacy) {
		return
	}
	for i := range m.Any {
		if !fn(fmt.Sprintf(".any[%d]", i), &m.Any[i]) {
			return
		}
	}
	for i := range m.All {
		if !fn(fmt.Sprintf(".all[%d]", i), &m.All[i]) {
			return
		}
	}
}
