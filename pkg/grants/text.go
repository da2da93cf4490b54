package grants

import (
	"strings"
	"unicode"
)

// Text that partners control (an organisation's or a person's name, an
// email's subject, an attachment's file name) is shown to staff, put in
// emails and exported. Two kinds of character in it mislead whoever reads
// it there, and are kept out:
//   - line breaks: a name is one line; in a CSV a break inside a cell starts
//     a new record for many importers, and in the 360Giving file it splits
//     what tools read as one name;
//   - bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and the rest of
//     Unicode's Bidi_Control set): they reorder what is shown, so
//     "invoice\u202Efdp.exe" reads as "invoiceexe.pdf".
//
// A name a person types into the API or the web app is refused if it holds
// either (checkName): they can fix it. Text that arrives by email cannot be
// refused, so it is cleaned for display (CleanLine); the raw message keeps
// it as sent.

// isLineBreak reports the characters that end a line somewhere: LF, VT,
// FF, CR, NEL and Unicode's line and paragraph separators.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// checkName is checkText for a name (of a partner, a contact, a contact's
// role): one line, with no tab and no bidirectional control.
func checkName(errs *fieldErrors, field, s string, max int, required bool) {
	n := len(*errs)
	checkText(errs, field, s, max, required)
	if len(*errs) > n {
		return
	}
	switch {
	case strings.ContainsFunc(s, func(r rune) bool { return isLineBreak(r) || r == '\t' }):
		errs.add(field, "must be one line: no line breaks or tabs")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }):
		errs.add(field, "must not contain text-direction controls (such as U+202E), which change how it is shown")
	}
}

// CleanLine makes partner-controlled text safe to show on one line, changing
// only what would mislead: bidirectional controls are removed (the text then
// shows its characters in the order they were sent, which is what a reader
// must see: "invoicefdp.exe"); a line break (CRLF counting as one) or a tab
// becomes a space; any other control character is shown visibly, as its
// Unicode control picture ("␀" for NUL) or, for C1 controls, which have
// none, as U+FFFD; invalid UTF-8 becomes U+FFFD. Everything else, letters
// of any script, emoji and their joiners, is kept.
func CleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !strings.ContainsFunc(s, misleads) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		case isLineBreak(r) || r == '\t':
			return ' '
		case r < 0x20:
			return 0x2400 + r // SYMBOL FOR NULL onwards
		case r == 0x7F:
			return '\u2421' // SYMBOL FOR DELETE
		case unicode.IsControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

func misleads(r rune) bool {
	return unicode.IsControl(r) || isLineBreak(r) || unicode.Is(unicode.Bidi_Control, r)
}
