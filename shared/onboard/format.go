package onboard

import "strings"

// The formats below are checked by small functions rather than regular expressions: a
// package-level regexp is compiled at init, in every cold start of every Lambda that links the
// package, whether or not it ever validates a form. format_test.go checks each against the
// regular expression it replaces.

// IsTenantID reports whether s is a GUID in lower case (as stored after normalizing):
// 8-4-4-4-12 hexadecimal digits.
func IsTenantID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isDigit(c) && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// IsZIP reports whether s is a US ZIP code: five digits, or ZIP+4 (12345-6789).
func IsZIP(s string) bool {
	return len(s) == 5 && IsDigits(s) || len(s) == 10 && s[5] == '-' && IsDigits(s[:5]) && IsDigits(s[6:])
}

// IsDigits reports whether s is not empty and only ASCII digits.
func IsDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// IsCountryCode reports whether s has the shape of an ISO 3166-1 alpha-2 code: two capital letters.
func IsCountryCode(s string) bool { return len(s) == 2 && isUpper(s[0]) && isUpper(s[1]) }

// IsUpperAlnum reports whether s is not empty and only ASCII capital letters and digits.
func IsUpperAlnum(s string) bool {
	for i := range len(s) {
		if c := s[i]; !isDigit(c) && !isUpper(c) {
			return false
		}
	}
	return s != ""
}

// isMPNID: a Partner ID (MPN ID) is 6 to 10 digits.
func isMPNID(s string) bool { return len(s) >= 6 && len(s) <= 10 && IsDigits(s) }

// isLabel reports whether l is one lower-case DNS label: 1 to 63 letters, digits and hyphens,
// neither starting nor ending with a hyphen.
func isLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := range len(l) {
		if c := l[i]; !isDigit(c) && (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// isPhoneText reports whether s is an optional "+" then 7 to 25 digits, spaces and ( ) . -
// (how many of them are digits is checked apart).
func isPhoneText(s string) bool {
	s = strings.TrimPrefix(s, "+")
	return len(s) >= 7 && len(s) <= 25 && strings.Trim(s, "0123456789 ().-") == ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
