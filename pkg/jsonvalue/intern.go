package jsonvalue

// The keys and values that recur in Kubernetes objects and admission
// reviews are decoded without allocating: interned returns a shared copy,
// already boxed. The lookup is an open-addressing table on a hash of the
// length and three bytes, cheaper than a map's hash of every byte.

const (
	commonBits = 10 // table of 1024 slots for about 250 strings
	commonMask = 1<<commonBits - 1
)

type commonEntry struct {
	s string
	v any // s, boxed once
}

var (
	commonEntries []commonEntry
	// commonTable holds 1 + an index into commonEntries; 0 is empty.
	commonTable [1 << commonBits]uint16
	maxCommon   int
)

func init() {
	for _, words := range [][]string{commonKeys, commonValues} {
		for _, w := range words {
			if interned([]byte(w)) != nil {
				continue // listed twice
			}
			commonEntries = append(commonEntries, commonEntry{w, w})
			maxCommon = max(maxCommon, len(w))
			h := commonHash([]byte(w))
			for commonTable[h&commonMask] != 0 {
				h++
			}
			commonTable[h&commonMask] = uint16(len(commonEntries))
		}
	}
}

func commonHash(b []byte) uint32 {
	n := len(b)
	x := uint32(n) | uint32(b[0])<<8 | uint32(b[n/2])<<16 | uint32(b[n-1])<<24
	return x * 0x9e3779b1 >> (32 - commonBits)
}

// interned returns the shared copy of b, boxed, when b is a common string;
// nil otherwise.
func interned(b []byte) any {
	if len(b) == 0 || len(b) > maxCommon {
		return nil
	}
	for h := commonHash(b); ; h++ {
		i := commonTable[h&commonMask]
		if i == 0 {
			return nil
		}
		if e := &commonEntries[i-1]; e.s == string(b) {
			return e.v
		}
	}
}

var commonKeys = []string{
	"apiVersion", "kind", "metadata", "name", "namespace", "uid", "labels", "annotations", "spec",
	"status", "generateName", "creationTimestamp", "deletionTimestamp", "resourceVersion",
	"generation", "ownerReferences", "controller", "blockOwnerDeletion", "finalizers",
	"managedFields", "manager", "operation", "time", "fieldsType", "fieldsV1", "subresource",
	"containers", "initContainers", "ephemeralContainers", "image", "imagePullPolicy", "command",
	"args", "workingDir", "env", "value", "valueFrom", "fieldRef", "fieldPath", "secretKeyRef",
	"configMapKeyRef", "key", "optional", "envFrom", "resources", "limits", "requests", "cpu",
	"memory", "ephemeral-storage", "ports", "containerPort", "hostPort", "protocol", "volumeMounts",
	"mountPath", "subPath", "readOnly", "volumes", "emptyDir", "hostPath", "secret", "secretName",
	"configMap", "persistentVolumeClaim", "claimName", "projected", "sources", "serviceAccountToken",
	"expirationSeconds", "path", "items", "downwardAPI", "defaultMode", "securityContext",
	"privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot", "runAsUser",
	"runAsGroup", "fsGroup", "supplementalGroups", "capabilities", "add", "drop", "seccompProfile",
	"type", "appArmorProfile", "seLinuxOptions", "sysctls", "windowsOptions", "procMount",
	"livenessProbe", "readinessProbe", "startupProbe", "httpGet", "tcpSocket", "exec", "grpc", "port",
	"scheme", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold",
	"failureThreshold", "terminationMessagePath", "terminationMessagePolicy",
	"terminationGracePeriodSeconds", "restartPolicy", "dnsPolicy", "schedulerName",
	"serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
	"nodeSelector", "affinity", "tolerations", "operator", "effect", "tolerationSeconds", "priority",
	"priorityClassName", "enableServiceLinks", "preemptionPolicy", "hostNetwork", "hostPID",
	"hostIPC", "hostUsers", "shareProcessNamespace", "selector", "matchLabels", "matchExpressions",
	"values", "template", "replicas", "strategy", "group", "version", "resource", "request", "object",
	"oldObject", "options", "dryRun", "userInfo", "username", "groups", "extra", "requestKind",
	"requestResource", "subResource", "requestSubResource", "f:metadata", "f:labels", "f:annotations",
	"f:ownerReferences", "f:spec", "f:containers", "f:image", "f:imagePullPolicy", "f:name",
	"f:resources", "f:limits", "f:requests", "f:ports", "f:containerPort", "f:protocol",
	"f:securityContext", "f:terminationMessagePath", "f:terminationMessagePolicy", "f:volumeMounts",
	"f:env", "f:dnsPolicy", "f:enableServiceLinks", "f:restartPolicy", "f:schedulerName",
	"f:terminationGracePeriodSeconds", "f:volumes", "f:status", "f:generateName", "f:app", ".",
}

var commonValues = []string{
	"v1", "Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
	"ConfigMap", "Secret", "Service", "Namespace", "apps", "batch", "pods", "AdmissionReview",
	"admission.k8s.io/v1", "CREATE", "UPDATE", "DELETE", "CONNECT", "Update", "Apply", "FieldsV1",
	"IfNotPresent", "Always", "Never", "OnFailure", "TCP", "UDP", "File", "FallbackToLogsOnError",
	"ClusterFirst", "ClusterFirstWithHostNet", "Default", "default-scheduler", "default",
	"kube-system", "RuntimeDefault", "Localhost", "Unconfined", "ALL", "NET_BIND_SERVICE", "Exists",
	"Equal", "NoExecute", "NoSchedule", "PreferNoSchedule", "node.kubernetes.io/not-ready",
	"node.kubernetes.io/unreachable", "PreemptLowerPriority", "/dev/termination-log",
	"/var/run/secrets/kubernetes.io/serviceaccount", "kube-root-ca.crt", "ca.crt", "token",
	"metadata.namespace", "true", "false",
}
