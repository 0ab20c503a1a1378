package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

// podSecurityPattern combines the Pod Security "baseline" checks the way
// Kyverno's sample policies write them, plus a few restricted/best-practice
// checks (image tag, memory limit, label presence).
const podSecurityPattern = `{
  "metadata": {"labels": {"app.kubernetes.io/name": "?*"}},
  "spec": {
    "=(hostNetwork)": "false",
    "=(hostPID)": "false",
    "=(hostIPC)": "false",
    "=(securityContext)": {
      "=(seccompProfile)": {"=(type)": "RuntimeDefault | Localhost"},
      "=(sysctls)": [{"=(name)": "kernel.shm_rmid_forced | net.ipv4.ip_local_port_range | net.ipv4.ip_unprivileged_port_start | net.ipv4.tcp_syncookies | net.ipv4.ping_group_range"}]
    },
    "=(volumes)": [{"X(hostPath)": "null"}],
    "=(ephemeralContainers)": [{
      "=(securityContext)": {
        "=(privileged)": "false",
        "=(allowPrivilegeEscalation)": "false",
        "=(capabilities)": {"=(add)": ["AUDIT_WRITE | CHOWN | DAC_OVERRIDE | FOWNER | FSETID | KILL | MKNOD | NET_BIND_SERVICE | SETFCAP | SETGID | SETPCAP | SETUID | SYS_CHROOT"]}
      },
      "=(ports)": [{"=(hostPort)": "0"}]
    }],
    "=(initContainers)": [{
      "=(securityContext)": {
        "=(privileged)": "false",
        "=(allowPrivilegeEscalation)": "false",
        "=(capabilities)": {"=(add)": ["AUDIT_WRITE | CHOWN | DAC_OVERRIDE | FOWNER | FSETID | KILL | MKNOD | NET_BIND_SERVICE | SETFCAP | SETGID | SETPCAP | SETUID | SYS_CHROOT"]}
      },
      "=(ports)": [{"=(hostPort)": "0"}]
    }],
    "containers": [{
      "image": "!*:latest",
      "=(securityContext)": {
        "=(privileged)": "false",
        "=(allowPrivilegeEscalation)": "false",
        "=(capabilities)": {"=(add)": ["AUDIT_WRITE | CHOWN | DAC_OVERRIDE | FOWNER | FSETID | KILL | MKNOD | NET_BIND_SERVICE | SETFCAP | SETGID | SETPCAP | SETUID | SYS_CHROOT"]}
      },
      "=(ports)": [{"=(hostPort)": "0"}],
      "resources": {"limits": {"memory": "<=2Gi", "cpu": "?*"}}
    }]
  }
}`

