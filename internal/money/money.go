// Package money holds amounts as int64 minor units with an ISO 4217 currency, and turns
// them into and out of the decimal strings the API speaks. No floats anywhere.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// exponents of the currencies the schema knows (schema table currencies holds the same).
var exponents = map[string]int{
	"USD": 2, "EUR": 2, "GBP": 2, "CNY": 2, "HKD": 2, "SGD": 2, "AUD": 2, "CAD": 2,
	"CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "JPY": 0, "KRW": 0,
}

// Money is an amount in minor units of Currency.
type Money struct {
	Amount   int64
	Currency string
}

// Known reports whether the currency code is supported.
func Known(currency string) bool { _, ok := exponents[currency]; return ok }

// Exponent is the number of minor-unit digits of currency (2 when unknown).
func Exponent(currency string) int {
	if e, ok := exponents[currency]; ok {
		return e
	}
	return 2
}

// String formats m as a decimal string such as "12.50".
func (m Money) String() string { return Format(m.Amount, m.Currency) }

// Format renders minor units as a decimal string in currency's exponent.
func Format(amount int64, currency string) string {
	exp := Exponent(currency)
	neg := amount < 0
	u := uint64(amount)
	if neg {
		u = uint64(-amount)
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		for len(s) <= exp {
			s = "0" + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Parse reads a decimal string ("12", "12.5", "12.50") into minor units of currency.
// More fraction digits than the currency has is an error, never a silent rounding.
func Parse(s, currency string) (int64, error) {
	exp := Exponent(currency)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	} else if s[0] == '+' {
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("%q has more than %d decimal places for %s", s, exp, currency)
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q is not a decimal amount", s)
			}
		}
	}
	for len(frac) < exp {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	if neg {
		v = -v
	}
	return v, nil
}
