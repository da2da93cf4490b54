// Package openapi holds the OpenAPI 3.1 document of the JSON API
// (openapi.yaml): every route template.yaml gives the HTTP API, with its
// bodies, errors, headers and security. It is written by hand, as the
// contract; the tests hold the code to it (openapitest). It is not served:
// a route for it would be a template change, and the file is here to read.
package openapi

import _ "embed"

// Document is openapi.yaml.
//
//go:embed openapi.yaml
var Document []byte
