package payments_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

var munich = fulfillment.Address{Name: "Erika Muster", Line1: "Marienplatz 1", City: "München", PostalCode: "80331", Region: "DE-BY", Country: "DE", Latitude: 48.137, Longitude: 11.575}

// world: a consortium (fee 5% of retail), two drop-shipping suppliers, a seller with a
// storefront and a customer.
type world struct {
	d         *pgtest.DB
	svc       *fulfillment.Service
	fed       *federation.Service
	ten       *tenants.Service
	led       *ledger.Service
	pay       *payments.Service
	c         *tenants.Consortium
	op        tenants.Principal
	sup, sup2 tenants.Principal
	sel       tenants.Principal
	sf        *tenants.Storefront
	cust      *tenants.Customer
	n         int
}

func newWorld(t testing.TB, feeBps int) *world {
	t.Helper()
	ctx := context.Background()
	d := pgtest.New(t)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: feeBps})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, svc: fulfillment.NewService(d.App, nil), fed: federation.NewService(d.App, nil), ten: tenants.NewService(d.App),
		led: ledger.NewService(d.App), pay: payments.NewService(d.App), c: c, op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}}
	w.sup = w.member(t, "supplier", true, false)
	w.sup2 = w.member(t, "supplier2", true, false)
	w.sel = w.member(t, "seller", false, true)
	if w.sf, err = w.ten.CreateStorefront(ctx, w.sel, tenants.StorefrontCreate{Handle: "shop", Name: "Corner Shop"}); err != nil {
		t.Fatal(err)
	}
	if w.cust, err = w.ten.CreateCustomer(ctx, w.sel, tenants.CustomerCreate{StorefrontID: w.sf.ID, Email: "buyer@example.com", Name: "Buyer"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) member(t testing.TB, handle string, supplier, seller bool) tenants.Principal {
	t.Helper()
	ctx := context.Background()
	m, err := w.ten.InviteMember(ctx, w.op, tenants.MemberInvite{Handle: handle, LegalName: "Legal " + handle, IsSupplier: supplier, IsSeller: seller})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.ten.ActivateMember(ctx, w.op, m.ID); err != nil {
		t.Fatal(err)
	}
	return tenants.Principal{Kind: tenants.KindMember, ConsortiumID: w.c.ID, MemberID: m.ID, Role: tenants.RoleOwner}
}

func (w *world) customer() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID, CustomerID: w.cust.ID}
}

func (w *world) storefrontKey() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID, Role: tenants.RoleStorefront}
}

// offer creates a drop-shipped offer of sup with one variant and publishes it at the
// suggested retail price; it returns the listing variant id.
func (w *world) offer(t testing.TB, sup tenants.Principal, wholesale, srp int64) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	w.n++
	var offer, variant uuid.UUID
	w.as(t, sup, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, status) VALUES ($1, $2, $3, $4, 'ACTIVE') RETURNING id`,
			w.c.ID, sup.MemberID, fmt.Sprintf("o-%d", w.n), fmt.Sprintf("Offer %d", w.n)).Scan(&offer); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, options, currency,
				wholesale_price, suggested_retail_price, availability, available_quantity, ships_direct,
				ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, direct_lead_time_days)
			VALUES ($1, $2, $3, $4, '{}', 'EUR', $5, $6, 'IN_STOCK', 1000, true, 52.52, 13.40, 'DE-BE', '{DE}', 2) RETURNING id`,
			w.c.ID, offer, sup.MemberID, fmt.Sprintf("SKU-%d", w.n), wholesale, srp).Scan(&variant)
	})
	l, err := w.fed.PublishListing(ctx, w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer})
	if err != nil {
		t.Fatal(err)
	}
	var lv uuid.UUID
	if err := w.d.Owner.QueryRow(ctx, `SELECT id FROM listing_variants WHERE storefront_id = $1 AND listing_id = $2`, w.sf.ID, l.ID).Scan(&lv); err != nil {
		t.Fatal(err)
	}
	return lv
}

// buy checks out a cart of (listing variant, quantity) as the customer and posts the
// order-placed transaction in a transaction of the customer's scope.
func (w *world) buy(t testing.TB, lines map[uuid.UUID]int, order ...uuid.UUID) *fulfillment.Order {
	t.Helper()
	ctx := context.Background()
	var in []fulfillment.CartLineInput
	for _, lv := range order {
		in = append(in, fulfillment.CartLineInput{ListingVariantID: lv, Quantity: lines[lv]})
	}
	c, err := w.svc.CreateCart(ctx, w.customer(), in)
	if err != nil {
		t.Fatal(err)
	}
	o, err := w.svc.Checkout(ctx, w.customer(), fulfillment.CheckoutInput{CartID: c.ID, ShippingAddress: munich, IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	w.as(t, w.customer(), func(tx pgx.Tx) error { return ledger.PostOrderPlaced(ctx, tx, o.ID) })
	return o
}

func (w *world) as(t testing.TB, p tenants.Principal, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), w.d.App, p.Scope(), fn); err != nil {
		t.Fatal(err)
	}
}

// acct is an account key.
type acct struct {
	kind    string
	party   uuid.UUID
	account string
}

// balances as the owner sees them (all storefronts).
func (w *world) balances(t testing.TB) map[acct]int64 {
	t.Helper()
	out := map[acct]int64{}
	rows, err := w.d.Owner.Query(context.Background(), `SELECT party_kind, party_id, account, sum(balance)::bigint FROM ledger_balances
		WHERE consortium_id = $1 GROUP BY 1, 2, 3`, w.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k acct
		var v int64
		if err := rows.Scan(&k.kind, &k.party, &k.account, &v); err != nil {
			t.Fatal(err)
		}
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func (w *world) check(t testing.TB) {
	t.Helper()
	probs, err := ledger.Check(context.Background(), w.d.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("ledger check: %v", probs)
	}
}

func wantBalances(t testing.TB, got, want map[acct]int64) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s %s: got %d, want %d", k.kind, k.account, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s %s balance %d", k.kind, k.account, v)
		}
	}
}

// customerSeller is the seller, who starts card payments for its orders.
func (w *world) customerSeller() tenants.Principal { return w.sel }
