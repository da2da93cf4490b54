package reply

import (
	"regexp"
	"strings"
	"sync"
)

// Quote headers, matched case-insensitively against one logical line (a
// header wrapped over up to three physical lines is joined first, because
// Gmail wraps long "On ..., Name <addr> wrote:" lines at ~78 columns).
// Forms covered:
//
//	Gmail       On Mon, 5 Jan 2026 at 10:00, Name <a@b> wrote:
//	Apple Mail  On 5 Jan 2026, at 10:00, Name <a@b> wrote:
//	Thunderbird On 05/01/2026 10:00, Name wrote:
//	French      Le lun. 5 janv. 2026 à 10:00, Name <a@b> a écrit :
//	German      Am Mo., 5. Jan. 2026 um 10:00 Uhr schrieb Name <a@b>:
//	Welsh       Ar Llun, 5 Ion 2026 am 10:00 Name <a@b> ysgrifennodd:
//	Spanish, Italian, Dutch, Portuguese equivalents.
//
// Each is keyed by its lead word (as quoteLead matches it, lower-cased), so
// that a line is tried against its own language's pattern only, and only
// that pattern is ever compiled: the counted repetitions (.{3,400}) make
// these the costliest of the package's patterns to compile (see lazy).
var quoteHeaderRes = map[string]func() *regexp.Regexp{
	"on": lazy(`(?i)^on\s.{3,400}\swrote\s*:$`),
	"le": lazy(`(?i)^le\s.{3,400}\sa\s+[ée]crit\s*:$`),
	"am": lazy(`(?i)^am\s.{3,400}\sschrieb\b.{0,300}:$`),
	"ar": lazy(`(?i)^ar\s.{3,400}\sysgrifennodd\b.{0,300}:$`),
	"el": lazy(`(?i)^el\s.{3,400}\sescribi[óo]\s*:$`),
	"il": lazy(`(?i)^il\s.{3,400}\sha\s+scritto\s*:$`),
	"op": lazy(`(?i)^op\s.{3,400}\sschreef\b.{0,300}:$`),
	"em": lazy(`(?i)^em\s.{3,400}\sescreveu\s*:$`),
}

// "Name <a@b> wrote:" without a date (some webmails, mailing lists).
var quoteHeaderNoDateRe = lazy(`(?i)^.{0,200}<[^<>\s]+@[^<>\s]+>\s*(wrote|a [ée]crit|schrieb|ysgrifennodd)\s*:$`)

var quoteLead = lazy(`(?i)^(on|le|am|ar|el|il|op|em)\s`)

// lazy returns a regexp compiled on first use rather than at package init:
// compiling this package's patterns took about 5 ms of every Inbound cold
// start (GODEBUG=inittrace=1), although a message needs only some of them.
func lazy(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Outlook puts an "-----Original Message-----" line above the header block
// (desktop, plain text) or a "____" rule (Outlook web / new Outlook / HTML
// converted to text). Either one immediately followed by the header block
// is part of the quote.
var (
	originalMessageRe = lazy(`(?i)^-{2,}\s*(original message|message d'origine|ursprüngliche nachricht|mensaje original|messaggio originale|neges wreiddiol)\s*-{2,}$`)
	ruleRe            = lazy(`^(_{10,}|-{10,})$`)
	// Labels may be wrapped in "*" when an HTML <b> was converted to text.
	blockFromRe    = lazy(`(?i)^\*?(from|de|von|van|da|oddi wrth|gan)\s*:\*?\s*\S`)
	blockSentRe    = lazy(`(?i)^\*?(sent|date|envoyé|gesendet|datum|enviado|inviato|verzonden|anfonwyd|dyddiad)\s*:\*?`)
	blockToSubjRe  = lazy(`(?i)^\*?(to|subject|à|objet|an|betreff|para|asunto|a|oggetto|aan|onderwerp|at|pwnc|cc)\s*:\*?`)
	forwardMarkRes = []func() *regexp.Regexp{
		lazy(`(?i)^-{3,}\s*(forwarded message|message transféré|weitergeleitete nachricht|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|neges wedi'i hanfon ymlaen)\s*-{3,}$`),
		lazy(`(?i)^(begin forwarded message|début du message réexpédié|anfang der weitergeleiteten nachricht)\s*:$`),
	}
	// Signature delimiters and mobile-client taglines.
	sigRes = []func() *regexp.Regexp{
		lazy(`^--\s?$`),
		lazy(`(?i)^sent from my \S.{0,40}$`),
		lazy(`(?i)^sent from (outlook|mail for windows|yahoo mail|proton mail|protonmail|gmail mobile)\b.{0,60}$`),
		lazy(`(?i)^get outlook for (ios|android)\b.{0,40}$`),
		lazy(`(?i)^(envoyé de mon|envoyé depuis mon|anfonwyd o fy|enviado desde mi|inviato da) \S.{0,40}$`),
		lazy(`(?i)^von meinem \S.{0,40} gesendet$`),
	}
)

type cutKind int

const (
	cutNone cutKind = iota
	cutQuote
	cutForward
	cutSig
)

// splitReply finds the new text of a reply and whether it forwards a message.
func splitReply(text string) (string, bool) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	// French typography puts a no-break space before the colon ("a écrit :")
	// and Go's \s does not match it.
	text = strings.ReplaceAll(text, "\u00a0", " ")
	lines := strings.Split(text, "\n")
	start := 0
	for {
		cut, end, kind := findCut(lines, start)
		head := dropQuotedLines(lines[start:cut])
		if kind == cutQuote && strings.TrimSpace(head) == "" && end < len(lines) {
			// Nothing written above the quote: the partner bottom-posted (or
			// interleaved answers below the header). Skip the header and keep
			// looking in what follows instead of returning an empty reply.
			start = end
			continue
		}
		return strings.TrimSpace(head), kind == cutForward
	}
}

