package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/export/threesixtytest"
	"github.com/partnership-grants/backend/pkg/grants"
)

func TestThreeSixtyGivingGolden(t *testing.T) {
	out, err := ThreeSixtyGiving(fixture(t), testFunder)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "360giving.json", out)
}

func TestThreeSixtyGivingValidatesAgainstSchema(t *testing.T) {
	out, err := ThreeSixtyGiving(fixture(t), testFunder)
	if err != nil {
		t.Fatal(err)
	}
	if err := threesixtytest.Validate(out); err != nil {
		t.Fatalf("360Giving output fails the schema:\n%v", err)
	}
}

// The validation above only means something if the same setup rejects bad
// documents.
func TestSchemaRejectsInvalidGrants(t *testing.T) {
	out, err := ThreeSixtyGiving(fixture(t), testFunder)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		breakIt func(g map[string]any)
	}{
		{"amountAwarded as a string", func(g map[string]any) { g["amountAwarded"] = "10000.03" }},
		{"no recipient", func(g map[string]any) { delete(g, "recipientOrganization") }},
		{"impossible award date", func(g map[string]any) { g["awardDate"] = "2026-13-40" }},
		{"dateModified not a date-time", func(g map[string]any) { g["dateModified"] = "2026-05-01" }},
		{"unknown currency", func(g map[string]any) { g["currency"] = "GBX" }},
		{"negative duration", func(g map[string]any) { g["plannedDates"].([]any)[0].(map[string]any)["duration"] = -1 }},
		// The schema checks the beneficiary location we fill: ISO 3166 codes only.
		{"beneficiary country not ISO 3166", func(g map[string]any) { g["beneficiaryLocation"].([]any)[0].(map[string]any)["countryCode"] = "UK" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			tt.breakIt(doc["grants"].([]any)[0].(map[string]any))
			bad, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := threesixtytest.Validate(bad); err == nil {
				t.Error("schema accepted an invalid grant")
			}
		})
	}
	if err := threesixtytest.Validate([]byte(`{"grants": []}`)); err == nil {
		t.Error("schema accepted a package without grants")
	}
}