// podResource is a compliant Pod. The first `"privileged": false` in the text
// belongs to containers[0].
const podResource = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "name": "web",
    "namespace": "default",
    "labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
    "annotations": {"example.com/owner": "team-a"}
  },
  "spec": {
    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "config", "configMap": {"name": "cfg"}}],
    "containers": [
      {
        "name": "web", "image": "nginx:1.25",
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "securityContext": {"privileged": false, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}},
        "resources": {"limits": {"memory": "512Mi", "cpu": "500m"}, "requests": {"memory": "256Mi", "cpu": "250m"}}
      },
      {
        "name": "sidecar", "image": "envoyproxy/envoy:v1.28.0",
        "securityContext": {"privileged": false, "allowPrivilegeEscalation": false},
        "resources": {"limits": {"memory": "128Mi", "cpu": "100m"}}
      }
    ],
    "initContainers": [
      {"name": "init", "image": "busybox:1.36", "securityContext": {"allowPrivilegeEscalation": false, "privileged": false}}
    ]
  }
}`

func TestPodSecurityPattern(t *testing.T) {
	p := MustCompile(decode(t, podSecurityPattern))
	tests := []struct {
		name    string
		edit    func(string) string
		want    outcome
		message string
	}{
		{"compliant pod", func(s string) string { return s }, pass, ""},
		{
			"privileged container",
			func(s string) string { return strings.Replace(s, `"privileged": false`, `"privileged": true`, 1) },
			fail, "resource value 'true' does not match 'false' at path /spec/containers/0/securityContext/privileged/",
		},
		{
			"latest tag",
			func(s string) string { return strings.Replace(s, `nginx:1.25`, `nginx:latest`, 1) },
			fail, "resource value 'nginx:latest' does not match '!*:latest' at path /spec/containers/0/image/",
		},
		{
			"too much memory",
			func(s string) string { return strings.Replace(s, `"memory": "512Mi"`, `"memory": "4Gi"`, 1) },
			fail, "resource value '4Gi' does not match '<=2Gi' at path /spec/containers/0/resources/limits/memory/",
		},
		{
			"host path volume",
			func(s string) string { return strings.Replace(s, `"emptyDir": {}`, `"hostPath": {"path": "/"}`, 1) },
			fail, "negation anchor matched in resource: /spec/volumes/0/hostPath/ is not allowed",
		},
		{
			"disallowed capability",
			func(s string) string {
				return strings.Replace(s, `"NET_BIND_SERVICE"]`, `"NET_BIND_SERVICE", "SYS_ADMIN"]`, 1)
			},
			fail, "~does not match 'AUDIT_WRITE",
		},
		{
			"missing app label",
			func(s string) string { return strings.Replace(s, `"app.kubernetes.io/name": "web", `, ``, 1) },
			fail, "resource value '<nil>' does not match '?*' at path /metadata/labels/app.kubernetes.io/name/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode(t, tt.edit(podResource))
			checkAgainstReference(t, p, res)
			got := p.Match(res)
			switch {
			case tt.want == pass:
				if got != nil {
					t.Fatalf("unexpected error %v", got)
				}
			case got == nil || got.Skip:
				t.Fatalf("want failure, got %v", got)
			case strings.HasPrefix(tt.message, "~"):
				if !strings.Contains(got.Error(), tt.message[1:]) {
					t.Errorf("message %q does not contain %q", got.Error(), tt.message[1:])
				}
			case got.Error() != tt.message:
				t.Errorf("message = %q, want %q", got.Error(), tt.message)
			}
		})
	}
}

func BenchmarkCompilePodSecurity(b *testing.B) {
	var pat any
	if err := json.Unmarshal([]byte(podSecurityPattern), &pat); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(pat); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchPodSecurity(b *testing.B) {
	p := MustCompile(decode(b, podSecurityPattern))
	cases := []struct {
		name string
		res  string
	}{
		{"pass", podResource},
		{"fail", strings.Replace(podResource, `"privileged": false`, `"privileged": true`, 1)},
	}
	for _, c := range cases {
		res := decode(b, c.res)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Match(res)
			}
		})
	}
}

func BenchmarkMatchConditionalSkip(b *testing.B) {
	p := MustCompile(decode(b, `{"spec":{"containers":[{"(image)":"*:latest","imagePullPolicy":"Always"}]}}`))
	res := decode(b, `{"spec":{"containers":[{"image":"a:1"},{"image":"b:2"},{"image":"c:latest","imagePullPolicy":"Always"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		p.Match(res)
	}
}

func BenchmarkMatchExistence(b *testing.B) {
	p := MustCompile(decode(b, `{"spec":{"^(containers)":[{"name":"istio-proxy","image":"*istio*"}]}}`))
	res := decode(b, `{"spec":{"containers":[{"name":"app","image":"app:1"},{"name":"x","image":"x:1"},{"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.20"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		p.Match(res)
	}
}

func BenchmarkMatchMetadataWildcard(b *testing.B) {
	p := MustCompile(decode(b, `{"metadata":{"labels":{"=(app.kubernetes.io/*)":"?*"}}}`))
	res := decode(b, `{"metadata":{"labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/part-of":"shop","tier":"fe"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		p.Match(res)
	}
}
