package signin

import (
	"net"
	"net/http"
	"strings"
)

// PlainLoopback reports whether the browser reached us over plain HTTP on
// this machine (localhost, 127.0.0.0/8, ::1): the one place a Secure cookie
// would never be sent back. Anywhere else cookies are Secure and links are
// https.
func PlainLoopback(r *http.Request) bool {
	if r.TLS != nil {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
