package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// pods returns a multi-document YAML source of n small Pods.
func pods(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata:
  name: pod-%d
  namespace: team-%d
  labels:
    app: web
    tier: frontend
  annotations:
    example.com/owner: "team-a"
spec:
  containers:
  - name: nginx
    image: nginx:1.25.%d
    args: ["--port", "8080"]
    ports:
    - containerPort: 8080
      protocol: TCP
    resources:
      limits:
        cpu: 500m
        memory: 128Mi
    securityContext:
      runAsNonRoot: true
      allowPrivilegeEscalation: false
  restartPolicy: Always
`, i, i%7, i%10)
	}
	return b.Bytes()
}

func benchmarkDecode(b *testing.B, data []byte, fast bool) {
	fastPaths = fast
	defer func() { fastPaths = true }()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		docs, err := Decode("pods.yaml", data)
		if err != nil || len(docs) != 2000 {
			b.Fatal(len(docs), err)
		}
	}
}

// BenchmarkDecodePods decodes 2,000 Pods (about 1 MB) in one source.
func BenchmarkDecodePods(b *testing.B) {
	benchmarkDecode(b, pods(2000), true)
}

// BenchmarkDecodePodsParser is BenchmarkDecodePods without the fast paths.
func BenchmarkDecodePodsParser(b *testing.B) {
	benchmarkDecode(b, pods(2000), false)
}

// BenchmarkDecodePodsJSON decodes the same Pods as a JSON List.
func BenchmarkDecodePodsJSON(b *testing.B) {
	docs, err := Decode("pods.yaml", pods(2000))
	if err != nil {
		b.Fatal(err)
	}
	items := make([]any, len(docs))
	for i, d := range docs {
		items[i] = d.Object
	}
	data, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkDecode(b, data, true)
}

// BenchmarkDecodePodsSigsYAML is the way of kubectl and Kyverno, for
// comparison: split by the apimachinery reader, decode with sigs.k8s.io/yaml.
func BenchmarkDecodePodsSigsYAML(b *testing.B) {
	data := pods(2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		n := 0
		for {
			doc, err := r.Read()
			if err == io.EOF {
				break
			}
			var v map[string]any
			if err := yaml.Unmarshal(doc, &v); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 2000 {
			b.Fatal(n)
		}
	}
}
