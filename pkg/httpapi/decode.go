package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/partnership-grants/backend/pkg/grants"
)

// maxBody bounds request bodies (stated in docs/product.md, "Limits"). The largest valid
// agreement is about 300 KB of JSON even with every character escaped.
const maxBody = 1 << 20

// decode reads a JSON body strictly: unknown fields, a field given twice
// and a field named in another case are refused (checkKeys), the body must
// be one JSON object, and errors name the field at fault.
func decode(r *Request, v any) error {
	body := []byte(r.Body)
	if r.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			return malformed("The body is not valid base64.")
		}
		body = b
	}
	if len(body) > maxBody {
		return &grants.Error{Code: grants.TooLarge, Message: fmt.Sprintf("The body is larger than %d bytes.", maxBody), Reason: "body_too_large"}
	}
	// Go's decoder would quietly turn bad UTF-8, and \u escapes of half a
	// surrogate pair, into U+FFFD: the caller's text would be stored changed.
	if !utf8.Valid(body) || hasLoneSurrogate(body) {
		return &grants.Error{Code: grants.Malformed, Message: "The body is not valid UTF-8 text.", Reason: "invalid_utf8"}
	}
	if ct := r.Header("content-type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return &grants.Error{Code: grants.Malformed, Message: "Send the body as application/json.", Reason: "unsupported_media_type"}
	}
	if err := checkKeys(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed("The body must hold exactly one JSON object.")
	}
	return nil
}

// hasLoneSurrogate reports a \uD800-\uDFFF escape that is not one half of a
// high-low pair. It reads escapes anywhere; one outside a string is a JSON
// syntax error the decoder reports anyway.
func hasLoneSurrogate(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escaped character: skip it, so "\\u..." is not read as an escape
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok || !utf16.IsSurrogate(r) {
			continue
		}
		low, ok := hex4(b, i+8)
		if r >= 0xDC00 || !ok || b[i+6] != '\\' || b[i+7] != 'u' || low < 0xDC00 || low > 0xDFFF {
			return true
		}
		i += 11
	}
	return false
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[at:at+4]), 16, 16)
	return rune(v), err == nil
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return malformed("The body must be a JSON object.")
		}
		return Invalid(field, "must be "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return malformed("The body is not valid JSON.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &grants.Error{Code: grants.Malformed, Message: "The body has a field this API does not know.",
			Fields: []grants.FieldError{{Field: field, Reason: "is not a known field"}}, Reason: "unknown_field"}
	}
	return malformed("The body could not be read: " + err.Error())
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "a whole number"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "of type " + k
}

func malformed(msg string) error {
	return &grants.Error{Code: grants.Malformed, Message: msg, Reason: "malformed"}
}

// wholeNumber reads a JSON value that must be an integer literal: 1000000,
// not 1000000.0, 1e6 or "1000000". Money is never a float.
func wholeNumber(field string, raw json.RawMessage, required bool) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return 0, Invalid(field, "is required")
		}
		return 0, nil
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, Invalid(field, "must be a whole number of minor units (pence), not "+string(raw))
	}
	return v, nil
}
