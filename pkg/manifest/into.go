package manifest

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	sigsjson "sigs.k8s.io/json"
)

// Into converts a decoded document into a typed API object (e.g.
// *kyvernov1.ClusterPolicy) the way the Kubernetes API server reads JSON:
// field names are case-sensitive and integers stay integers.
//
// It returns one warning per unknown field, each naming the source and the
// field path, like
//
//	policies/x.yaml: document 0: unknown field "spec.rules[0].validate.patern"
//
// A value of the wrong type (a string where a list is expected, say) is an
// error naming the source, the document and the field path; there is one
// *Error per such field, joined.
func Into(doc Document, out any) (warnings []string, err error) {
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("manifest.Into: out must be a non-nil pointer, not %T", out)
	}
	fail := func(err error) *Error {
		return &Error{Source: doc.Source, Index: doc.Index, Line: doc.Line, Err: err}
	}
	if problems := checkTypes(doc.Object, rv.Type().Elem()); len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = fail(p)
		}
		return nil, errors.Join(errs...)
	}
	data, err := json.Marshal(doc.Object)
	if err != nil {
		return nil, fail(err)
	}
	strict, err := sigsjson.UnmarshalStrict(data, out, sigsjson.DisallowUnknownFields)
	if err != nil {
		// A problem checkTypes does not foresee.
		var fe sigsjson.FieldError
		if errors.As(err, &fe) && fe.FieldPath() != "" {
			return nil, fail(fmt.Errorf("%s: %w", fe.FieldPath(), err))
		}
		return nil, fail(err)
	}
	for _, e := range strict {
		w := fmt.Sprintf("%s: document %d: %v", doc.Source, doc.Index, e)
		if hint := suggestField(rv.Type().Elem(), e.Error()); hint != "" {
			w += fmt.Sprintf(" (did you mean %q?)", hint)
		}
		warnings = append(warnings, w)
	}
	return warnings, nil
}

// suggestField returns the field that an unknown field differs from only
// in case ("isMUtatingPolicy" for "isMutatingPolicy"): encoding/json, and
// so sigs.k8s.io/yaml, would take it, while Kubernetes does not.
func suggestField(t reflect.Type, msg string) string {
	const prefix = `unknown field "`
	if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, `"`) {
		return ""
	}
	path := msg[len(prefix) : len(msg)-1]
	segs := strings.Split(path, ".")
	for i, seg := range segs {
		// Drop list indices: "rules[0]" is the field "rules" then an element.
		name, _, _ := strings.Cut(seg, "[")
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		last := i == len(segs)-1
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			if last {
				for f := range fields {
					if strings.EqualFold(f, name) {
						return f
					}
				}
				return ""
			}
			ft, ok := fields[name]
			if !ok {
				return ""
			}
			t = ft
		case reflect.Map:
			if last {
				return ""
			}
			t = t.Elem()
		default:
			return ""
		}
		for n := strings.Count(seg, "["); n > 0; n-- {
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
				return ""
			}
			t = t.Elem()
		}
	}
	return ""
}

// fieldTypeError is a value of the wrong type at a field path.
type fieldTypeError struct {
	path string
	msg  string
}

func (e *fieldTypeError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return e.path + ": " + e.msg
}

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkTypes walks a decoded value along a Go type the way encoding/json
// would decode it, and reports every value of the wrong type with its path.
func checkTypes(v any, t reflect.Type) []error {
	var c typeChecker
	c.walk(v, t, "")
	return c.errs
}

type typeChecker struct {
	errs []error
}

