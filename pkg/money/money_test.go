package money

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestSplitRemainderGoesToEarliestParts(t *testing.T) {
	tests := []struct {
		total int64
		n     int
		want  []int64
	}{
		{1000000, 4, []int64{250000, 250000, 250000, 250000}},
		{1000001, 4, []int64{250001, 250000, 250000, 250000}},
		{1000003, 4, []int64{250001, 250001, 250001, 250000}},
		{10, 3, []int64{4, 3, 3}},
		{2, 3, []int64{1, 1, 0}},
		{7, 1, []int64{7}},
	}
	for _, tt := range tests {
		got, err := Split(tt.total, tt.n)
		if err != nil {
			t.Fatalf("Split(%d, %d): %v", tt.total, tt.n, err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("Split(%d, %d) = %v, want %v", tt.total, tt.n, got, tt.want)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Fatalf("Split(%d, %d) = %v, want %v", tt.total, tt.n, got, tt.want)
			}
		}
	}
}

func TestSplitSumsExactlyForRandomInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		total := r.Int64N(1<<50) + 1
		n := r.IntN(60) + 1
		parts, err := Split(total, n)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for i, p := range parts {
			sum += p
			if i > 0 && p > parts[i-1] {
				t.Fatalf("part %d (%d) larger than an earlier one: %v", i, p, parts)
			}
			if parts[0]-p > 1 {
				t.Fatalf("parts differ by more than one unit: %v", parts)
			}
		}
		if sum != total {
			t.Fatalf("Split(%d, %d) sums to %d", total, n, sum)
		}
	}
}

func TestSplitRejectsBadInput(t *testing.T) {
	if _, err := Split(100, 0); err == nil {
		t.Error("Split into 0 parts accepted")
	}
	if _, err := Split(0, 4); !errors.Is(err, ErrNotPositive) {
		t.Errorf("Split(0) err = %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(1000000, "GBP"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"gbp", "XXX", "", "POUNDS"} {
		if _, err := New(100, c); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("New(100, %q) err = %v, want ErrUnknownCurrency", c, err)
		}
	}
	for _, m := range []int64{0, -1} {
		if _, err := New(m, "GBP"); !errors.Is(err, ErrNotPositive) {
			t.Errorf("New(%d) err = %v, want ErrNotPositive", m, err)
		}
	}
}

func TestMajor(t *testing.T) {
	tests := map[Amount]string{
		{1000000, "GBP"}: "10000.00",
		{250001, "GBP"}:  "2500.01",
		{5, "EUR"}:       "0.05",
		{1500, "JPY"}:    "1500",
		{12345, "KWD"}:   "12.345",
		{-250, "GBP"}:    "-2.50",
	}
	for a, want := range tests {
		if got := a.Major(); got != want {
			t.Errorf("%+v.Major() = %q, want %q", a, got, want)
		}
	}
}

// Display is how emails and the pages write amounts.
func TestDisplay(t *testing.T) {
	for _, tt := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{250000, "GBP", "£2,500.00"},
		{1000000, "GBP", "£10,000.00"},
		{1000003, "GBP", "£10,000.03"},
		{100000000, "GBP", "£1,000,000.00"},
		{123456789012345, "GBP", "£1,234,567,890,123.45"},
		{5, "GBP", "£0.05"},
		{0, "GBP", "£0.00"},
		{99999, "GBP", "£999.99"},
		{-250, "GBP", "-£2.50"},
		{-250000, "GBP", "-£2,500.00"},
		{123456, "EUR", "€1,234.56"},
		{100, "USD", "$1.00"},
		{2500, "JPY", "JPY 2,500"},
		{150000, "JPY", "JPY 150,000"},
		{1234567, "KWD", "KWD 1,234.567"},
		{123450, "CHF", "CHF 1,234.50"},
	} {
		if got := (Amount{Minor: tt.minor, Currency: tt.currency}).Display(); got != tt.want {
			t.Errorf("Display(%d %s) = %q, want %q", tt.minor, tt.currency, got, tt.want)
		}
	}
}

func TestAddRefusesOverflow(t *testing.T) {
	if s, err := Add(1<<62, 1<<62-1+1<<62); err == nil {
		t.Errorf("2^62 + (2^63-1) = %d, want ErrOverflow", s)
	}
	if s, err := Add(-1<<63, -1); err == nil {
		t.Errorf("min - 1 = %d, want ErrOverflow", s)
	}
	if s, err := Add(1<<62, 1<<62-1); err != nil || s != 1<<63-1 {
		t.Errorf("2^62 + 2^62-1 = %d, %v", s, err)
	}
}

func TestParseMajorReadsWhatPeopleType(t *testing.T) {
	for in, want := range map[string]int64{"10000": 1000000, "10,000.50": 1000050, "£2,500": 250000, " 0.01 ": 1, "1,234,567.8": 123456780} {
		if got, err := ParseMajor(in, "GBP"); err != nil || got != want {
			t.Errorf("ParseMajor(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if got, err := ParseMajor("1500", "JPY"); err != nil || got != 1500 {
		t.Errorf("ParseMajor(1500 JPY) = %d, %v", got, err)
	}
	for _, in := range []string{"", "abc", "1.234", "10,00", ",100", "1e5", "-5", "1.", ".5", "99999999999999999999", "1 000", "1.5.0"} {
		if got, err := ParseMajor(in, "GBP"); err == nil {
			t.Errorf("ParseMajor(%q) = %d; want an error", in, got)
		}
	}
	if _, err := ParseMajor("1.5", "JPY"); err == nil {
		t.Error("ParseMajor(1.5 JPY) accepted a fraction of a yen")
	}
}
