package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/kanon-policy/kanon/pkg/jsonvalue"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
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

// input is one admission review as the handlers use it: the request's
// fields, typed, and its objects already decoded for the engine. The body
// is parsed once; the objects are not parsed again from raw bytes.
type input struct {
	review *admissionv1.AdmissionReview
	// object, oldObject and options are JSON-compatible values as
	// jsonvalue.Decode returns them (int64 and float64 numbers); nil when
	// absent.
	object, oldObject, options map[string]any
	// objectErr is set when request.object or request.oldObject is present
	// but not a JSON object: the review is answered (denied), not rejected.
	objectErr error
}

// bodyBuffers keeps request-body buffers between reviews; buffers grown by
// an unusually large body are dropped rather than kept.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 256 << 10

func releaseBody(b *bytes.Buffer) {
	if b.Cap() > maxPooledBody {
		return
	}
	b.Reset()
	bodyBuffers.Put(b)
}

// readReview reads and checks an AdmissionReview v1 request body.
func readReview(r *http.Request) (*input, error) {
	if r.Method != http.MethodPost {
		return nil, badRequest("admission reviews are POSTed; got %s", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" && !bytes.HasPrefix([]byte(ct), []byte("application/json;")) {
		return nil, badRequest("Content-Type must be application/json, got %q", ct)
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer releaseBody(buf)
	if n := r.ContentLength; n > 0 && n <= MaxBodySize {
		buf.Grow(int(n) + bytes.MinRead) // one read to EOF, no regrowth
	}
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, MaxBodySize+1)); err != nil {
		return nil, badRequest("reading the request body: %v", err)
	}
	body := buf.Bytes()
	if len(body) > MaxBodySize {
		return nil, badRequest("request body is larger than %d bytes", MaxBodySize)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("empty request body: expected an AdmissionReview")
	}
	// The decoded values never alias body, so its buffer is reused.
	v, err := jsonvalue.Decode(body)
	if err != nil {
		return nil, badRequest("malformed AdmissionReview: %s", describeJSONError(body, err))
	}
	top, isObj := v.(map[string]any)
	if !isObj && v != nil { // null reads as an empty review, refused below
		return nil, badRequest("malformed AdmissionReview: want a JSON object, got %s", jsonType(v))
	}
	f := fields{}
	apiVersion, kind := f.str(top, "apiVersion", ""), f.str(top, "kind", "")
	if f.err == nil && (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview") {
		return nil, badRequest("expected apiVersion admission.k8s.io/v1 kind AdmissionReview, got apiVersion %q kind %q", apiVersion, kind)
	}
	raw, present := top["request"]
	if !present || raw == nil {
		return nil, badRequest("AdmissionReview has no request")
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, badRequest("malformed AdmissionReview: field %q: want an object, got %s", "request", jsonType(raw))
	}
	req := &admissionv1.AdmissionRequest{
		UID:                types.UID(f.str(m, "uid", "request.")),
		Kind:               f.gvk(m, "kind", "request."),
		Resource:           f.gvr(m, "resource", "request."),
		SubResource:        f.str(m, "subResource", "request."),
		RequestSubResource: f.str(m, "requestSubResource", "request."),
		Name:               f.str(m, "name", "request."),
		Namespace:          f.str(m, "namespace", "request."),
		Operation:          admissionv1.Operation(f.str(m, "operation", "request.")),
	}
	if _, ok := m["requestKind"]; ok {
		k := f.gvk(m, "requestKind", "request.")
		req.RequestKind = &k
	}
	if _, ok := m["requestResource"]; ok {
		r := f.gvr(m, "requestResource", "request.")
		req.RequestResource = &r
	}
	if v, ok := m["dryRun"]; ok && v != nil {
		b, isBool := v.(bool)
		if !isBool {
			f.fail("request.dryRun", "a boolean", v)
		}
		req.DryRun = &b
	}
	if u := f.obj(m, "userInfo", "request."); u != nil {
		req.UserInfo.Username = f.str(u, "username", "request.userInfo.")
		req.UserInfo.UID = f.str(u, "uid", "request.userInfo.")
		req.UserInfo.Groups = f.strs(u, "groups", "request.userInfo.")
		if extra := f.obj(u, "extra", "request.userInfo."); extra != nil {
			req.UserInfo.Extra = map[string]authenticationv1.ExtraValue{}
			for k := range extra {
				req.UserInfo.Extra[k] = f.strs(extra, k, "request.userInfo.extra.")
			}
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	if req.UID == "" {
		return nil, badRequest("AdmissionReview request.uid is empty")
	}
	in := &input{review: &admissionv1.AdmissionReview{TypeMeta: metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}, Request: req}}
	for _, o := range []struct {
		key string
		dst *map[string]any
	}{{"object", &in.object}, {"oldObject", &in.oldObject}, {"options", &in.options}} {
		v, ok := m[o.key]
		if !ok || v == nil {
			continue
		}
		obj, isObj := v.(map[string]any)
		if !isObj {
			if o.key != "options" && in.objectErr == nil {
				in.objectErr = fmt.Errorf("request.%s is not a JSON object but %s", o.key, jsonType(v))
			}
			continue
		}
		*o.dst = obj
	}
	return in, nil
}

// fields reads typed fields out of a decoded review, keeping the first
// type error with its field path.
type fields struct{ err error }

func (f *fields) fail(path, want string, got any) {
	if f.err == nil {
		f.err = badRequest("malformed AdmissionReview: field %q: want %s, got %s", path, want, jsonType(got))
	}
}

func (f *fields) str(m map[string]any, key, prefix string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.fail(prefix+key, "a string", v)
	}
	return s
}

func (f *fields) strs(m map[string]any, key, prefix string) []string {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		f.fail(prefix+key, "a list of strings", v)
		return nil
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			f.fail(fmt.Sprintf("%s%s[%d]", prefix, key, i), "a string", e)
		}
		out[i] = s
	}
	return out
}

func (f *fields) obj(m map[string]any, key, prefix string) map[string]any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		f.fail(prefix+key, "an object", v)
	}
	return o
}

func (f *fields) gvk(m map[string]any, key, prefix string) metav1.GroupVersionKind {
	o := f.obj(m, key, prefix)
	p := prefix + key + "."
	return metav1.GroupVersionKind{Group: f.str(o, "group", p), Version: f.str(o, "version", p), Kind: f.str(o, "kind", p)}
}

func (f *fields) gvr(m map[string]any, key, prefix string) metav1.GroupVersionResource {
	o := f.obj(m, key, prefix)
	p := prefix + key + "."
	return metav1.GroupVersionResource{Group: f.str(o, "group", p), Version: f.str(o, "version", p), Resource: f.str(o, "resource", p)}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// describeJSONError turns a decoding error into a message: the size of a
// truncated body, or the byte offset of a syntax error.
func describeJSONError(body []byte, err error) string {
	var syn *jsonvalue.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("truncated JSON (%d bytes)", len(body))
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d: %v", syn.Offset, syn)
	}
	return err.Error()
}
