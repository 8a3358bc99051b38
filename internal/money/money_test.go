package money_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/money"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		cur    string
		want   string
	}{
		{1250, "EUR", "12.50"}, {5, "EUR", "0.05"}, {0, "USD", "0.00"}, {-199, "EUR", "-1.99"},
		{1250, "JPY", "1250"}, {100000000, "CNY", "1000000.00"},
	} {
		if got := money.Format(tc.amount, tc.cur); got != tc.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tc.amount, tc.cur, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"12.50", "EUR", 1250, true}, {"12.5", "EUR", 1250, true}, {"12", "EUR", 1200, true},
		{".5", "EUR", 50, true}, {"-1.99", "EUR", -199, true}, {" 3.00 ", "EUR", 300, true},
		{"1250", "JPY", 1250, true}, {"12.5", "JPY", 0, false}, {"12.505", "EUR", 0, false},
		{"", "EUR", 0, false}, {"abc", "EUR", 0, false}, {"1.2.3", "EUR", 0, false}, {"1e5", "EUR", 0, false},
		{".", "EUR", 0, false}, {"9999999999999999", "EUR", 0, false},
	} {
		got, err := money.Parse(tc.in, tc.cur)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d, ok=%v", tc.in, tc.cur, got, err, tc.want, tc.ok)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, cur := range []string{"EUR", "JPY"} {
		for _, v := range []int64{0, 1, 99, 100, 12345678, -42} {
			got, err := money.Parse(money.Format(v, cur), cur)
			if err != nil || got != v {
				t.Errorf("%s %d: round trip gave %d, %v", cur, v, got, err)
			}
		}
	}
}
