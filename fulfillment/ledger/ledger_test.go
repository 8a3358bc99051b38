package ledger_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Awkward numbers, 5% fee on retail:
//
//	line  supplier  wholesale×q  retail×q     fee raw (÷10000)      fee  margin
//	L1    sup        333×3= 999   999×3=2997  149.85 → 149 (+1)     150  1848
//	L2    sup        101×1= 101   337×1= 337   16.85 →  16 (+1)      17   219
//	L3    sup2         7×7=  49    13×7=  91    4.55 →   4            4    38
//
// The order's fee is 5% of 3425 = 171.25 → 171; the floors give 169, and the two cents
// left go to the largest remainders (L1, L2).
func placed(t *testing.T) (*world, *fulfillment.Order) {
	w := newWorld(t, 500)
	l1, l2, l3 := w.Offer(t, w.Sup, 333, 999), w.Offer(t, w.Sup, 101, 337), w.Offer(t, w.Sup2, 7, 13)
	o := w.Buy(t, map[uuid.UUID]int{l1: 3, l2: 1, l3: 7}, l1, l2, l3)
	return w, o
}

func (w *world) placedBalances(o *fulfillment.Order) map[acct]int64 {
	return map[acct]int64{
		key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):    3425,
		key("SUPPLIER", w.Sup.MemberID, "PAYABLE"):  -1100,
		key("SUPPLIER", w.Sup2.MemberID, "PAYABLE"): -49,
		key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):    -171,
		key("STOREFRONT", w.SF.ID, "MARGIN"):        -2105,
	}
}

