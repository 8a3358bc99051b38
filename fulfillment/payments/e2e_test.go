package payments_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/jackc/pgx/v5"
)

// TestSettlementEndToEnd (5% fee on retail, everything in cents):
//
//	order 1, invoice (30 days), paid 10.00 then the rest:
//	  L1 sup  drop-ship  3 × 9.99 = 29.97, wholesale 9.99, fee 1.50, margin 18.48
//	  L2 sup2 warehouse  2 × 3.37 =  6.74, wholesale 2.02, fee 0.34, margin  4.38
//	  (fee 1.8355 → 1.84 = floors 1.49 + 0.33, the 2 cents to both lines)
//	order 2, card:
//	  L3 sup  drop-ship, rejected, rerouted to Hamburg: 12.50, wholesale 5.00, fee 0.62, margin 6.88
//	  L4 sup2 drop-ship, rejected, nothing to reroute to: 7 × 0.13 = 0.91, wholesale 0.49, fee 0.05, margin 0.37
//	  (fee 0.6705 → 0.67 = floors 0.62 + 0.04, the cent to L4: remainder 0.55 > 0.50)
//	  L4 is cancelled and its 0.91 refunded to the card.
//
// Every line that ships makes its wholesale due; at the end the customer owes nothing,
// suppliers are due 9.99 + 5.00 and 2.02, the consortium earned 1.50 + 0.34 + 0.62 and
// holds the card's 12.50, the storefront kept 18.48 + 4.38 + 6.88 and collected 36.71.
func TestSettlementEndToEnd(t *testing.T) {
	t.Parallel()
	needStripeMock(t)
	ctx := context.Background()
	w, _ := ordered(t) // the terms group; its order is left alone (not counted below)
	base := w.Balances(t)
	svc := w.pay.WithStripe(payments.StripeConfig{SecretKey: "sk_test_123", WebhookSecret: whsec, BackendURL: stripeMockURL})
	cat := catalog.NewService(w.D.App, nil)
	warehouse := func(h string, lat, lng float64, region string) uuid.UUID {
		wh, err := cat.CreateWarehouse(ctx, w.Op, catalog.WarehouseCreate{Handle: h, Name: h, Latitude: lat, Longitude: lng, Region: region,
			RegionsServed: []string{"DE"}, HandlingDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		return wh.ID
	}
	munichWH, hamburgWH := warehouse("munich", 48.35, 11.78, "DE-BY"), warehouse("hamburg", 53.55, 9.99, "DE-HH")
	variant := func(lv uuid.UUID) uuid.UUID {
		var v uuid.UUID
		if err := w.D.Owner.QueryRow(ctx, `SELECT variant_id FROM listing_variants WHERE id = $1`, lv).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	receive := func(wh, lv uuid.UUID, q int) {
		if _, err := w.Svc.ReceiveStock(ctx, w.Op, fulfillment.StockReceipt{WarehouseID: wh, VariantID: variant(lv), Quantity: q}); err != nil {
			t.Fatal(err)
		}
	}
	sync := func(oid uuid.UUID) { w.As(t, w.Sel, func(tx pgx.Tx) error { return ledger.Sync(ctx, tx, oid) }) }
	fos := func(oid uuid.UUID) []*fulfillment.FulfillmentOrder {
		fs, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{oid})
		if err != nil {
			t.Fatal(err)
		}
		return fs[0]
	}
	ship := func(f *fulfillment.FulfillmentOrder) {
		shipper := w.Op
		if f.Kind == "SUPPLIER" {
			shipper = w.Sup
			if f.SupplierID == w.Sup2.MemberID {
				shipper = w.Sup2
			}
			if _, err := w.Svc.AcceptFulfillmentOrder(ctx, shipper, f.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Svc.ShipFulfillmentOrder(ctx, shipper, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T-" + f.Reference}}); err != nil {
			t.Fatal(err)
		}
	}

	a, wg := w.Offer(t, w.Sup, 333, 999), w.Offer(t, w.Sup2, 101, 337)
	if _, err := w.D.Owner.Exec(ctx, `UPDATE offer_variants SET ships_direct = false WHERE id = $1`, variant(wg)); err != nil {
		t.Fatal(err)
	}
	receive(munichWH, wg, 5)
	r, c := w.Offer(t, w.Sup, 500, 1250), w.Offer(t, w.Sup2, 7, 13)

	// Order 1: invoice, paid in two parts; both fulfilment orders ship.
	o1 := w.Buy(t, map[uuid.UUID]int{a: 3, wg: 2}, a, wg)
	if _, err := svc.RecordPayment(ctx, w.Sel, payments.RecordInput{OrderID: o1.ID, Amount: 1000, IdempotencyKey: "o1-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MarkPaid(ctx, w.Sel, o1.ID, "o1-2"); err != nil {
		t.Fatal(err)
	}
	for _, f := range fos(o1.ID) {
		ship(f)
	}
	sync(o1.ID)

	// Order 2: card; both suppliers reject; only the lamp-like R finds stock (Hamburg).
	o2 := w.Buy(t, map[uuid.UUID]int{r: 1, c: 7}, r, c)
	cp, err := svc.CreatePaymentIntent(ctx, w.customerSeller(), o2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Amount != 1341 {
		t.Fatalf("intent for %d, want 13.41", cp.Amount)
	}
	ev := event("evt_e2e", "payment_intent.succeeded", cp.PaymentIntentID, stripeAPIVersion())
	if _, err := svc.HandleStripeWebhook(ctx, ev, signed(ev, whsec, time.Now())); err != nil {
		t.Fatal(err)
	}
	receive(hamburgWH, r, 1)
	for _, f := range fos(o2.ID) {
		who := w.Sup
		if f.SupplierID == w.Sup2.MemberID {
			who = w.Sup2
		}
		if _, err := w.Svc.RejectFulfillmentOrder(ctx, who, f.ID, nil, "cannot ship"); err != nil {
			t.Fatal(err)
		}
	}
	sync(o2.ID)
	for _, f := range fos(o2.ID) {
		if f.Kind == "WAREHOUSE" && f.Status == "NEW" {
			ship(f)
		}
	}
	sync(o2.ID)
	ref, err := svc.RefundOwed(ctx, w.Sel, o2.ID)
	if err != nil || ref.Amount != 91 {
		t.Fatalf("refund %+v, %v; want 0.91", ref, err)
	}

	got := w.Balances(t)
	want := map[acct]int64{
		key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):        0,
		key("SUPPLIER", w.Sup.MemberID, "PAYABLE"):      0,
		key("SUPPLIER", w.Sup.MemberID, "PAYABLE_DUE"):  -999 - 500,
		key("SUPPLIER", w.Sup2.MemberID, "PAYABLE"):     0,
		key("SUPPLIER", w.Sup2.MemberID, "PAYABLE_DUE"): -202,
		key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):        -(150 + 34 + 62),
		key("CONSORTIUM", w.C.ID, "CASH"):               1250,
		key("STOREFRONT", w.SF.ID, "MARGIN"):            -(1848 + 438 + 688),
		key("STOREFRONT", w.SF.ID, "CASH"):              3671,
	}
	for k, v := range want {
		if got[k]-base[k] != v {
			t.Errorf("%s %s: %d, want %d", k.Kind, k.Account, got[k]-base[k], v)
		}
	}
	w.Check(t)
}
