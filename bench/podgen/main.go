// Command podgen writes N Pod manifests (a mix of ones that comply with the
// Pod Security Standards and ones that break a control) to stdout, for
// benchmarking `kanon apply` on many resources:
//
//	go run ./bench/podgen -n 2000 > /tmp/pods.yaml
//	time bin/kanon apply ../shared/corpus/policies/pod-security/{baseline,restricted} -r /tmp/pods.yaml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
)

// variants are the security settings the generated Pods cycle through.
var variants = []string{
	// compliant with baseline and restricted
	`    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
      seccompProfile:
        type: RuntimeDefault`,
	// privileged
	`    securityContext:
      privileged: true`,
	// adds a capability
	`    securityContext:
      capabilities:
        add: ["NET_ADMIN"]`,
	// no security context at all
	``,
}

func main() {
	n := flag.Int("n", 2000, "number of Pods")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i := 0; i < *n; i++ {
		v := variants[i%len(variants)]
		hostNet := ""
		if i%7 == 3 {
			hostNet = "  hostNetwork: true\n"
		}
		fmt.Fprintf(w, `---
apiVersion: v1
kind: Pod
metadata:
  name: pod-%05d
  namespace: ns-%d
  labels:
    app: bench
spec:
%s  volumes:
  - name: data
    emptyDir: {}
  containers:
  - name: app
    image: registry.example.com/app:%d
    ports:
    - containerPort: 8080
%s
`, i, i%20, hostNet, i%50, v)
	}
}
