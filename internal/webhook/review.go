package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// MaxBodySize bounds an AdmissionReview body. The API server limits objects
// to a few MiB; a body above this is rejected before it is parsed.
const MaxBodySize = 16 << 20

// BadRequestError is a malformed AdmissionReview: the server answers with
// HTTP 400 and this message.
type BadRequestError struct{ Msg string }

func (e *BadRequestError) Error() string { return e.Msg }

func badRequest(format string, args ...any) error {
	return &BadRequestError{Msg: fmt.Sprintf(format, args...)}
}

// readReview reads and checks an AdmissionReview v1 request body.
func readReview(r *http.Request) (*admissionv1.AdmissionReview, error) {
	if r.Method != http.MethodPost {
		return nil, badRequest("admission reviews are POSTed; got %s", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" && !bytes.HasPrefix([]byte(ct), []byte("application/json;")) {
		return nil, badRequest("Content-Type must be application/json, got %q", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodySize+1))
	if err != nil {
		return nil, badRequest("reading the request body: %v", err)
	}
	if len(body) > MaxBodySize {
		return nil, badRequest("request body is larger than %d bytes", MaxBodySize)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("empty request body: expected an AdmissionReview")
	}
	var review admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &review); err != nil {
		return nil, badRequest("malformed AdmissionReview: %s", describeJSONError(body, err))
	}
	if review.APIVersion != "admission.k8s.io/v1" || review.Kind != "AdmissionReview" {
		return nil, badRequest("expected apiVersion admission.k8s.io/v1 kind AdmissionReview, got apiVersion %q kind %q", review.APIVersion, review.Kind)
	}
	if review.Request == nil {
		return nil, badRequest("AdmissionReview has no request")
	}
	if review.Request.UID == "" {
		return nil, badRequest("AdmissionReview request.uid is empty")
	}
	return &review, nil
}

// describeJSONError turns a JSON error into a message with the byte offset
// and, for type errors, the field.
func describeJSONError(body []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q: cannot use a JSON %s as %s (byte %d)", typ.Field, typ.Value, typ.Type, typ.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("truncated JSON (%d bytes)", len(body))
	}
	return err.Error()
}

// writeReview writes the response review.
func writeReview(w http.ResponseWriter, review *admissionv1.AdmissionReview) {
	out := admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}, Response: review.Response}
	data, err := json.Marshal(out)
	if err != nil {
		http.Error(w, "encoding the AdmissionReview response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// decodeObject decodes a raw object into the JSON-compatible value the
// engine works on: maps, slices, strings, bools, nil, and numbers as int64
// (integers) or float64, the same shape the CLI's decoder gives.
func decodeObject(raw []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("object is not a JSON object: %s", describeJSONError(raw, err))
	}
	return normalizeNumbers(v).(map[string]any), nil
}

func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
		return t
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil || math.IsInf(f, 0) {
			return string(t) // out of range for float64: keep the digits rather than lose them
		}
		return f
	}
	return v
}
