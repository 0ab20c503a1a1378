package jsonvalue

import (
	"bytes"
	"encoding/json"
	"testing"
)

// BenchmarkDecode decodes an AdmissionReview of a Pod (about 5 KB), with
// this package and, for comparison, the way the webhook did before it:
// encoding/json with UseNumber, then a second walk converting numbers.
func BenchmarkDecode(b *testing.B) {
	data := reviewJSON(b)
	b.Run("jsonvalue", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json+UseNumber", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var v map[string]any
			if err := dec.Decode(&v); err != nil {
				b.Fatal(err)
			}
			convertNumbers(v)
		}
	})
}
