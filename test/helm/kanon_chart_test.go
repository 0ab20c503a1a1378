package helm

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// chartCase is one documented option (or set of options) of a chart: the
// values given to helm, and what the rendered objects must show.
type chartCase struct {
	name    string
	args    []string
	wantErr string
	check   func(t *testing.T, docs []map[string]any)
}

// testChart lints and renders a chart for every case.
func testChart(t *testing.T, chart string, cases []chartCase) {
	helm, _ := tools(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := template(t, helm, chart, tc.args...)
			if tc.wantErr != "" {
				// helm lint reports a template's fail() only as INFO, so
				// the rendering is what must fail.
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
				}
				return
			}
			lintArgs := append([]string{"lint", "--strict", chartDir(chart), "--namespace", "kanon"}, tc.args...)
			lintOut, code := run(t, helm, lintArgs...)
			if code != 0 {
				t.Fatalf("helm lint failed:\n%s", lintOut)
			}
			if err != nil {
				t.Fatal(err)
			}
			docs := decode(t, out)
			if tc.check != nil {
				tc.check(t, docs)
			}
		})
	}
}

func deployment(t *testing.T, docs []map[string]any) map[string]any {
	t.Helper()
	return find(docs, "Deployment")["kanon-admission-controller"]
}

func container(t *testing.T, docs []map[string]any) map[string]any {
	t.Helper()
	c, _ := get(deployment(t, docs), "spec", "template", "spec", "containers", 0).(map[string]any)
	if c == nil {
		t.Fatal("no admission controller container")
	}
	return c
}

func args(t *testing.T, docs []map[string]any) []string {
	t.Helper()
	var out []string
	for _, a := range get(container(t, docs), "args").([]any) {
		out = append(out, a.(string))
	}
	return out
}

func wantArg(t *testing.T, docs []map[string]any, arg string) {
	t.Helper()
	if a := args(t, docs); !slices.Contains(a, arg) {
		t.Errorf("kanon serve args lack %q: %v", arg, a)
	}
}

