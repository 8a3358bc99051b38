package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Checkout outcomes as counted by guildmart_checkout_outcomes_total. The checkout code
// reports each attempt once with CountCheckout; anything else is counted as "other" so
// a typo cannot grow the label set.
const (
	CheckoutPlaced        = "placed"         // an order was created
	CheckoutReplayed      = "replayed"       // an idempotency key returned an earlier order
	CheckoutInvalid       = "invalid"        // userErrors: bad input, empty cart, price below the floor
	CheckoutOutOfStock    = "out_of_stock"   // a reservation could not be made
	CheckoutPaymentFailed = "payment_failed" // the payment was declined or could not be started
	CheckoutError         = "error"          // an internal error
	checkoutOther         = "other"
)

var checkoutOutcomesKnown = []string{CheckoutPlaced, CheckoutReplayed, CheckoutInvalid, CheckoutOutOfStock, CheckoutPaymentFailed, CheckoutError}

var (
	checkoutOutcomes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "guildmart_checkout_outcomes_total", Help: "Checkout attempts by outcome.",
	}, []string{"outcome"})
	checkoutDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "guildmart_checkout_duration_seconds", Help: "Checkout latency by outcome.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	}, []string{"outcome"})
)

func init() {
	// Every outcome exists from the start at 0, so rate() and ratio alerts work before
	// the first failure.
	for _, o := range checkoutOutcomesKnown {
		checkoutOutcomes.WithLabelValues(o)
	}
}

// CountCheckout records one checkout attempt's outcome and how long it took.
func CountCheckout(outcome string, took time.Duration) {
	known := false
	for _, o := range checkoutOutcomesKnown {
		known = known || o == outcome
	}
	if !known {
		outcome = checkoutOther
	}
	checkoutOutcomes.WithLabelValues(outcome).Inc()
	checkoutDuration.WithLabelValues(outcome).Observe(took.Seconds())
}
