package onboard

import (
	"regexp"
	"testing"
)

// formats pairs each format check with the regular expression it replaced; the checks must agree
// with them on every input.
var formats = []struct {
	name  string
	check func(string) bool
	re    *regexp.Regexp
}{
	{"IsTenantID", IsTenantID, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)},
	{"IsZIP", IsZIP, regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)},
	{"IsDigits", IsDigits, regexp.MustCompile(`^[0-9]+$`)},
	{"IsUpperAlnum", IsUpperAlnum, regexp.MustCompile(`^[A-Z0-9]+$`)},
	{"IsCountryCode", IsCountryCode, regexp.MustCompile(`^[A-Z]{2}$`)},
	{"isMPNID", isMPNID, regexp.MustCompile(`^[0-9]{6,10}$`)},
	{"isLabel", isLabel, regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)},
	{"isPhoneText", isPhoneText, regexp.MustCompile(`^\+?[0-9 ().-]{7,25}$`)},
}

var formatSamples = []string{"", "-", "+", "0", "a", "A", "US", "us", "U1", "12345", "1234", "123456", "12345-6789",
	"12345-678", "12345 6789", "123456789", "1234567890", "12345678901", "00000000-0000-0000-0000-000000000000",
	"0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950",
	"0f8fad5bd9cb-469f-a165-70867728950e-", "g0000000-0000-0000-0000-000000000000", "agency", "agency-", "-agency",
	"a-b", "a--b", "ab_c", "xn--bcher-kva", string(make([]byte, 63)), "+1 202 555 0100", "++1 202 555 0100",
	"(202) 555-0100", "202.555.0100", "1 2 3", "+1234567", "123456", "1234567890123456789012345", "12345678901234567890123456",
	"CFQ7TTC0LF8R", "cfq7ttc0lf8r", "0001", "\n12345", "12345\n", "١٢٣٤٥"}

func TestFormatsAgreeWithTheirPatterns(t *testing.T) {
	long := "a"
	for range 62 {
		long += "b"
	}
	for _, f := range formats {
		for _, s := range append(formatSamples, long, long+"c", long[:62]+"-") {
			if got, want := f.check(s), f.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern says %v", f.name, s, got, want)
			}
		}
	}
}

func FuzzFormats(f *testing.F) {
	for _, s := range formatSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, f := range formats {
			if got, want := f.check(s), f.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern says %v", f.name, s, got, want)
			}
		}
	})
}