func TestPostOrderPlaced(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		w, o := placed(t)
		wantBalances(t, w.Balances(t), w.placedBalances(o))
		var fees []int64
		rows, _ := w.D.Owner.Query(context.Background(), `SELECT -e.amount FROM ledger_entries e JOIN order_lines l ON l.storefront_id = e.storefront_id
			AND l.id = e.order_line_id WHERE e.account = 'FEE_REVENUE' ORDER BY l.position`)
		fees, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		if len(fees) != 3 || fees[0] != 150 || fees[1] != 17 || fees[2] != 4 {
			t.Fatalf("fees per line %v, want [150 17 4]", fees)
		}
		w.Check(t)
	})
	t.Run("OKTieGoesToFirstLine", func(t *testing.T) {
		t.Parallel()
		// Two lines of retail 10 at 5%: 0.5 each, 1.0 in all; the cent goes to position 1.
		w := newWorld(t, 500)
		a, b := w.Offer(t, w.Sup, 1, 10), w.Offer(t, w.Sup2, 1, 10)
		o := w.Buy(t, map[uuid.UUID]int{a: 1, b: 1}, a, b)
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):    20,
			key("SUPPLIER", w.Sup.MemberID, "PAYABLE"):  -1,
			key("SUPPLIER", w.Sup2.MemberID, "PAYABLE"): -1,
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):    -1,
			key("STOREFRONT", w.SF.ID, "MARGIN"):        -17,
		})
		var first int64
		if err := w.D.Owner.QueryRow(context.Background(), `SELECT -e.amount FROM ledger_entries e JOIN order_lines l
			ON l.storefront_id = e.storefront_id AND l.id = e.order_line_id WHERE e.account = 'FEE_REVENUE' AND l.order_id = $1`, o.ID).Scan(&first); err != nil {
			t.Fatal(err)
		}
		if o.Lines[0].Position != 1 || first != 1 {
			t.Fatalf("fee %d on line %d, want 1 on line 1", first, o.Lines[0].Position)
		}
		w.Check(t)
	})
	t.Run("OKWholesaleBasisAndReferral", func(t *testing.T) {
		t.Parallel()
		// 10% of wholesale 333 = 33.3 → 33; margin 999-333-33 = 633; referrer 25% → 158 (rounded down).
		w := newWorld(t, 1000)
		ref := w.Member(t, "referrer", false, true)
		ctx := context.Background()
		if _, err := w.D.Owner.Exec(ctx, `UPDATE consortia SET fee_basis = 'WHOLESALE' WHERE id = $1`, w.C.ID); err != nil {
			t.Fatal(err)
		}
		w.As(t, w.Sel, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO storefront_referrals (storefront_id, consortium_id, member_id, referrer_id, share_bps) VALUES ($1, $2, $3, $4, 2500)`,
				w.SF.ID, w.C.ID, w.Sel.MemberID, ref.MemberID)
			return err
		})
		a := w.Offer(t, w.Sup, 333, 999)
		w.Buy(t, map[uuid.UUID]int{a: 1}, a)
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):   999,
			key("SUPPLIER", w.Sup.MemberID, "PAYABLE"): -333,
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):   -33,
			key("REFERRER", ref.MemberID, "REFERRAL"):  -158,
			key("STOREFRONT", w.SF.ID, "MARGIN"):       -475,
		})
		w.Check(t)
	})
	t.Run("OKIdempotent", func(t *testing.T) {
		t.Parallel()
		w, o := placed(t)
		w.As(t, w.StorefrontKey(), func(tx pgx.Tx) error { return ledger.PostOrderPlaced(context.Background(), tx, o.ID) })
		wantBalances(t, w.Balances(t), w.placedBalances(o))
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		w, o := placed(t)
		for _, p := range []tenants.Principal{w.Member(t, "stranger", true, true), w.Op,
			{Kind: tenants.KindStorefront, ConsortiumID: w.C.ID, StorefrontID: uuid.New(), Role: tenants.RoleStorefront}} {
			err := dbTx(w, p, func(tx pgx.Tx) error { return ledger.PostOrderPlaced(context.Background(), tx, o.ID) })
			if apperr.Code(err) != apperr.ENOTFOUND {
				t.Errorf("%v: got %v, want NOT_FOUND", p.Kind, err)
			}
		}
	})
}

func TestLedgerIsAppendOnly(t *testing.T) {
	t.Parallel()
	w, o := placed(t)
	ctx := context.Background()
	t.Run("ErrOwnerUpdate", func(t *testing.T) {
		if _, err := w.D.Owner.Exec(ctx, `UPDATE ledger_entries SET amount = amount + 1 WHERE order_id = $1`, o.ID); err == nil {
			t.Fatal("updated a ledger entry")
		}
		if _, err := w.D.Owner.Exec(ctx, `DELETE FROM ledger_entries WHERE order_id = $1`, o.ID); err == nil {
			t.Fatal("deleted a ledger entry")
		}
	})
	t.Run("ErrAppInsert", func(t *testing.T) {
		err := dbTx(w, w.StorefrontKey(), func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO ledger_transactions (storefront_id, consortium_id, member_id, order_id, kind, currency)
				VALUES ($1, $2, $3, $4, 'PAYMENT', 'EUR')`, w.SF.ID, w.C.ID, w.Sel.MemberID, o.ID)
			return err
		})
		if err == nil {
			t.Fatal("the application wrote the ledger directly")
		}
	})
	t.Run("ErrUnbalanced", func(t *testing.T) {
		err := func() error {
			tx, err := w.D.Owner.Begin(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback(ctx)
			var id uuid.UUID
			if err := tx.QueryRow(ctx, `INSERT INTO ledger_transactions (storefront_id, consortium_id, member_id, order_id, kind, currency)
				VALUES ($1, $2, $3, $4, 'PAYMENT', 'EUR') RETURNING id`, w.SF.ID, w.C.ID, w.Sel.MemberID, o.ID).Scan(&id); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, kind,
				party_kind, party_id, account, amount, currency) VALUES ($1, $2, $3, $4, $5, 'PAYMENT', 'STOREFRONT', $1, 'CASH', 5, 'EUR')`,
				w.SF.ID, id, w.C.ID, w.Sel.MemberID, o.ID)
			return err
		}()
		if err == nil {
			t.Fatal("an unbalanced transaction was written")
		}
	})
}

func TestCheck(t *testing.T) {
	t.Parallel()
	w, _ := placed(t)
	w.Check(t)
	t.Run("ErrBalanceMismatch", func(t *testing.T) {
		if _, err := w.D.Owner.Exec(context.Background(), `UPDATE ledger_balances SET balance = balance + 1 WHERE party_kind = 'CONSORTIUM'`); err != nil {
			t.Fatal(err)
		}
		probs, err := ledger.Check(context.Background(), w.D.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) != 1 || probs[0].Kind != "BALANCE_MISMATCH" {
			t.Fatalf("got %v, want one BALANCE_MISMATCH", probs)
		}
	})
}

func TestShipAndCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		w, o := placed(t)
		fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fos[0] {
			switch f.SupplierID {
			case w.Sup.MemberID:
				if _, err := w.Svc.AcceptFulfillmentOrder(ctx, w.Sup, f.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := w.Svc.ShipFulfillmentOrder(ctx, w.Sup, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "1"}}); err != nil {
					t.Fatal(err)
				}
				w.As(t, w.Sup, func(tx pgx.Tx) error { return ledger.PostLineShipped(ctx, tx, o.ID) })
			case w.Sup2.MemberID:
				if _, err := w.Svc.CancelFulfillmentOrder(ctx, w.Sel, f.ID, "out of season"); err != nil {
					t.Fatal(err)
				}
				w.As(t, w.Sel, func(tx pgx.Tx) error { return ledger.PostLineCancelled(ctx, tx, o.ID) })
			}
		}
		// Syncing again posts nothing.
		w.As(t, w.Sel, func(tx pgx.Tx) error { return ledger.Sync(ctx, tx, o.ID) })
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):       3425 - 91,
			key("SUPPLIER", w.Sup.MemberID, "PAYABLE_DUE"): -1100,
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):       -167,
			key("STOREFRONT", w.SF.ID, "MARGIN"):           -2067,
		})
		w.Check(t)
	})
	t.Run("OKPartialCancelRounds", func(t *testing.T) {
		t.Parallel()
		// Ship 1 of L1's 3 units, cancel the rest of the order: L1 reverses 2/3 of
		// 2997, -999, -150 → 1998, -666, -100 (truncated), the margin takes the rest.
		w, o := placed(t)
		fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fos[0] {
			if f.SupplierID != w.Sup.MemberID {
				continue
			}
			if _, err := w.Svc.AcceptFulfillmentOrder(ctx, w.Sup, f.ID); err != nil {
				t.Fatal(err)
			}
			var l1 uuid.UUID
			for _, l := range f.Lines {
				if l.Quantity == 3 {
					l1 = l.ID
				}
			}
			if _, err := w.Svc.ShipFulfillmentOrder(ctx, w.Sup, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "1",
				Lines: []fulfillment.ShipmentLineInput{{FulfillmentOrderLineID: l1, Quantity: 1}}}}); err != nil {
				t.Fatal(err)
			}
			w.As(t, w.Sup, func(tx pgx.Tx) error { return ledger.PostLineShipped(ctx, tx, o.ID) })
			// Nothing in fulfilment cancels part of a shipped line yet: remove the rest as the
			// owner (the derive trigger sets order_lines.quantity_cancelled).
			if _, err := w.D.Owner.Exec(ctx, `UPDATE fulfillment_order_lines SET quantity_removed = quantity - quantity_shipped,
				removal = 'CANCELLED' WHERE storefront_id = $1 AND fulfillment_order_id = $2`, w.SF.ID, f.ID); err != nil {
				t.Fatal(err)
			}
			w.As(t, w.Sel, func(tx pgx.Tx) error { return ledger.PostLineCancelled(ctx, tx, o.ID) })
		}
		// L1 keeps 2997-1998 = 999 receivable, -333 payable (due), -50 fee, -616 margin;
		// L2 is gone; L3 stands.
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):       999 + 91,
			key("SUPPLIER", w.Sup.MemberID, "PAYABLE_DUE"): -333,
			key("SUPPLIER", w.Sup2.MemberID, "PAYABLE"):    -49,
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):       -50 - 4,
			key("STOREFRONT", w.SF.ID, "MARGIN"):           -616 - 38,
		})
		w.Check(t)
	})
}

// TestLedgerFollowsFulfilment: shipping and cancelling through the fulfilment service,
// with no call into the ledger, leaves the same balances as TestShipAndCancel (the derive
// trigger syncs the ledger in the same transaction); a shipment written behind the
// ledger's back (as the owner, no tenant) is what `ledger check` reports.
func TestLedgerFollowsFulfilment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w, o := placed(t)
	fos, err := w.Svc.FulfillmentOrdersOfOrders(ctx, w.Sel, []uuid.UUID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	var sup2FO uuid.UUID
	for _, f := range fos[0] {
		switch f.SupplierID {
		case w.Sup.MemberID:
			if _, err := w.Svc.AcceptFulfillmentOrder(ctx, w.Sup, f.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Svc.ShipFulfillmentOrder(ctx, w.Sup, f.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "1"}}); err != nil {
				t.Fatal(err)
			}
		case w.Sup2.MemberID:
			sup2FO = f.ID
			if _, err := w.Svc.CancelFulfillmentOrder(ctx, w.Sel, f.ID, "out of season"); err != nil {
				t.Fatal(err)
			}
		}
	}
	wantBalances(t, w.Balances(t), map[acct]int64{
		key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):       3425 - 91,
		key("SUPPLIER", w.Sup.MemberID, "PAYABLE_DUE"): -1100,
		key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):       -167,
		key("STOREFRONT", w.SF.ID, "MARGIN"):           -2067,
	})
	w.Check(t)

	t.Run("ErrShippedNotDue", func(t *testing.T) {
		if _, err := w.D.Owner.Exec(ctx, `UPDATE fulfillment_order_lines SET quantity_removed = 0, removal = NULL, quantity_shipped = quantity
			WHERE storefront_id = $1 AND fulfillment_order_id = $2`, w.SF.ID, sup2FO); err != nil {
			t.Fatal(err)
		}
		probs, err := ledger.Check(ctx, w.D.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(probs) != 1 || probs[0].Kind != "SHIPPED_NOT_DUE" {
			t.Fatalf("got %v, want one SHIPPED_NOT_DUE", probs)
		}
	})
}