func (c *typeChecker) fail(path, want string, v any) {
	c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("expected %s, found %s", want, describe(v))})
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (c *typeChecker) walk(v any, t reflect.Type, path string) {
	if v == nil {
		return // null leaves any field at its zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		// The type decodes itself: let it judge the value.
		data, err := json.Marshal(v)
		if err == nil {
			err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(data)
		}
		if err != nil {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: err.Error()})
		}
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		s, ok := v.(string)
		if !ok {
			c.fail(path, "a string", v)
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: err.Error()})
		}
		return
	}
	switch t.Kind() {
	case reflect.Interface:
		if t.NumMethod() > 0 {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("cannot decode into the interface %v", t)})
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "an object", v)
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			if f, ok := fields[k]; ok {
				c.walk(m[k], f, joinPath(path, k))
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "an object", v)
			return
		}
		kt := t.Key()
		for _, k := range sortedKeys(m) {
			p := joinPath(path, k)
			if kt.Kind() != reflect.String && !reflect.PointerTo(kt).Implements(textUnmarshalerType) {
				if !validMapKey(k, kt) {
					c.errs = append(c.errs, &fieldTypeError{path: p, msg: fmt.Sprintf("the key %q is not a %v", k, kt)})
					continue
				}
			}
			c.walk(m[k], t.Elem(), p)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(jsonUnmarshalerType) {
			s, ok := v.(string)
			if !ok {
				c.fail(path, "a base64 string", v)
			} else if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				c.errs = append(c.errs, &fieldTypeError{path: path, msg: "invalid base64 data"})
			}
			return
		}
		fallthrough
	case reflect.Array:
		s, ok := v.([]any)
		if !ok {
			c.fail(path, "a list", v)
			return
		}
		if t.Kind() == reflect.Array && len(s) > t.Len() {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("expected at most %d items, found %d", t.Len(), len(s))})
		}
		for i, e := range s {
			c.walk(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.fail(path, "a string", v)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.fail(path, "a boolean", v)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := integer(v)
		if !ok {
			c.fail(path, "an integer", v)
		} else if reflect.New(t).Elem().OverflowInt(n) {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("%d is out of range for %v", n, t)})
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, ok := integer(v)
		if !ok || n < 0 {
			c.fail(path, "a non-negative integer", v)
		} else if reflect.New(t).Elem().OverflowUint(uint64(n)) {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("%d is out of range for %v", n, t)})
		}
	case reflect.Float32, reflect.Float64:
		var f float64
		switch x := v.(type) {
		case int64:
			f = float64(x)
		case float64:
			f = x
		default:
			c.fail(path, "a number", v)
			return
		}
		if reflect.New(t).Elem().OverflowFloat(f) {
			c.errs = append(c.errs, &fieldTypeError{path: path, msg: fmt.Sprintf("%v is out of range for %v", f, t)})
		}
	}
}

// integer returns the value of a whole number: an int64, or a float64 that
// encoding/json writes without fraction or exponent.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

func validMapKey(k string, kt reflect.Type) bool {
	switch kt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(k, 10, 64)
		return err == nil && !reflect.New(kt).Elem().OverflowInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(k, 10, 64)
		return err == nil && !reflect.New(kt).Elem().OverflowUint(n)
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields returns the JSON fields of a struct type and their types,
// following encoding/json: tags name fields, "-" hides them, untagged
// embedded structs are inlined, and of several fields with one name the
// shallowest wins, then the tagged one; a tie hides them all.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	type field struct {
		typ    reflect.Type
		depth  int
		tagged bool
		count  int
	}
	found := map[string]*field{}
	type level struct {
		t     reflect.Type
		depth int
	}
	queue := []level{{t, 0}}
	visited := map[reflect.Type]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if visited[cur.t] {
			continue
		}
		visited[cur.t] = true
		for i := 0; i < cur.t.NumField(); i++ {
			sf := cur.t.Field(i)
			ft := sf.Type
			if ft.Name() == "" && ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if sf.Anonymous {
				if !sf.IsExported() && ft.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				queue = append(queue, level{ft, cur.depth + 1})
				continue
			}
			tagged := name != ""
			if !tagged {
				name = sf.Name
			}
			typ := sf.Type
			if strings.Contains(","+opts+",", ",string,") {
				typ = reflect.TypeFor[any]() // quoted numbers: not checked
			}
			f := found[name]
			switch {
			case f == nil || cur.depth < f.depth:
				found[name] = &field{typ: typ, depth: cur.depth, tagged: tagged, count: 1}
			case cur.depth == f.depth:
				if tagged && !f.tagged {
					*f = field{typ: typ, depth: cur.depth, tagged: true, count: 1}
				} else if tagged == f.tagged {
					f.count++
				}
			}
		}
	}
	fields := make(map[string]reflect.Type, len(found))
	for name, f := range found {
		if f.count == 1 {
			fields[name] = f.typ
		}
	}
	fieldCache.Store(t, fields)
	return fields
}