// findCut returns the first line index (>= start) where quoted history,
// forwarded content or a signature begins, the index just past the marker
// (header) lines, and what was found. cut == len(lines) if nothing was found.
func findCut(lines []string, start int) (cut, end int, kind cutKind) {
	for i := start; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, ">") {
			continue
		}
		for _, re := range forwardMarkRes {
			if re().MatchString(t) {
				return i, i + 1, cutForward
			}
		}
		if originalMessageRe().MatchString(t) {
			return i, i + 1, cutQuote
		}
		if ruleRe().MatchString(t) && isHeaderBlock(lines, nextNonBlank(lines, i+1)) {
			return i, i + 1, cutQuote
		}
		if isHeaderBlock(lines, i) {
			return i, i + 1, cutQuote
		}
		if n := quoteHeaderLen(lines, i); n > 0 {
			return i, i + n, cutQuote
		}
		if len(t) < 100 {
			raw := strings.TrimRight(lines[i], "\t")
			for _, re := range sigRes {
				if re().MatchString(raw) || re().MatchString(t) {
					return i, len(lines), cutSig
				}
			}
		}
	}
	return len(lines), len(lines), cutNone
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

// isHeaderBlock reports an Outlook-style "From: / Sent: / To: / Subject:"
// block starting at line i. Requiring From plus a date line plus a To or
// Subject line within the next few lines keeps a sentence that merely starts
// with "From:" from truncating the reply.
func isHeaderBlock(lines []string, i int) bool {
	if i >= len(lines) || !blockFromRe().MatchString(strings.TrimSpace(lines[i])) {
		return false
	}
	sent, other := false, false
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		t := strings.TrimSpace(lines[j])
		switch {
		case blockSentRe().MatchString(t):
			sent = true
		case blockToSubjRe().MatchString(t):
			other = true
		}
	}
	return sent && other
}

// quoteHeaderLen returns how many physical lines (1-3) the "On ... wrote:"
// style header starting at i spans, or 0 if there is none.
func quoteHeaderLen(lines []string, i int) int {
	t := strings.TrimSpace(lines[i])
	if len(t) > 500 {
		return 0
	}
	cand := t
	for k := 0; k < 3 && i+k < len(lines); k++ {
		if k > 0 {
			next := strings.TrimSpace(lines[i+k])
			if next == "" || strings.HasPrefix(next, ">") {
				return 0
			}
			cand += " " + next
		}
		lead := quoteLead().FindStringSubmatch(cand)
		for _, re := range quoteHeaderPatterns(lead) {
			if re().MatchString(cand) {
				// A wrapped match must be followed by quoted text (or
				// nothing), so ordinary prose that happens to start with
				// "On" and end a later line with "wrote:" is not cut.
				if k > 0 {
					j := nextNonBlank(lines, i+k+1)
					if j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), ">") {
						return 0
					}
				}
				return k + 1
			}
		}
		if k == 0 && lead == nil && !strings.Contains(t, "@") {
			return 0 // only lines starting with a known lead word can wrap
		}
	}
	return 0
}

// quoteHeaderPatterns returns the patterns a line may match, given what
// quoteLead found at its start: each dated pattern begins with its own lead
// word, so only that one can match (a lead without a pattern, none today,
// gets them all), and the undated one can match any line.
func quoteHeaderPatterns(lead []string) []func() *regexp.Regexp {
	if lead == nil {
		return []func() *regexp.Regexp{quoteHeaderNoDateRe}
	}
	if re, ok := quoteHeaderRes[strings.ToLower(lead[1])]; ok {
		return []func() *regexp.Regexp{re, quoteHeaderNoDateRe}
	}
	res := []func() *regexp.Regexp{quoteHeaderNoDateRe}
	for _, re := range quoteHeaderRes {
		res = append(res, re)
	}
	return res
}

// dropQuotedLines removes "> " lines (answers interleaved between quotes are
// kept) and returns the rest joined.
func dropQuotedLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") {
			continue
		}
		b.WriteString(strings.TrimRight(l, " \t"))
		b.WriteByte('\n')
	}
	return collapseBlank(b.String())
}

// collapseBlank squeezes runs of blank lines left behind by removed quotes.
func collapseBlank(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}