// decodeGrants reads the output keeping numbers as written.
func decodeGrants(t *testing.T, out []byte) map[string]map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var doc struct {
		Grants []map[string]any `json:"grants"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, g := range doc.Grants {
		byID[g["id"].(string)] = g
	}
	return byID
}

func TestThreeSixtyGivingFields(t *testing.T) {
	out, err := ThreeSixtyGiving(fixture(t), testFunder)
	if err != nil {
		t.Fatal(err)
	}
	g := decodeGrants(t, out)
	if len(g) != 4 {
		t.Fatalf("got %d grants, want 4: %v", len(g), keys(g))
	}
	tests := []struct {
		id, field string
		want      any
	}{
		// Exact decimals, not floats: 1000003 pence is 10000.03.
		{"360G-factoryintl-CP-2026-001", "amountAwarded", json.Number("10000.03")},
		{"360G-factoryintl-CP-2026-001", "amountDisbursed", json.Number("2500.01")},
		{"360G-factoryintl-CP-2026-001", "awardDate", "2026-01-12"},
		{"360G-factoryintl-CP-2026-001", "recipientOrganization.id", "GB-CHC-1187654"},
		{"360G-factoryintl-CP-2026-001", "recipientOrganization.charityNumber", "1187654"},
		{"360G-factoryintl-CP-2026-001", "recipientOrganization.postalCode", "M4 5BA"},
		{"360G-factoryintl-CP-2026-001", "recipientOrganization.streetAddress", "Unit 3, 14 Redhill Street, Manchester"},
		{"360G-factoryintl-CP-2026-001", "grantProgramme.title", "Community Partnerships 2026"},
		{"360G-factoryintl-CP-2026-001", "plannedDates.startDate", "2026-02-01"},
		{"360G-factoryintl-CP-2026-001", "plannedDates.endDate", "2027-01-31"},
		{"360G-factoryintl-CP-2026-001", "plannedDates.duration", json.Number("12")},
		{"360G-factoryintl-CP-2026-001", "dateModified", "2026-05-01T06:00:00Z"},
		{"360G-factoryintl-CP-2026-001", "fundingOrganization.id", "GB-CHC-1234567"},
		{"360G-factoryintl-CP-2026-002", "recipientOrganization.id", "GB-COH-09876543"},
		{"360G-factoryintl-CP-2026-002", "recipientOrganization.companyNumber", "09876543"},
		{"360G-factoryintl-CP-2026-002", "amountAwarded", json.Number("10000.00")},
		{"360G-factoryintl-CP-2026-002", "amountDisbursed", json.Number("10000.00")},
		// Created 23:30 UTC on 31 March 2025: 1 April in London (BST).
		{"360G-factoryintl-CP-2026-002", "awardDate", "2025-04-01"},
		// No public title given: the programme code stands in.
		{"360G-factoryintl-CP-2026-002", "grantProgramme.title", "community-2025"},
		{"360G-factoryintl-CP-2026-003", "recipientOrganization.id", "GB-SC-SC045678"},
		{"360G-factoryintl-CP-2026-003", "recipientOrganization.charityNumber", "SC045678"},
		// Terminated after one payment: published as varied to what was paid.
		{"360G-factoryintl-CP-2026-003", "amountAwarded", json.Number("2500.00")},
		{"360G-factoryintl-CP-2026-003", "amountDisbursed", json.Number("2500.00")},
		{"360G-factoryintl-CP-2026-004", "recipientOrganization.name", formulaName},
		{"360G-factoryintl-CP-2026-004", "amountDisbursed", json.Number("0.00")},
		// Located by the postcode district of the partner's address.
		{"360G-factoryintl-CP-2026-001", "beneficiaryLocation.name", "M4"},
		{"360G-factoryintl-CP-2026-001", "beneficiaryLocation.countryCode", "GB"},
		{"360G-factoryintl-CP-2026-003", "beneficiaryLocation.name", "WN1"},
		// Looking forward: the first instalment still to pay, with its date.
		{"360G-factoryintl-CP-2026-001", "plannedInstalments.instalment", json.Number("2")},
		{"360G-factoryintl-CP-2026-001", "plannedInstalments.dueDate", "2026-05-01"},
		{"360G-factoryintl-CP-2026-001", "plannedInstalments.amount", json.Number("2500.01")},
		{"360G-factoryintl-CP-2026-001", "plannedInstalments.currency", "GBP"},
		// All paid, or ended early: nothing planned.
		{"360G-factoryintl-CP-2026-002", "plannedInstalments", nil},
		{"360G-factoryintl-CP-2026-003", "plannedInstalments", nil},
	}
	for _, tt := range tests {
		got := field(g[tt.id], tt.field)
		if got != tt.want {
			t.Errorf("%s %s = %#v, want %#v", tt.id, tt.field, got, tt.want)
		}
	}
	if d := g["360G-factoryintl-CP-2026-003"]["description"].(string); !strings.Contains(d, "ended early: 1 of 4 instalments were paid (£2,500.00)") ||
		strings.Contains(d, "closed its Greater Manchester project") {
		t.Errorf("terminated grant's description = %q: want the early end stated and the private reason left out", d)
	}
	if strings.Contains(string(out), "@") {
		t.Error("output contains an email address; contacts must never be published")
	}
}

// plannedInstalments are what is left to pay: with what was paid, they make
// up the award, each on its due date; a held instalment is still planned.
func TestPlannedInstalments(t *testing.T) {
	all := fixture(t)
	larder := &all[2]
	if _, err := larder.Hold(3, "Waiting for the revised budget", exportTime, "finance@example.org"); err != nil {
		t.Fatal(err)
	}
	out, err := ThreeSixtyGiving(all, testFunder)
	if err != nil {
		t.Fatal(err)
	}
	if err := threesixtytest.Validate(out); err != nil {
		t.Fatalf("output with planned instalments fails the schema:\n%v", err)
	}
	g := decodeGrants(t, out)
	for _, a := range all {
		if a.Status != grants.AgreementActive {
			continue
		}
		grant := g["360G-factoryintl-"+a.Reference]
		planned, _ := grant["plannedInstalments"].([]any)
		sum := minor(t, grant["amountDisbursed"])
		var got []string
		for _, p := range planned {
			p := p.(map[string]any)
			sum += minor(t, p["amount"])
			got = append(got, fmt.Sprintf("%v %v", p["instalment"], p["dueDate"]))
		}
		var want []string
		for _, in := range a.Instalments {
			if in.Status != grants.InstalmentPaid {
				want = append(want, fmt.Sprintf("%d %s", in.Number, in.DueDate))
			}
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("%s: planned %v, want the unpaid instalments %v", a.Reference, got, want)
		}
		if award := minor(t, grant["amountAwarded"]); sum != award {
			t.Errorf("%s: disbursed plus planned is %d pence, award %d", a.Reference, sum, award)
		}
	}
}

// minor reads a JSON number in major units (two decimals) as pence.
func minor(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok || !strings.Contains(string(n), ".") || len(string(n))-strings.Index(string(n), ".") != 3 {
		t.Fatalf("amount %#v is not a number with two decimals", v)
	}
	p, err := strconv.ParseInt(strings.Replace(string(n), ".", "", 1), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// field follows a dotted path, taking the first element of arrays.
func field(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		if arr, ok := v.([]any); ok {
			v = arr[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	if arr, ok := v.([]any); ok && len(arr) == 1 {
		return arr[0]
	}
	return v
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestThreeSixtyGivingSelection(t *testing.T) {
	all := fixture(t)
	draft := newAgreement(t, "agr-0005", "CP-2026-005", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Oldham Tenants Voice", RegistrationNumber: "1176543", Address: "5 Union Street, Oldham OL1 1HE"},
		Amount:    1000000,
		StartDate: "2026-07-01",
	}, exportTime)
	unpaid := newAgreement(t, "agr-0006", "CP-2026-006", grants.NewAgreementInput{
		Programme: "community-2026",
		Partner:   grants.Partner{Name: "Bury Riverside Gardeners", RegistrationNumber: "1165432", Address: "Riverside Hut, Bury BL9 0EY"},
		Amount:    1000000,
		StartDate: "2026-03-01",
	}, exportTime)
	activate(t, &unpaid, exportTime)
	if _, err := unpaid.Terminate("Did not go ahead", exportTime, "officer@example.org"); err != nil {
		t.Fatal(err)
	}

	out, err := ThreeSixtyGiving(append(all, draft, unpaid), testFunder)
	if err != nil {
		t.Fatal(err)
	}
	g := decodeGrants(t, out)
	for _, id := range []string{"360G-factoryintl-CP-2026-005", "360G-factoryintl-CP-2026-006"} {
		if _, ok := g[id]; ok {
			t.Errorf("%s published: drafts and unpaid terminated agreements did not go ahead", id)
		}
	}
	if len(g) != 4 {
		t.Errorf("got %d grants, want the fixture's 4", len(g))
	}

	if _, err := ThreeSixtyGiving([]grants.Agreement{draft, unpaid}, testFunder); !errors.Is(err, ErrNothingToPublish) {
		t.Errorf("nothing publishable: err = %v, want ErrNothingToPublish", err)
	}
}

func TestThreeSixtyGivingRefusesDuplicateIdentifiers(t *testing.T) {
	all := fixture(t)
	twin := all[0]
	twin.ID = "agr-9999"
	if _, err := ThreeSixtyGiving(append(all, twin), testFunder); err == nil {
		t.Error("two agreements with one reference were published under one grant id")
	}
}

func TestThreeSixtyGivingRequiresAFunder(t *testing.T) {
	tests := map[string]func(f *Funder){
		"unregistered prefix": func(f *Funder) { f.Prefix = "factoryintl" },
		"bare prefix":         func(f *Funder) { f.Prefix = "360G-" },
		"no org id":           func(f *Funder) { f.OrgID = "" },
		"no org name":         func(f *Funder) { f.OrgName = " " },
		"no clock":            func(f *Funder) { f.Now = time.Time{} },
	}
	for name, breakIt := range tests {
		f := testFunder
		breakIt(&f)
		if _, err := ThreeSixtyGiving(fixture(t), f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRecipientIdentifiers(t *testing.T) {
	tests := []struct {
		reg, id, charity, company string
	}{
		{"1187654", "GB-CHC-1187654", "1187654", ""},
		{"218186", "GB-CHC-218186", "218186", ""},
		{"1187654-1", "GB-CHC-1187654-1", "1187654-1", ""},
		{"SC045678", "GB-SC-SC045678", "SC045678", ""},
		{"sc 045678", "GB-SC-SC045678", "SC045678", ""},
		{"NIC104321", "GB-NIC-104321", "104321", ""},
		{"NI1043210", "GB-NIC-1043210", "1043210", ""},
		{"09876543", "GB-COH-09876543", "", "09876543"},
		// Eight characters with a Companies House prefix are companies: a
		// Scottish company, a Northern Ireland company, a CIO.
		{"SC123456", "GB-COH-SC123456", "", "SC123456"},
		{"NI012345", "GB-COH-NI012345", "", "NI012345"},
		{"CE012345", "GB-COH-CE012345", "", "CE012345"},
		// Not a register we know: an internal identifier, never a guess.
		{"IP12345", "360G-factoryintl-IP12345", "", ""},
		{"", "360G-factoryintl-Some_Group", "", ""},
	}
	for _, tt := range tests {
		o := recipient(grants.Partner{Name: "Some Group", RegistrationNumber: tt.reg}, testFunder.Prefix)
		if o.ID != tt.id || o.CharityNumber != tt.charity || o.CompanyNumber != tt.company {
			t.Errorf("%q: got id %q charity %q company %q, want %q %q %q", tt.reg, o.ID, o.CharityNumber, o.CompanyNumber, tt.id, tt.charity, tt.company)
		}
	}
}

// Addresses are free text typed by officers: the postcode is found however
// it is written, and an address with no UK postcode gets no location rather
// than a wrong one.
func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, street, postcode, district, country string
	}{
		{"1 Stockport Road, Manchester M19 3AB", "1 Stockport Road, Manchester", "M19 3AB", "M19", "GB"},
		{"Unit 3, 14 Redhill Street\nManchester\nm4 5ba", "Unit 3, 14 Redhill Street, Manchester", "M4 5BA", "M4", "GB"},
		{"The Old Mill, Salford, M3 7AJ", "The Old Mill, Salford", "M3 7AJ", "M3", "GB"},
		{"Southbank Centre, Belvedere Road, London SE1 8XX", "Southbank Centre, Belvedere Road, London", "SE1 8XX", "SE1", "GB"},
		// Lower case, no space, stray spaces and a full stop.
		{"73 Blackfriars Road, London se17pb", "73 Blackfriars Road, London", "SE1 7PB", "SE1", "GB"},
		{"  73 Blackfriars Road ,\r\n London  SE1   7PB. ", "73 Blackfriars Road, London", "SE1 7PB", "SE1", "GB"},
		// Every outward shape: A9, A99, AA9, AA99, A9A, AA9A.
		{"Buckingham Palace, London SW1A 1AA", "Buckingham Palace, London", "SW1A 1AA", "SW1A", "GB"},
		{"Broadcasting House, London W1A 1AA", "Broadcasting House, London", "W1A 1AA", "W1A", "GB"},
		{"10 Chapel Walks, Cardiff CF10 1BH", "10 Chapel Walks, Cardiff", "CF10 1BH", "CF10", "GB"},
		{"Old Town Hall, 1 Mill Lane, B2 4QA", "Old Town Hall, 1 Mill Lane", "B2 4QA", "B2", "GB"},
		// A UK country name after the postcode.
		{"4 Castle Terrace, Edinburgh EH1 2DP, Scotland", "4 Castle Terrace, Edinburgh", "EH1 2DP", "EH1", "GB"},
		{"2 Donegall Square, Belfast BT1 5GS\nUnited Kingdom", "2 Donegall Square, Belfast", "BT1 5GS", "BT1", "GB"},
		{"12 High Street, Leeds LS1 4AP, U.K.", "12 High Street, Leeds", "LS1 4AP", "LS1", "GB"},
		// Crown Dependencies: UK postcodes, countries of their own.
		{"5 Halkett Place, St Helier, Jersey JE2 4WG", "5 Halkett Place, St Helier, Jersey", "JE2 4WG", "JE2", "JE"},
		{"Market Street, St Peter Port GY1 1HE, Guernsey", "Market Street, St Peter Port", "GY1 1HE", "GY1", "GG"},
		{"Prospect Hill, Douglas, Isle of Man IM1 1ET", "Prospect Hill, Douglas, Isle of Man", "IM1 1ET", "IM1", "IM"},
		// No postcode at all, or only its outward half.
		{"Canal Side, Rochdale", "Canal Side, Rochdale", "", "", ""},
		{"Riverside Hut, Bury BL9", "Riverside Hut, Bury BL9", "", "", ""},
		{"", "", "", "", ""},
		// The postcode is not last: a town after it is not where we look.
		{"M4 5BA Manchester", "M4 5BA Manchester", "", "", ""},
		// Not UK addresses: foreign postal codes that look a little like ours,
		// or a UK-looking code followed by another country.
		{"Rue de la Loi 200, 1049 Bruxelles, Belgium", "Rue de la Loi 200, 1049 Bruxelles, Belgium", "", "", ""},
		{"24 Sussex Drive, Ottawa ON K1A 0B1, Canada", "24 Sussex Drive, Ottawa ON K1A 0B1, Canada", "", "", ""},
		{"24 Sussex Drive, Ottawa ON K1A 0B1", "24 Sussex Drive, Ottawa ON K1A 0B1", "", "", ""},
		{"1 Grand Canal Square, Dublin D02 X285", "1 Grand Canal Square, Dublin D02 X285", "", "", ""},
		{"Damrak 1, 1012 LG Amsterdam", "Damrak 1, 1012 LG Amsterdam", "", "", ""},
		{"350 Fifth Avenue, New York, NY 10118, USA", "350 Fifth Avenue, New York, NY 10118, USA", "", "", ""},
		{"1 Main Street, Dublin M4 5BA, Ireland", "1 Main Street, Dublin M4 5BA, Ireland", "", "", ""},
		// Letters Royal Mail never uses in those places.
		{"1 Street, Town QA1 1AA", "1 Street, Town QA1 1AA", "", "", ""},
		{"1 Street, Town M4 5CA", "1 Street, Town M4 5CA", "", "", ""},
		// Glued to a word, it is not a postcode.
		{"Flat XM4 5BA", "Flat XM4 5BA", "", "", ""},
	}
	for _, tt := range tests {
		street, pc, ok := parseAddress(tt.in)
		got := ""
		if ok {
			got = pc.String()
		}
		if street != tt.street || got != tt.postcode || ok != (tt.postcode != "") {
			t.Errorf("parseAddress(%q) = %q, %q, %v; want %q, %q", tt.in, street, got, ok, tt.street, tt.postcode)
			continue
		}
		if ok && (pc.District() != tt.district || pc.Country != tt.country) {
			t.Errorf("parseAddress(%q): district %q country %q, want %q %q", tt.in, pc.District(), pc.Country, tt.district, tt.country)
		}
		loc := beneficiaryLocation(grants.Partner{Address: tt.in})
		if !ok && loc != nil {
			t.Errorf("%q: no postcode, yet beneficiaryLocation %v", tt.in, loc)
		}
		if ok && (len(loc) != 1 || loc[0].Name != tt.district || loc[0].CountryCode != tt.country) {
			t.Errorf("%q: beneficiaryLocation %v, want %s in %s", tt.in, loc, tt.district, tt.country)
		}
	}
}

func TestTitleStaysUnder140Characters(t *testing.T) {
	a := fixture(t)[2]
	a.Partner.Name = strings.Repeat("Greater Manchester ", 12)
	g, err := grantFor(&a, testFunder)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(g.Title)); n >= 140 {
		t.Errorf("title has %d characters: %q", n, g.Title)
	}
}

// Records imported from elsewhere may lack timestamps or carry references
// with characters that do not belong in an identifier.
func TestThreeSixtyGivingFallbacks(t *testing.T) {
	a := fixture(t)[2]
	a.Reference = "CP 2026/003"
	a.CreatedAt, a.UpdatedAt = time.Time{}, time.Time{}
	for i := range a.Instalments {
		a.Instalments[i].UpdatedAt = time.Time{}
	}
	g, err := grantFor(&a, testFunder)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "360G-factoryintl-CP_2026_003" {
		t.Errorf("id = %q: spaces and slashes should become underscores", g.ID)
	}
	if g.AwardDate != a.StartDate.String() {
		t.Errorf("awardDate = %q, want the start date %s when no creation time is recorded", g.AwardDate, a.StartDate)
	}
	if g.DateModified != "2026-05-01T12:00:00Z" {
		t.Errorf("dateModified = %q, want the export time", g.DateModified)
	}
	a.Reference = ""
	if _, err := grantFor(&a, testFunder); err == nil {
		t.Error("an agreement without a reference got a grant identifier")
	}
}

// Issue item 6: a name or a term stored with a line break or a
// text-direction control (before names were refused with them, say) reaches
// neither the public file nor the CSVs with it.
func TestExportsCarryNoLineBreaksOrDirectionControls(t *testing.T) {
	agreements := fixture(t)
	for i := range agreements {
		a := &agreements[i]
		a.Partner.Name = "Hope\r\nHouse\u202Egpj.exe\u2028" + a.Reference
		a.Terms = append(a.Terms, "Two meals:\n- spring\u2067\n- summer")
		for n := range a.Instalments {
			a.Instalments[n].HoldReason = "Waiting\non the\u202E report"
		}
	}
	spoiled := func(s string) bool {
		return strings.ContainsAny(s, "\r\n\u2028\u2029\u0085\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F")
	}
	out, err := ThreeSixtyGiving(agreements, testFunder)
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Grants []map[string]any }
	if err := json.Unmarshal(out, &pkg); err != nil {
		t.Fatal(err)
	}
	for _, g := range pkg.Grants {
		for _, path := range []string{"title", "description", "recipientOrganization.name", "recipientOrganization.streetAddress"} {
			if s, _ := field(g, path).(string); spoiled(s) {
				t.Errorf("360Giving %s %q", path, s)
			}
		}
		if name, _ := field(g, "recipientOrganization.name").(string); !strings.HasPrefix(name, "Hope Housegpj.exe CP-") {
			t.Errorf("360Giving name %q, want it on one line with its characters in the order sent", name)
		}
	}
	var buf bytes.Buffer
	if err := CSV(&buf, agreements); err != nil {
		t.Fatal(err)
	}
	rows := 1
	for _, a := range agreements {
		rows += len(a.Instalments)
	}
	if records, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll(); err != nil || len(records) != rows {
		t.Fatalf("%d records, want %d (%v)", len(records), rows, err)
	}
	// Each record ends in CRLF; nothing else breaks a line.
	if spoiled(strings.ReplaceAll(buf.String(), "\r\n", "")) {
		t.Errorf("CSV carries a line break or direction control:\n%s", buf.String())
	}
	buf.Reset()
	run := &grants.PayRun{ID: "run-1", Items: []grants.PayRunItem{{PartnerName: agreements[0].Partner.Name, Reason: "held:\nwaiting\u202E"}}}
	if err := PayRunCSV(&buf, run); err != nil {
		t.Fatal(err)
	}
	if spoiled(strings.ReplaceAll(buf.String(), "\r\n", "")) {
		t.Errorf("pay run CSV carries a line break or direction control:\n%s", buf.String())
	}
}