func configData(t *testing.T, docs []map[string]any, name string) map[string]any {
	t.Helper()
	cm := find(docs, "ConfigMap")[name]
	if cm == nil {
		t.Fatalf("no ConfigMap %s", name)
	}
	return cm["data"].(map[string]any)
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantCount(t *testing.T, docs []map[string]any, kind string, n int) {
	t.Helper()
	if got := len(find(docs, kind)); got != n {
		t.Errorf("%d %s objects, want %d", got, kind, n)
	}
}

// noWildcards checks every Role and ClusterRole: no "*" verb, resource or group.
func noWildcards(t *testing.T, docs []map[string]any) {
	t.Helper()
	for _, d := range docs {
		if d["kind"] != "Role" && d["kind"] != "ClusterRole" {
			continue
		}
		rules, _ := d["rules"].([]any)
		for _, r := range rules {
			for _, field := range []string{"verbs", "resources", "apiGroups"} {
				for _, v := range get(r, field).([]any) {
					if v == "*" {
						t.Errorf("%s %s grants %s *", d["kind"], str(d, "metadata", "name"), field)
					}
				}
			}
		}
	}
}

func TestKanonChart(t *testing.T) {
	testChart(t, "kanon", []chartCase{
		{
			name: "defaults",
			check: func(t *testing.T, docs []map[string]any) {
				crds := find(docs, "CustomResourceDefinition")
				for _, name := range []string{"clusterpolicies.kyverno.io", "policies.kyverno.io", "policyreports.wgpolicyk8s.io", "clusterpolicyreports.wgpolicyk8s.io"} {
					if crds[name] == nil {
						t.Errorf("CRD %s missing", name)
					}
				}
				wantCount(t, docs, "Deployment", 1)
				wantCount(t, docs, "Service", 2)
				wantCount(t, docs, "PodDisruptionBudget", 0)
				wantCount(t, docs, "ServiceMonitor", 0)
				wantCount(t, docs, "Job", 1)
				d := deployment(t, docs)
				wantEqual(t, "replicas", get(d, "spec", "replicas"), nil)
				c := container(t, docs)
				wantEqual(t, "image", c["image"], "ghcr.io/kanon-policy/kanon:0.1.0")
				sc := c["securityContext"]
				wantEqual(t, "runAsNonRoot", get(sc, "runAsNonRoot"), true)
				wantEqual(t, "readOnlyRootFilesystem", get(sc, "readOnlyRootFilesystem"), true)
				wantEqual(t, "allowPrivilegeEscalation", get(sc, "allowPrivilegeEscalation"), false)
				wantEqual(t, "capabilities.drop", get(sc, "capabilities", "drop"), []any{"ALL"})
				wantEqual(t, "seccompProfile.type", get(sc, "seccompProfile", "type"), "RuntimeDefault")
				wantEqual(t, "liveness path", get(c, "livenessProbe", "httpGet", "path"), "/health/liveness")
				wantEqual(t, "readiness path", get(c, "readinessProbe", "httpGet", "path"), "/health/readiness")
				wantEqual(t, "memory limit", get(c, "resources", "limits", "memory"), "384Mi")
				for _, a := range []string{"serve", "--service-name=kanon-svc", "--service-port=443", "--port=9443", "--tls-secret=kanon-svc.kanon.svc.kanon-tls",
					"--config-map=kanon", "--leader-elect=true", "--lease-name=kanon-admission-controller",
					"--webhook-timeout-seconds=10", "--metrics-address=:8000", "--log-format=text", "-v=2"} {
					wantArg(t, docs, a)
				}
				svc := find(docs, "Service")["kanon-svc"]
				wantEqual(t, "service port", get(svc, "spec", "ports", 0, "port"), 443)
				wantEqual(t, "service targetPort", get(svc, "spec", "ports", 0, "targetPort"), "https")
				data := configData(t, docs, "kanon")
				filters := data["resourceFilters"].(string)
				for _, f := range []string{"[Event,*,*]", "[*/*,kube-system,*]", "[ReplicaSet,*,*]", "[ConfigMap,kanon,kanon]", "[Pod,kanon,kanon-admission-controller-*]"} {
					if !strings.Contains(filters, f) {
						t.Errorf("resourceFilters lacks %s: %s", f, filters)
					}
				}
				wantEqual(t, "excludeGroups", data["excludeGroups"], "system:nodes")
				wantEqual(t, "webhooks", data["webhooks"], `{"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","kanon"]}]}}`)
				wantEqual(t, "webhookAnnotations", data["webhookAnnotations"], `{"admissions.enforcer/disabled":"true"}`)
				wantEqual(t, "defaultRegistry", data["defaultRegistry"], "docker.io")
				wantEqual(t, "enableDefaultRegistryMutation", data["enableDefaultRegistryMutation"], "true")
				wantEqual(t, "generateSuccessEvents", data["generateSuccessEvents"], "false")
				roles := find(docs, "ClusterRole")
				agg := roles["kanon:admission-controller"]
				wantEqual(t, "aggregation selector", get(agg, "aggregationRule", "clusterRoleSelectors", 0, "matchLabels", "rbac.kanon.io/aggregate-to-admission-controller"), "true")
				wantEqual(t, "core role label", get(roles["kanon:admission-controller:core"], "metadata", "labels", "rbac.kanon.io/aggregate-to-admission-controller"), "true")
				for _, name := range []string{"kanon:rbac:admin", "kanon:rbac:view", "kanon:webhooks-cleanup"} {
					if roles[name] == nil {
						t.Errorf("ClusterRole %s missing", name)
					}
				}
				noWildcards(t, docs)
				job := one(t, docs, "Job")
				wantEqual(t, "hook", get(job, "metadata", "annotations", "helm.sh/hook"), "pre-delete")
				wantEqual(t, "cleanup args", get(job, "spec", "template", "spec", "containers", 0, "args"),
					[]any{"cleanup", "webhooks", "--deployment=kanon-admission-controller", "--timeout=120s"})
			},
		},
		{
			name: "crds.install false",
			args: []string{"--set", "crds.install=false"},
			check: func(t *testing.T, docs []map[string]any) {
				wantCount(t, docs, "CustomResourceDefinition", 0)
			},
		},
		{
			name: "crds annotations and labels",
			args: []string{"--set", "crds.annotations.helm\\.sh/resource-policy=keep", "--set", "crds.customLabels.team=platform"},
			check: func(t *testing.T, docs []map[string]any) {
				for name, crd := range find(docs, "CustomResourceDefinition") {
					wantEqual(t, name+" keep", get(crd, "metadata", "annotations", "helm.sh/resource-policy"), "keep")
					wantEqual(t, name+" label", get(crd, "metadata", "labels", "team"), "platform")
					wantEqual(t, name+" controller-gen annotation kept", get(crd, "metadata", "annotations", "controller-gen.kubebuilder.io/version") != nil, true)
				}
			},
		},
		{
			name: "replicas and PodDisruptionBudget minAvailable",
			args: []string{"--set", "admissionController.replicas=3", "--set", "admissionController.podDisruptionBudget.enabled=true", "--set", "admissionController.podDisruptionBudget.minAvailable=2"},
			check: func(t *testing.T, docs []map[string]any) {
				wantEqual(t, "replicas", get(deployment(t, docs), "spec", "replicas"), 3)
				pdb := one(t, docs, "PodDisruptionBudget")
				wantEqual(t, "minAvailable", get(pdb, "spec", "minAvailable"), 2)
				wantEqual(t, "maxUnavailable", get(pdb, "spec", "maxUnavailable"), nil)
				wantEqual(t, "selector", get(pdb, "spec", "selector", "matchLabels", "app.kubernetes.io/component"), "admission-controller")
			},
		},
		{
			name: "PodDisruptionBudget maxUnavailable",
			args: []string{"--set", "admissionController.podDisruptionBudget.enabled=true", "--set", "admissionController.podDisruptionBudget.maxUnavailable=1"},
			check: func(t *testing.T, docs []map[string]any) {
				pdb := one(t, docs, "PodDisruptionBudget")
				wantEqual(t, "maxUnavailable", get(pdb, "spec", "maxUnavailable"), 1)
				wantEqual(t, "minAvailable", get(pdb, "spec", "minAvailable"), nil)
			},
		},
		{
			name: "ServiceMonitor",
			args: []string{"--set", "admissionController.serviceMonitor.enabled=true", "--set", "admissionController.serviceMonitor.additionalLabels.release=prometheus",
				"--set", "admissionController.serviceMonitor.namespace=monitoring", "--set", "admissionController.serviceMonitor.interval=1m"},
			check: func(t *testing.T, docs []map[string]any) {
				sm := one(t, docs, "ServiceMonitor")
				wantEqual(t, "namespace", get(sm, "metadata", "namespace"), "monitoring")
				wantEqual(t, "label", get(sm, "metadata", "labels", "release"), "prometheus")
				wantEqual(t, "port", get(sm, "spec", "endpoints", 0, "port"), "metrics-port")
				wantEqual(t, "interval", get(sm, "spec", "endpoints", 0, "interval"), "1m")
				wantEqual(t, "namespaceSelector", get(sm, "spec", "namespaceSelector", "matchNames"), []any{"kanon"})
			},
		},
		{
			name:    "ServiceMonitor without metrics Service",
			args:    []string{"--set", "admissionController.serviceMonitor.enabled=true", "--set", "admissionController.metricsService.create=false"},
			wantErr: "serviceMonitor.enabled needs admissionController.metricsService.create",
		},
		{
			name: "no metrics Service",
			args: []string{"--set", "admissionController.metricsService.create=false"},
			check: func(t *testing.T, docs []map[string]any) {
				wantCount(t, docs, "Service", 1)
				wantArg(t, docs, "--metrics-address=")
			},
		},
		{
			name: "metrics port",
			args: []string{"--set", "admissionController.metricsService.port=9100", "--set", "admissionController.webhookServer.port=10250"},
			check: func(t *testing.T, docs []map[string]any) {
				wantArg(t, docs, "--metrics-address=:9100")
				wantArg(t, docs, "--port=10250")
				wantEqual(t, "metrics service port", get(find(docs, "Service")["kanon-svc-metrics"], "spec", "ports", 0, "port"), 9100)
			},
		},
		{
			name: "image tag, registry and pull policy",
			args: []string{"--set", "image.registry=registry.example.com", "--set", "image.repository=mirror/kanon", "--set", "image.tag=v9.9.9", "--set", "image.pullPolicy=Always", "--set", "imagePullSecrets={regcred}"},
			check: func(t *testing.T, docs []map[string]any) {
				c := container(t, docs)
				wantEqual(t, "image", c["image"], "registry.example.com/mirror/kanon:v9.9.9")
				wantEqual(t, "pullPolicy", c["imagePullPolicy"], "Always")
				wantEqual(t, "pull secret", get(deployment(t, docs), "spec", "template", "spec", "imagePullSecrets", 0, "name"), "regcred")
				wantEqual(t, "cleanup image", get(one(t, docs, "Job"), "spec", "template", "spec", "containers", 0, "image"), "registry.example.com/mirror/kanon:v9.9.9")
			},
		},
		{
			name: "image digest",
			args: []string{"--set", "image.digest=sha256:" + strings.Repeat("ab", 32)},
			check: func(t *testing.T, docs []map[string]any) {
				wantEqual(t, "image", container(t, docs)["image"], "ghcr.io/kanon-policy/kanon@sha256:"+strings.Repeat("ab", 32))
			},
		},
		{
			name:    "image digest malformed",
			args:    []string{"--set", "image.digest=latest"},
			wantErr: "/image/digest",
		},
		{
			name: "resource filters: exclude, include and namespaces",
			args: []string{"--set-json", `config.resourceFiltersExclude=["[ReplicaSet,*,*]"]`, "--set-json", `config.resourceFiltersExcludeNamespaces=["kube-public"]`,
				"--set-json", `config.resourceFiltersInclude=["[Secret,*,*]"]`, "--set-json", `config.resourceFiltersIncludeNamespaces=["scratch"]`},
			check: func(t *testing.T, docs []map[string]any) {
				filters := configData(t, docs, "kanon")["resourceFilters"].(string)
				for _, gone := range []string{"[ReplicaSet,*,*]", "[*/*,kube-public,*]"} {
					if strings.Contains(filters, gone) {
						t.Errorf("resourceFilters still has %s", gone)
					}
				}
				for _, f := range []string{"[ReplicaSet/*,*,*]", "[Secret,*,*]", "[*/*,scratch,*]", "[*/*,kube-system,*]"} {
					if !strings.Contains(filters, f) {
						t.Errorf("resourceFilters lacks %s", f)
					}
				}
			},
		},
		{
			name: "resource filters replaced",
			args: []string{"--set-json", `config.resourceFilters=["[Event,*,*]","[*,{{ .Release.Namespace }},*]"]`},
			check: func(t *testing.T, docs []map[string]any) {
				wantEqual(t, "resourceFilters", configData(t, docs, "kanon")["resourceFilters"], "[Event,*,*][*,kanon,*]")
			},
		},
		{
			name:    "resource filter malformed",
			args:    []string{"--set-json", `config.resourceFiltersInclude=["Secret,*,*"]`},
			wantErr: "resourceFiltersInclude",
		},
		{
			name: "excluded groups, users and roles; events; registry",
			args: []string{"--set-json", `config.excludeGroups=["system:nodes","!system:nodes:special"]`, "--set-json", `config.excludeUsernames=["system:kube-scheduler","ci-bot"]`,
				"--set-json", `config.excludeRoles=["kanon:ops"]`, "--set-json", `config.excludeClusterRoles=["cluster-admin"]`,
				"--set", "config.generateSuccessEvents=true", "--set", "config.defaultRegistry=registry.example.com", "--set", "config.enableDefaultRegistryMutation=false"},
			check: func(t *testing.T, docs []map[string]any) {
				data := configData(t, docs, "kanon")
				wantEqual(t, "excludeGroups", data["excludeGroups"], "system:nodes,!system:nodes:special")
				wantEqual(t, "excludeUsernames", data["excludeUsernames"], "system:kube-scheduler,ci-bot")
				wantEqual(t, "excludeRoles", data["excludeRoles"], "kanon:ops")
				wantEqual(t, "excludeClusterRoles", data["excludeClusterRoles"], "cluster-admin")
				wantEqual(t, "generateSuccessEvents", data["generateSuccessEvents"], "true")
				wantEqual(t, "defaultRegistry", data["defaultRegistry"], "registry.example.com")
				wantEqual(t, "enableDefaultRegistryMutation", data["enableDefaultRegistryMutation"], "false")
			},
		},
		{
			// Helm merges maps given with --set-json into the defaults.
			name: "webhooks selectors, annotations and labels",
			args: []string{"--set-json", `config.webhooks={"namespaceSelector":{"matchLabels":{"policy":"on"}},"objectSelector":{"matchExpressions":[{"key":"skip","operator":"DoesNotExist"}]}}`,
				"--set-json", `config.webhookAnnotations={"team":"platform"}`, "--set-json", `config.webhookLabels={"tier":"security"}`},
			check: func(t *testing.T, docs []map[string]any) {
				data := configData(t, docs, "kanon")
				wantEqual(t, "webhooks", data["webhooks"], `{"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","kanon"]}],"matchLabels":{"policy":"on"}},"objectSelector":{"matchExpressions":[{"key":"skip","operator":"DoesNotExist"}]}}`)
				wantEqual(t, "webhookAnnotations", data["webhookAnnotations"], `{"admissions.enforcer/disabled":"true","team":"platform"}`)
				wantEqual(t, "webhookLabels", data["webhookLabels"], `{"tier":"security"}`)
			},
		},
		{
			name: "excludeKanonNamespace false",
			args: []string{"--set", "config.excludeKanonNamespace=false"},
			check: func(t *testing.T, docs []map[string]any) {
				wantEqual(t, "webhooks", configData(t, docs, "kanon")["webhooks"], `{"namespaceSelector":{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]}}`)
			},
		},
		{
			name: "config name and annotations",
			args: []string{"--set", "config.name=kanon-settings", "--set", "config.annotations.owner=platform"},
			check: func(t *testing.T, docs []map[string]any) {
				wantEqual(t, "annotation", get(find(docs, "ConfigMap")["kanon-settings"], "metadata", "annotations", "owner"), "platform")
				wantArg(t, docs, "--config-map=kanon-settings")
			},
		},
		{
			name: "config.create false",
			args: []string{"--set", "config.create=false", "--set", "config.name=my-config"},
			check: func(t *testing.T, docs []map[string]any) {
				wantCount(t, docs, "ConfigMap", 0)
				wantArg(t, docs, "--config-map=my-config")
			},
		},
		{
			name: "logging and timeout",
			args: []string{"--set", "features.logging.format=json", "--set", "features.logging.verbosity=4", "--set", "admissionController.webhookTimeoutSeconds=25"},
			check: func(t *testing.T, docs []map[string]any) {
				wantArg(t, docs, "--log-format=json")
				wantArg(t, docs, "-v=4")
				wantArg(t, docs, "--webhook-timeout-seconds=25")
			},
		},
		{
			name:    "logging format unknown",
			args:    []string{"--set", "features.logging.format=xml"},
			wantErr: "/features/logging/format",
		},
		{
			name:    "webhook timeout out of range",
			args:    []string{"--set", "admissionController.webhookTimeoutSeconds=31"},
			wantErr: "/admissionController/webhookTimeoutSeconds",
		},
		{
			name: "extra args and environment",
			args: []string{"--set", "admissionController.container.extraArgs.dump-payload=true", "--set-json", `admissionController.container.extraEnvVars=[{"name":"GOMEMLIMIT","value":"300MiB"}]`},
			check: func(t *testing.T, docs []map[string]any) {
				wantArg(t, docs, "--dump-payload=true")
				env := get(container(t, docs), "env").([]any)
				wantEqual(t, "extra env", get(env[len(env)-1], "name"), "GOMEMLIMIT")
			},
		},
		{
			name: "resources and probes",
			args: []string{"--set", "admissionController.container.resources.limits.memory=1Gi", "--set", "admissionController.livenessProbe.periodSeconds=60", "--set", "admissionController.startupProbe=null"},
			check: func(t *testing.T, docs []map[string]any) {
				c := container(t, docs)
				wantEqual(t, "memory limit", get(c, "resources", "limits", "memory"), "1Gi")
				wantEqual(t, "liveness period", get(c, "livenessProbe", "periodSeconds"), 60)
				wantEqual(t, "startupProbe", c["startupProbe"], nil)
			},
		},
		{
			name: "scheduling",
			args: []string{"--set", "admissionController.nodeSelector.pool=system", "--set-json", `admissionController.tolerations=[{"key":"dedicated","operator":"Exists"}]`,
				"--set", "admissionController.antiAffinity.enabled=false", "--set-json", `admissionController.topologySpreadConstraints=[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway"}]`,
				"--set", "admissionController.priorityClassName=system-cluster-critical", "--set", "admissionController.podLabels.team=platform", "--set", "admissionController.podAnnotations.note=x",
				"--set", "admissionController.annotations.owner=platform", "--set", "admissionController.revisionHistoryLimit=2"},
			check: func(t *testing.T, docs []map[string]any) {
				d := deployment(t, docs)
				spec := get(d, "spec", "template", "spec")
				wantEqual(t, "nodeSelector", get(spec, "nodeSelector", "pool"), "system")
				wantEqual(t, "toleration", get(spec, "tolerations", 0, "key"), "dedicated")
				wantEqual(t, "affinity", get(spec, "affinity"), nil)
				wantEqual(t, "topology", get(spec, "topologySpreadConstraints", 0, "maxSkew"), 1)
				wantEqual(t, "priorityClassName", get(spec, "priorityClassName"), "system-cluster-critical")
				wantEqual(t, "pod label", get(d, "spec", "template", "metadata", "labels", "team"), "platform")
				wantEqual(t, "pod annotation", get(d, "spec", "template", "metadata", "annotations", "note"), "x")
				wantEqual(t, "annotation", get(d, "metadata", "annotations", "owner"), "platform")
				wantEqual(t, "revisionHistoryLimit", get(d, "spec", "revisionHistoryLimit"), 2)
			},
		},
		{
			name: "host network",
			args: []string{"--set", "admissionController.hostNetwork=true"},
			check: func(t *testing.T, docs []map[string]any) {
				spec := get(deployment(t, docs), "spec", "template", "spec")
				wantEqual(t, "hostNetwork", get(spec, "hostNetwork"), true)
				wantEqual(t, "dnsPolicy", get(spec, "dnsPolicy"), "ClusterFirstWithHostNet")
			},
		},
		{
			name: "NodePort services",
			args: []string{"--set", "admissionController.service.type=NodePort", "--set", "admissionController.service.nodePort=30443", "--set", "admissionController.service.annotations.a=b",
				"--set", "admissionController.metricsService.type=NodePort", "--set", "admissionController.metricsService.nodePort=30800"},
			check: func(t *testing.T, docs []map[string]any) {
				svcs := find(docs, "Service")
				wantEqual(t, "nodePort", get(svcs["kanon-svc"], "spec", "ports", 0, "nodePort"), 30443)
				wantEqual(t, "annotation", get(svcs["kanon-svc"], "metadata", "annotations", "a"), "b")
				wantEqual(t, "metrics nodePort", get(svcs["kanon-svc-metrics"], "spec", "ports", 0, "nodePort"), 30800)
			},
		},
		{
			name: "service account name and annotations",
			args: []string{"--set", "admissionController.rbac.serviceAccount.name=policy-engine", "--set", "admissionController.rbac.serviceAccount.annotations.iam=role"},
			check: func(t *testing.T, docs []map[string]any) {
				sa := find(docs, "ServiceAccount")["policy-engine"]
				wantEqual(t, "annotation", get(sa, "metadata", "annotations", "iam"), "role")
				wantEqual(t, "deployment SA", get(deployment(t, docs), "spec", "template", "spec", "serviceAccountName"), "policy-engine")
				wantEqual(t, "binding subject", get(find(docs, "ClusterRoleBinding")["kanon:admission-controller"], "subjects", 0, "name"), "policy-engine")
				wantEqual(t, "role binding subject", get(find(docs, "RoleBinding")["kanon:admission-controller"], "subjects", 0, "name"), "policy-engine")
			},
		},
		{
			name: "rbac.create false",
			args: []string{"--set", "admissionController.rbac.create=false", "--set", "webhooksCleanup.enabled=false", "--set", "rbac.roles.aggregate.admin=false", "--set", "rbac.roles.aggregate.view=false"},
			check: func(t *testing.T, docs []map[string]any) {
				for _, kind := range []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Job"} {
					wantCount(t, docs, kind, 0)
				}
			},
		},
		{
			name: "extra rules: aggregated role and core role",
			args: []string{"--set-json", `admissionController.rbac.clusterRole.extraResources=[{"apiGroups":[""],"resources":["services"],"verbs":["get","list","watch"]}]`,
				"--set-json", `admissionController.rbac.coreClusterRole.extraResources=[{"apiGroups":["apps"],"resources":["deployments"],"verbs":["get"]}]`},
			check: func(t *testing.T, docs []map[string]any) {
				roles := find(docs, "ClusterRole")
				extra := roles["kanon:admission-controller:additional"]
				wantEqual(t, "aggregate label", get(extra, "metadata", "labels", "rbac.kanon.io/aggregate-to-admission-controller"), "true")
				wantEqual(t, "extra rule", get(extra, "rules", 0, "resources"), []any{"services"})
				core := roles["kanon:admission-controller:core"]["rules"].([]any)
				wantEqual(t, "core extra rule", get(core[len(core)-1], "resources"), []any{"deployments"})
			},
		},
		{
			name:    "extra rules with a wildcard verb",
			args:    []string{"--set-json", `admissionController.rbac.clusterRole.extraResources=[{"apiGroups":[""],"resources":["services"],"verbs":["*"]}]`},
			wantErr: "extraResources",
		},
		{
			name: "user roles off",
			args: []string{"--set", "rbac.roles.aggregate.admin=false", "--set", "rbac.roles.aggregate.view=false"},
			check: func(t *testing.T, docs []map[string]any) {
				roles := find(docs, "ClusterRole")
				if roles["kanon:rbac:admin"] != nil || roles["kanon:rbac:view"] != nil {
					t.Error("admin/view roles rendered")
				}
			},
		},
		{
			name: "webhooks cleanup off",
			args: []string{"--set", "webhooksCleanup.enabled=false"},
			check: func(t *testing.T, docs []map[string]any) {
				wantCount(t, docs, "Job", 0)
				if find(docs, "ClusterRole")["kanon:webhooks-cleanup"] != nil {
					t.Error("cleanup role rendered")
				}
			},
		},
		{
			name: "webhooks cleanup settings",
			args: []string{"--set", "webhooksCleanup.timeoutSeconds=300", "--set", "webhooksCleanup.ttlSecondsAfterFinished=0", "--set", "webhooksCleanup.nodeSelector.pool=system",
				"--set", "webhooksCleanup.podLabels.a=b", "--set", "webhooksCleanup.resources.limits.memory=128Mi"},
			check: func(t *testing.T, docs []map[string]any) {
				job := one(t, docs, "Job")
				wantEqual(t, "timeout arg", get(job, "spec", "template", "spec", "containers", 0, "args", 3), "--timeout=300s")
				wantEqual(t, "ttl", get(job, "spec", "ttlSecondsAfterFinished"), 0)
				wantEqual(t, "nodeSelector", get(job, "spec", "template", "spec", "nodeSelector", "pool"), "system")
				wantEqual(t, "pod label", get(job, "spec", "template", "metadata", "labels", "a"), "b")
				wantEqual(t, "memory", get(job, "spec", "template", "spec", "containers", 0, "resources", "limits", "memory"), "128Mi")
			},
		},
		{
			name: "names and namespace overrides",
			args: []string{"--set", "fullnameOverride=policy", "--set", "namespaceOverride=security"},
			check: func(t *testing.T, docs []map[string]any) {
				d := find(docs, "Deployment")["policy-admission-controller"]
				wantEqual(t, "namespace", get(d, "metadata", "namespace"), "security")
				for _, a := range []string{"--service-name=policy-svc", "--tls-secret=policy-svc.security.svc.kanon-tls", "--config-map=policy", "--lease-name=policy-admission-controller"} {
					if !slices.Contains(anyStrings(get(d, "spec", "template", "spec", "containers", 0, "args")), a) {
						t.Errorf("args lack %s", a)
					}
				}
				if !strings.Contains(configData(t, docs, "policy")["webhooks"].(string), `"security"`) {
					t.Error("webhooks selector does not exclude the overridden namespace")
				}
			},
		},
		{
			name: "nameOverride",
			args: []string{"--set", "nameOverride=guard"},
			check: func(t *testing.T, docs []map[string]any) {
				if find(docs, "Deployment")["kanon-guard-admission-controller"] == nil {
					t.Errorf("deployments: %v", keys(find(docs, "Deployment")))
				}
			},
		},
		{
			name:    "unknown value",
			args:    []string{"--set", "admissionController.replicaCount=2"},
			wantErr: "replicaCount",
		},
	})
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
