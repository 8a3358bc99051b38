package payments_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/gateway"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

const whsec = "whsec_test_secret"

func event(id, typ, intent, version string) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "api_version": version,
		"data": map[string]any{"object": map[string]any{"id": intent, "object": "payment_intent"}}})
	return b
}

func signed(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

// TestCardPayment: a PaymentIntent is created (stripe-mock) for the open amount with the
// order as transfer group; the signed succeeded webhook pays the invoice and posts the
// ledger once, however often it is delivered.
func TestCardPayment(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w, o := ordered(t)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: whsec, BackendURL: stripeMockURL})
	cp, err := svc.CreatePaymentIntent(ctx, w.Sel, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cp.PaymentIntentID == "" || cp.Amount != 3425 {
		t.Fatalf("card payment %+v", cp)
	}
	srv := httptest.NewServer(gateway.StripeWebhook(svc, nil))
	defer srv.Close()
	post := func(payload []byte, sig string) int {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(string(payload)))
		req.Header.Set("Stripe-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ok := event("evt_1", "payment_intent.succeeded", cp.PaymentIntentID, stripe.APIVersion)

	t.Run("ErrWronglySigned", func(t *testing.T) {
		if c := post(ok, signed(ok, "whsec_other", time.Now())); c != 400 {
			t.Fatalf("status %d, want 400", c)
		}
	})
	t.Run("ErrStaleTimestamp", func(t *testing.T) {
		if c := post(ok, signed(ok, whsec, time.Now().Add(-time.Hour))); c != 400 {
			t.Fatalf("status %d, want 400", c)
		}
	})
	t.Run("ErrAPIVersion", func(t *testing.T) {
		old := event("evt_0", "payment_intent.succeeded", cp.PaymentIntentID, "2019-01-01")
		if c := post(old, signed(old, whsec, time.Now())); c != 400 {
			t.Fatalf("status %d, want 400", c)
		}
	})
	if inv, _ := w.pay.Invoice(ctx, w.Sel, o.ID); inv.Paid != 0 {
		t.Fatal("a refused webhook paid the invoice")
	}
	t.Run("OK", func(t *testing.T) {
		if c := post(ok, signed(ok, whsec, time.Now())); c != 200 {
			t.Fatalf("status %d, want 200", c)
		}
		inv, _ := w.pay.Invoice(ctx, w.Sel, o.ID)
		if inv.Status != "PAID" || inv.Method != payments.MethodCard {
			t.Fatalf("invoice %+v, want PAID by CARD", inv)
		}
	})
	t.Run("OKReplayAndDuplicate", func(t *testing.T) {
		// The same event again (a replay, re-signed now) and a second event for the same
		// intent: neither pays twice.
		if c := post(ok, signed(ok, whsec, time.Now())); c != 200 {
			t.Fatalf("status %d, want 200", c)
		}
		again := event("evt_2", "payment_intent.succeeded", cp.PaymentIntentID, stripe.APIVersion)
		dup, err := svc.HandleStripeWebhook(ctx, ok, signed(ok, whsec, time.Now()))
		if err != nil || !dup {
			t.Fatalf("replay: duplicate %v, %v", dup, err)
		}
		if c := post(again, signed(again, whsec, time.Now())); c != 200 {
			t.Fatalf("status %d, want 200", c)
		}
		b := w.Balances(t)
		if b[key("CONSORTIUM", w.C.ID, "CASH")] != 3425 || b[key("CUSTOMER", w.Cust.ID, "RECEIVABLE")] != 0 {
			t.Fatalf("balances %v", b)
		}
		w.Check(t)
	})
	t.Run("ErrNoSecret", func(t *testing.T) {
		_, err := w.pay.HandleStripeWebhook(ctx, ok, signed(ok, whsec, time.Now()))
		if !errors.Is(err, payments.ErrBadSignature) {
			t.Fatalf("got %v, want ErrBadSignature", err)
		}
	})
}

func TestCardPaymentFailed(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w, o := ordered(t)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: whsec, BackendURL: stripeMockURL})
	cp, err := svc.CreatePaymentIntent(ctx, w.Sel, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	ev := event("evt_f", "payment_intent.payment_failed", cp.PaymentIntentID, stripe.APIVersion)
	if _, err := svc.HandleStripeWebhook(ctx, ev, signed(ev, whsec, time.Now())); err != nil {
		t.Fatal(err)
	}
	inv, _ := w.pay.Invoice(ctx, w.Sel, o.ID)
	pays, err := w.pay.PaymentsOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
	if err != nil || len(pays[0]) != 1 || pays[0][0].Status != "FAILED" || inv.Paid != 0 {
		t.Fatalf("payments %v invoice %+v, %v", pays, inv, err)
	}
}

func stripeAPIVersion() string { return stripe.APIVersion }
func nowT() time.Time          { return time.Now() }
