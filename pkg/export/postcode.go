package export

import (
	"regexp"
	"slices"
	"strings"
)

// postcode is a UK postcode found in a free-text address: the outward code
// (area and district, "SE1") and the inward code (sector and unit, "7PB").
type postcode struct {
	Outward, Inward string
	// Country is the ISO 3166-1 alpha-2 code of where the postcode is: GB,
	// or JE, GG or IM for the Crown Dependencies, which use the UK's
	// postcode system but are countries of their own in ISO 3166 (and in
	// the 360Giving country codelist).
	Country string
}

func (p postcode) String() string { return p.Outward + " " + p.Inward }

// District is the postcode district, the outward code: "SE1" of "SE1 7PB".
// It covers thousands of addresses, so unlike a full postcode it never
// points at one building (a small partner's address may be a home).
func (p postcode) District() string { return p.Outward }

// ukPostcodeAtEnd matches a UK postcode at the end of a line, in any case,
// with or without the space: the outward code's letters and the inward
// code's are from the sets Royal Mail uses (no Q, V or X first, no I, J or
// Z second, no C, I, K, M, O or V in the inward code), so foreign postal
// codes (Canadian "K1A 0B1", Irish "D02 X285", Dutch "1012 AB") and stray
// words do not pass for one.
var ukPostcodeAtEnd = regexp.MustCompile(`(?i)(?:^|[^A-Z0-9])` +
	`([A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY]))` +
	` *([0-9][ABD-HJLNP-UW-Z]{2})$`)

// ukCountryNames are what people write after a UK postcode; anything else
// after it (a foreign country, a town) means it is not the address's
// postcode, or not a UK address at all.
var ukCountryNames = map[string]bool{
	"uk": true, "united kingdom": true, "gb": true, "great britain": true,
	"england": true, "scotland": true, "wales": true, "cymru": true, "northern ireland": true,
	"jersey": true, "guernsey": true, "isle of man": true, "channel islands": true,
}

// crownDependencies maps the postcode areas of Jersey, Guernsey and the
// Isle of Man to their ISO 3166-1 codes.
var crownDependencies = map[string]string{"JE": "JE", "GY": "GG", "IM": "IM"}

// addressParts splits a free-text address into its parts (lines and
// comma-separated pieces), trimmed, without empty ones.
func addressParts(address string) []string {
	parts := strings.FieldsFunc(address, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })
	for i := range parts {
		parts[i] = strings.Join(strings.Fields(parts[i]), " ")
	}
	return slices.DeleteFunc(parts, func(s string) bool { return s == "" })
}

// parseAddress finds the UK postcode of a free-text address: the postcode
// that ends it, optionally followed by a UK country name ("…, London SE1
// 7PB, United Kingdom"). It returns the rest of the address on one line,
// and whether a postcode was found. An address without one, or one that
// ends in anything else (a foreign country or a foreign postal code), has
// none: better no location than a wrong one. street is the whole address
// on one line when no postcode is found.
func parseAddress(address string) (street string, pc postcode, ok bool) {
	parts := addressParts(address)
	whole := strings.Join(parts, ", ")
	// "U.K." is "uk" without its stops.
	for len(parts) > 0 && ukCountryNames[strings.ToLower(strings.ReplaceAll(parts[len(parts)-1], ".", ""))] {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return whole, postcode{}, false
	}
	last := strings.TrimRight(parts[len(parts)-1], ". ")
	m := ukPostcodeAtEnd.FindStringSubmatchIndex(last)
	if m == nil {
		return whole, postcode{}, false
	}
	pc = postcode{Outward: strings.ToUpper(last[m[2]:m[3]]), Inward: strings.ToUpper(last[m[4]:m[5]]), Country: "GB"}
	if c, dep := crownDependencies[pc.Outward[:2]]; dep {
		pc.Country = c
	}
	// What stood before the postcode on its line (a town, usually) stays.
	if rest := strings.TrimSpace(last[:m[2]]); rest != "" {
		parts[len(parts)-1] = rest
	} else {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ", "), pc, true
}
