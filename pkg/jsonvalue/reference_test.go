package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"testing"
)

// reference decodes data the way the webhook did before this package:
// encoding/json with UseNumber, then every json.Number converted.
func reference(data []byte) (any, error) {
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err // Unmarshal checks the whole input, trailing data included
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v), nil
}

// convertNumbers turns each json.Number into an int64 when it is an integer
// that fits, else a float64, else (beyond float64) the string of its digits.
func convertNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = convertNumbers(e)
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) {
			return string(t)
		}
		return f
	}
	return v
}

// diff describes the first difference between two decoded values, telling
// float64 -0 from 0, int64 from float64 and nil from empty; "" when equal.
func diff(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || (g == nil) != (w == nil) || len(g) != len(w) {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s: missing key %q", path, k)
			}
			if d := diff(path+"."+k, gv, wv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || (g == nil) != (w == nil) || len(g) != len(w) {
			return fmt.Sprintf("%s: got %#v, want %#v", path, got, want)
		}
		for i := range w {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i]); d != "" {
				return d
			}
		}
		return ""
	case float64:
		if g, ok := got.(float64); !ok || math.Float64bits(g) != math.Float64bits(w) {
			return fmt.Sprintf("%s: got %#v (%T), want %#v (float64)", path, got, got, want)
		}
		return ""
	}
	if got != want {
		return fmt.Sprintf("%s: got %#v (%T), want %#v (%T)", path, got, got, want, want)
	}
	return ""
}

// agree checks that Decode and the reference accept the same inputs, give
// the same values, and report errors with the same message and offset
// (truncated input: io.ErrUnexpectedEOF at the end of the input).
func agree(t *testing.T, data []byte) {
	t.Helper()
	got, err := Decode(data)
	want, werr := reference(data)
	if (err == nil) != (werr == nil) {
		t.Fatalf("Decode(%.200q): error %v; encoding/json: %v", data, err, werr)
	}
	if err == nil {
		if d := diff("$", got, want); d != "" {
			t.Fatalf("Decode(%.200q): %s", data, d)
		}
		return
	}
	var syn *SyntaxError
	var wsyn *json.SyntaxError
	if !errors.As(err, &syn) || !errors.As(werr, &wsyn) {
		t.Fatalf("Decode(%.200q): errors %T %v and %T %v, want syntax errors", data, err, err, werr, werr)
	}
	truncated := errors.Is(err, io.ErrUnexpectedEOF)
	switch {
	case truncated && (syn.Offset != int64(len(data)) || wsyn.Offset != int64(len(data))):
		t.Fatalf("Decode(%.200q): truncated at %d; encoding/json: %v at %d; want both at %d", data, syn.Offset, werr, wsyn.Offset, len(data))
	case !truncated && (syn.Error() != wsyn.Error() || syn.Offset != wsyn.Offset):
		t.Fatalf("Decode(%.200q): %v at %d; encoding/json: %v at %d", data, err, syn.Offset, werr, wsyn.Offset)
	case !truncated && wsyn.Error() == "unexpected end of JSON input":
		t.Fatalf("Decode(%.200q): %v, not io.ErrUnexpectedEOF", data, err)
	}
}
