package source

// clusterScopedKinds are the built-in (and common add-on) kinds that have no
// namespace. Every other kind is treated as namespaced.
var clusterScopedKinds = map[string]bool{
	"APIService": true, "CertificateSigningRequest": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"ComponentStatus": true, "CSIDriver": true, "CSINode": true, "CustomResourceDefinition": true,
	"FlowSchema": true, "IngressClass": true, "MutatingWebhookConfiguration": true, "Namespace": true,
	"Node": true, "PersistentVolume": true, "PodSecurityPolicy": true, "PriorityClass": true,
	"PriorityLevelConfiguration": true, "RuntimeClass": true, "StorageClass": true, "VolumeAttachment": true,
	"ValidatingWebhookConfiguration": true, "ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true, "SelfSubjectAccessReview": true,
	"SelfSubjectRulesReview": true, "SubjectAccessReview": true, "TokenReview": true, "SelfSubjectReview": true,
	"ClusterPolicy": true, "ClusterPolicyReport": true, "ClusterCleanupPolicy": true, "GlobalContextEntry": true,
	"ClusterEphemeralReport": true, "ClusterReport": true, "ValidatingPolicy": true, "MutatingPolicy": true,
	"GeneratingPolicy": true, "ImageValidatingPolicy": true, "DeletingPolicy": true,
	"ClusterIssuer": true, "ClusterSecretStore": true, "ClusterExternalSecret": true, "ClusterTask": true,
	"ClusterTriggerBinding": true, "ClusterInterceptor": true, "DeviceClass": true, "ResourceSlice": true,
	"VolumeSnapshotClass": true, "VolumeSnapshotContent": true, "NodePool": true, "EC2NodeClass": true,
	"ClusterServingRuntime": true, "GatewayClass": true, "Profile": true, "ClusterImagePolicy": true,
}

// IsClusterScoped reports whether a kind has no namespace.
func IsClusterScoped(kind string) bool { return clusterScopedKinds[kind] }

// defaultNamespace puts a namespaced resource without a namespace in
// "default", as kubectl (and Kyverno's CLI) would.
func defaultNamespace(obj map[string]any) {
	kind, _ := obj["kind"].(string)
	if kind == "" || IsClusterScoped(kind) {
		return
	}
	meta, ok := obj["metadata"].(map[string]any)
	if !ok {
		return
	}
	if ns, _ := meta["namespace"].(string); ns == "" {
		meta["namespace"] = "default"
	}
}
