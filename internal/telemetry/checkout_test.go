package telemetry_test

import (
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/telemetry"
)

func TestCountCheckout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, outcome, counted string }{
		{"OKPlaced", telemetry.CheckoutPlaced, "placed"},
		{"OKOutOfStock", telemetry.CheckoutOutOfStock, "out_of_stock"},
		{"ErrUnknownOutcome", "typo", "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Sequential: the counters are process-wide and the cases share none of them.
			before, _ := metric(t, "guildmart_checkout_outcomes_total", map[string]string{"outcome": tc.counted})
			telemetry.CountCheckout(tc.outcome, 30*time.Millisecond)
			after, _ := metric(t, "guildmart_checkout_outcomes_total", map[string]string{"outcome": tc.counted})
			if after-before != 1 {
				t.Fatalf("guildmart_checkout_outcomes_total{outcome=%q} went up by %v, want 1", tc.counted, after-before)
			}
			if _, ok := metric(t, "guildmart_checkout_outcomes_total", map[string]string{"outcome": tc.outcome}); !ok && tc.counted == tc.outcome {
				t.Fatal("outcome missing")
			}
		})
	}
	t.Run("OKEveryOutcomeExportedAtZero", func(t *testing.T) {
		for _, o := range []string{telemetry.CheckoutReplayed, telemetry.CheckoutInvalid, telemetry.CheckoutPaymentFailed, telemetry.CheckoutError} {
			if _, ok := metric(t, "guildmart_checkout_outcomes_total", map[string]string{"outcome": o}); !ok {
				t.Errorf("outcome %q is not exported before it happens: rate() alerts would see no series", o)
			}
		}
	})
}
