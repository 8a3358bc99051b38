package payments_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
)

// TestReferral: the seller gives sup2 (who brought its customers) 10% of the margin of
// its storefront; an order of 2 × 25.00 (wholesale 10.00, fee 5% = 2.50) has a margin of
// 27.50: 2.75 to the referrer, 24.75 kept. The referrer reads its share, nothing else.
func TestReferral(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, 500)
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, c := range map[string]struct {
			sf, ref uuid.UUID
			bps     int
			code    string
		}{
			"bps":        {w.SF.ID, w.Sup2.MemberID, 0, apperr.EINVALID},
			"self":       {w.SF.ID, w.Sel.MemberID, 100, apperr.EINVALID},
			"notMember":  {w.SF.ID, uuid.New(), 100, apperr.EINVALID},
			"notOwnShop": {uuid.New(), w.Sup2.MemberID, 100, apperr.ENOTFOUND},
		} {
			if _, err := w.pay.SetReferral(ctx, w.Sel, c.sf, c.ref, c.bps); apperr.Code(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		if _, err := w.pay.SetReferral(ctx, w.Sup, w.SF.ID, w.Sup2.MemberID, 100); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("another member's storefront: %v, want NOT_FOUND", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if _, err := w.pay.SetReferral(ctx, w.Sel, w.SF.ID, w.Sup2.MemberID, 1000); err != nil {
			t.Fatal(err)
		}
		lv := w.Offer(t, w.Sup, 1000, 2500)
		w.Buy(t, map[uuid.UUID]int{lv: 2}, lv)
		wantBalances(t, w.Balances(t), map[acct]int64{
			key("CUSTOMER", w.Cust.ID, "RECEIVABLE"):     5000,
			key("SUPPLIER", w.Sup.MemberID, "PAYABLE"):   -2000,
			key("CONSORTIUM", w.C.ID, "FEE_REVENUE"):     -250,
			key("REFERRER", w.Sup2.MemberID, "REFERRAL"): -275,
			key("STOREFRONT", w.SF.ID, "MARGIN"):         -2475,
		})
		bs, err := w.Led.Balances(ctx, w.Sup2)
		if err != nil || len(bs) != 1 || bs[0].Account != "REFERRAL" || bs[0].Amount != -275 {
			t.Fatalf("referrer sees %+v, %v; want only its 2.75", bs, err)
		}
		// Removed: the next order keeps the whole margin.
		if _, err := w.pay.SetReferral(ctx, w.Sel, w.SF.ID, uuid.Nil, 0); err != nil {
			t.Fatal(err)
		}
		w.Buy(t, map[uuid.UUID]int{lv: 2}, lv)
		if got := w.Balances(t)[key("REFERRER", w.Sup2.MemberID, "REFERRAL")]; got != -275 {
			t.Fatalf("referral after removal %d, want still -275", got)
		}
		w.Check(t)
	})
}
