package webhook

import (
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestReadReview(t *testing.T) {
	const head = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":`
	tests := []struct {
		name, body string
		// wantErr is the whole 400 message; otherwise object and
		// objectErr are checked.
		wantErr   string
		object    map[string]any
		objectErr string
	}{
		{name: "truncated", body: `{"apiVersion":`, wantErr: "malformed AdmissionReview: truncated JSON (14 bytes)"},
		{name: "truncated string", body: head + `{"uid":"1`, wantErr: "malformed AdmissionReview: truncated JSON (80 bytes)"},
		{name: "syntax error", body: `{"apiVersion" 1}`, wantErr: "malformed AdmissionReview: invalid JSON at byte 15: invalid character '1' after object key"},
		{name: "control character", body: "{\"kind\":\"a\x01\"}", wantErr: `malformed AdmissionReview: invalid JSON at byte 11: invalid character '\x01' in string literal`},
		{name: "trailing data", body: "{} x", wantErr: "malformed AdmissionReview: invalid JSON at byte 4: invalid character 'x' after top-level value"},
		{name: "a list", body: "[]", wantErr: "malformed AdmissionReview: want a JSON object, got a list"},
		{name: "a string", body: `"review"`, wantErr: "malformed AdmissionReview: want a JSON object, got a string"},
		{name: "null", body: "null", wantErr: `expected apiVersion admission.k8s.io/v1 kind AdmissionReview, got apiVersion "" kind ""`},
		{name: "integer uid", body: head + `{"uid":7}}`, wantErr: `malformed AdmissionReview: field "request.uid": want a string, got a number`},
		{name: "float uid", body: head + `{"uid":1.5}}`, wantErr: `malformed AdmissionReview: field "request.uid": want a string, got a number`},
		{name: "request not an object", body: head + `3}`, wantErr: `malformed AdmissionReview: field "request": want an object, got a number`},
		{
			name:   "numbers in the object",
			body:   head + `{"uid":"1","object":{"replicas":3,"ratio":0.5,"zero":-0,"negZero":-0.0,"big":9223372036854775808,"huge":1e400,"list":[1,2.0]}}}`,
			object: map[string]any{"replicas": int64(3), "ratio": 0.5, "zero": int64(0), "negZero": math.Copysign(0, -1), "big": float64(1 << 63), "huge": "1e400", "list": []any{int64(1), 2.0}},
		},
		{name: "object is a number", body: head + `{"uid":"1","object":12}}`, objectErr: "request.object is not a JSON object but a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, PathValidateFail, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/json")
			in, err := readReview(r)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in.object, tc.object) {
				t.Errorf("object %#v, want %#v", in.object, tc.object)
			}
			if v, ok := in.object["negZero"].(float64); ok && !math.Signbit(v) {
				t.Errorf("negZero lost its sign")
			}
			if got := errString(in.objectErr); got != tc.objectErr {
				t.Errorf("objectErr %q, want %q", got, tc.objectErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
