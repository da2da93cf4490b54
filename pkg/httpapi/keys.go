package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"github.com/partnership-grants/backend/pkg/grants"
)

// checkKeys reads the body's tokens before it is decoded into a value of
// type t, and refuses what encoding/json would otherwise take silently:
//   - a key twice in one object: the last would win, so
//     {"amount":300000,"amount":999} would store 999 while a log, a proxy
//     or a reviewer reading the first saw 300000;
//   - two keys that differ only in case ({"amount":1,"Amount":2}):
//     encoding/json matches field names case-insensitively, so both land on
//     one field and again the last wins;
//   - a key that names a field only in another case ({"Amount":1}): the
//     document says "amount", and a client that sends something else has a
//     bug that should show, not work by accident.
//
// It walks every object level, with an explicit stack rather than
// recursion, so that a deeply nested body costs memory in proportion to its
// size and never the goroutine's stack. Syntax errors are left to the
// decoder, which reports them as it always has.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*keyFrame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error: the decoder's to report
		}
		var top *keyFrame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 {
				stack[n-1].valueDone()
			}
			continue
		}
		if top != nil && top.object && top.wantKey {
			key, _ := tok.(string) // the decoder gives nothing else here
			if err := top.addKey(key); err != nil {
				return err
			}
			continue
		}
		path, vt := top.child(t)
		if d, ok := tok.(json.Delim); ok {
			f := &keyFrame{object: d == '{', wantKey: d == '{', path: path, t: deref(vt)}
			if f.object {
				f.seen = map[string]string{}
			}
			stack = append(stack, f)
			continue
		}
		if top != nil {
			top.valueDone()
		}
	}
}

// keyFrame is one object or array being read.
type keyFrame struct {
	object  bool
	wantKey bool
	path    string       // the field path, as field errors name it: "contacts[0].email"
	t       reflect.Type // what it decodes into; nil when that is not known
	key     string       // an object's key whose value comes next
	index   int          // an array's element that comes next
	// seen maps each key read (folded, unless the object is a map, whose
	// keys are exact) to the key as sent.
	seen map[string]string
}

func (f *keyFrame) valueDone() {
	if f.object {
		f.wantKey = true
	} else {
		f.index++
	}
}

// child is the path and type of the value that comes next in f (f nil: the
// body itself, of type root).
func (f *keyFrame) child(root reflect.Type) (string, reflect.Type) {
	switch {
	case f == nil:
		return "", root
	case f.object:
		path := f.key
		if f.path != "" {
			path = f.path + "." + f.key
		}
		if f.t == nil {
			return path, nil
		}
		switch f.t.Kind() {
		case reflect.Struct:
			return path, jsonFields(f.t).exact[f.key]
		case reflect.Map:
			return path, f.t.Elem()
		}
		return path, nil
	default:
		path := fmt.Sprintf("%s[%d]", f.path, f.index)
		if f.t != nil && (f.t.Kind() == reflect.Slice || f.t.Kind() == reflect.Array) {
			return path, f.t.Elem()
		}
		return path, nil
	}
}

func (f *keyFrame) addKey(key string) error {
	f.key, f.wantKey = key, false
	field := key
	if f.path != "" {
		field = f.path + "." + key
	}
	isMap := f.t != nil && f.t.Kind() == reflect.Map
	folded := key
	if !isMap {
		folded = foldKey(key)
	}
	if first, dup := f.seen[folded]; dup {
		reason := "appears twice"
		if first != key {
			reason = fmt.Sprintf("appears twice: %q and %q differ only in case", first, key)
		}
		return &grants.Error{Code: grants.Malformed, Message: "The body names a field more than once; send each field once.",
			Fields: []grants.FieldError{{Field: field, Reason: reason}}, Reason: "duplicate_field"}
	}
	f.seen[folded] = key
	if f.t != nil && f.t.Kind() == reflect.Struct {
		fields := jsonFields(f.t)
		if _, ok := fields.exact[key]; !ok {
			if name, ok := fields.folded[folded]; ok {
				return &grants.Error{Code: grants.Malformed, Message: "The body has a field this API does not know.",
					Fields: []grants.FieldError{{Field: field, Reason: fmt.Sprintf("is not a known field: names are case-sensitive (%q)", name)}}, Reason: "unknown_field"}
			}
		}
	}
	return nil
}

// foldKey maps the keys encoding/json takes for one field name to one
// string. It matches names as bytes.EqualFold does, by Unicode simple case
// folding ("K", "k" and the Kelvin sign U+212A alike), so each rune becomes
// the smallest of its folding orbit.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// structFields are a struct's JSON field names and their types.
type structFields struct {
	exact  map[string]reflect.Type
	folded map[string]string // foldKey(name) → name
}

var fieldsCache sync.Map // reflect.Type → structFields

// jsonFields lists t's fields as encoding/json names them (the tag's name,
// else the Go name; "-" and unexported fields left out; embedded structs'
// fields promoted).
func jsonFields(t reflect.Type) structFields {
	if v, ok := fieldsCache.Load(t); ok {
		return v.(structFields)
	}
	fs := structFields{exact: map[string]reflect.Type{}, folded: map[string]string{}}
	for _, sf := range reflect.VisibleFields(t) {
		tag := sf.Tag.Get("json")
		if !sf.IsExported() || tag == "-" || sf.Anonymous && tag == "" && deref(sf.Type).Kind() == reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs.exact[name] = sf.Type
		fs.folded[foldKey(name)] = name
	}
	fieldsCache.Store(t, fs)
	return fs
}
