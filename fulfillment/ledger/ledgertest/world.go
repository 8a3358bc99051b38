// Package ledgertest is the settlement tests' world: a consortium with suppliers, a
// seller's storefront and a customer on a fresh database, and helpers to buy, read
// balances and check the ledger. The ledger and payments tests share it.
package ledgertest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/ledger"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/jackc/pgx/v5"
)

// Munich is a ship-to address the suppliers reach.
var Munich = fulfillment.Address{Name: "Erika Muster", Line1: "Marienplatz 1", City: "München", PostalCode: "80331", Region: "DE-BY", Country: "DE", Latitude: 48.137, Longitude: 11.575}

// World is a consortium (fee feeBps of retail), two drop-shipping suppliers, a seller
// with a storefront and a customer.
type World struct {
	D         *pgtest.DB
	Svc       *fulfillment.Service
	Fed       *federation.Service
	Ten       *tenants.Service
	Led       *ledger.Service
	C         *tenants.Consortium
	Op        tenants.Principal
	Sup, Sup2 tenants.Principal
	Sel       tenants.Principal
	SF        *tenants.Storefront
	Cust      *tenants.Customer
	n         int
}

// New builds the world on a fresh database.
func New(t testing.TB, feeBps int) *World {
	t.Helper()
	ctx := context.Background()
	d := pgtest.New(t)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: feeBps})
	if err != nil {
		t.Fatal(err)
	}
	w := &World{D: d, Svc: fulfillment.NewService(d.App, nil), Fed: federation.NewService(d.App, nil), Ten: tenants.NewService(d.App),
		Led: ledger.NewService(d.App), C: c, Op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}}
	w.Sup = w.Member(t, "supplier", true, false)
	w.Sup2 = w.Member(t, "supplier2", true, false)
	w.Sel = w.Member(t, "seller", false, true)
	if w.SF, err = w.Ten.CreateStorefront(ctx, w.Sel, tenants.StorefrontCreate{Handle: "shop", Name: "Corner Shop"}); err != nil {
		t.Fatal(err)
	}
	if w.Cust, err = w.Ten.CreateCustomer(ctx, w.Sel, tenants.CustomerCreate{StorefrontID: w.SF.ID, Email: "buyer@example.com", Name: "Buyer"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *World) Member(t testing.TB, handle string, supplier, seller bool) tenants.Principal {
	t.Helper()
	return tenanttest.ActiveMember(t, w.Ten, w.Op, tenants.MemberInvite{Handle: handle, LegalName: "Legal " + handle, IsSupplier: supplier, IsSeller: seller})
}

func (w *World) Customer() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: w.C.ID, MemberID: w.SF.MemberID, StorefrontID: w.SF.ID, CustomerID: w.Cust.ID}
}

func (w *World) StorefrontKey() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.C.ID, MemberID: w.SF.MemberID, StorefrontID: w.SF.ID, Role: tenants.RoleStorefront}
}

// offer creates a drop-shipped offer of sup with one variant and publishes it at the
// suggested retail price; it returns the listing variant id.
func (w *World) Offer(t testing.TB, sup tenants.Principal, wholesale, srp int64) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	w.n++
	var offer, variant uuid.UUID
	w.As(t, sup, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO offers (consortium_id, supplier_id, handle, title, status) VALUES ($1, $2, $3, $4, 'ACTIVE') RETURNING id`,
			w.C.ID, sup.MemberID, fmt.Sprintf("o-%d", w.n), fmt.Sprintf("Offer %d", w.n)).Scan(&offer); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, options, currency,
				wholesale_price, suggested_retail_price, availability, available_quantity, ships_direct,
				ship_from_latitude, ship_from_longitude, ship_from_region, ships_to_regions, direct_lead_time_days)
			VALUES ($1, $2, $3, $4, '{}', 'EUR', $5, $6, 'IN_STOCK', 1000, true, 52.52, 13.40, 'DE-BE', '{DE}', 2) RETURNING id`,
			w.C.ID, offer, sup.MemberID, fmt.Sprintf("SKU-%d", w.n), wholesale, srp).Scan(&variant)
	})
	l, err := w.Fed.PublishListing(ctx, w.Sel, federation.PublishInput{StorefrontID: w.SF.ID, OfferID: offer})
	if err != nil {
		t.Fatal(err)
	}
	var lv uuid.UUID
	if err := w.D.Owner.QueryRow(ctx, `SELECT id FROM listing_variants WHERE storefront_id = $1 AND listing_id = $2`, w.SF.ID, l.ID).Scan(&lv); err != nil {
		t.Fatal(err)
	}
	return lv
}

// buy checks out a cart of (listing variant, quantity) as the customer and posts the
// order-placed transaction in a transaction of the customer's scope.
func (w *World) Buy(t testing.TB, lines map[uuid.UUID]int, order ...uuid.UUID) *fulfillment.Order {
	t.Helper()
	ctx := context.Background()
	var in []fulfillment.CartLineInput
	for _, lv := range order {
		in = append(in, fulfillment.CartLineInput{ListingVariantID: lv, Quantity: lines[lv]})
	}
	c, err := w.Svc.CreateCart(ctx, w.Customer(), in)
	if err != nil {
		t.Fatal(err)
	}
	o, err := w.Svc.Checkout(ctx, w.Customer(), fulfillment.CheckoutInput{CartID: c.ID, ShippingAddress: Munich, IdempotencyKey: uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	w.As(t, w.Customer(), func(tx pgx.Tx) error { return ledger.PostOrderPlaced(ctx, tx, o.ID) })
	return o
}

func (w *World) As(t testing.TB, p tenants.Principal, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), w.D.App, p.Scope(), fn); err != nil {
		t.Fatal(err)
	}
}

// Acct is an account key.
type Acct struct {
	Kind    string
	Party   uuid.UUID
	Account string
}

// balances as the owner sees them (all storefronts).
func (w *World) Balances(t testing.TB) map[Acct]int64 {
	t.Helper()
	out := map[Acct]int64{}
	rows, err := w.D.Owner.Query(context.Background(), `SELECT party_kind, party_id, account, sum(balance)::bigint FROM ledger_balances
		WHERE consortium_id = $1 GROUP BY 1, 2, 3`, w.C.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Acct
		var v int64
		if err := rows.Scan(&k.Kind, &k.Party, &k.Account, &v); err != nil {
			t.Fatal(err)
		}
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func (w *World) Check(t testing.TB) {
	t.Helper()
	probs, err := ledger.Check(context.Background(), w.D.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) > 0 {
		t.Fatalf("ledger check: %v", probs)
	}
}

// WantBalances fails t unless got holds exactly the non-zero balances of want.
func WantBalances(t testing.TB, got, want map[Acct]int64) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s %s: got %d, want %d", k.Kind, k.Account, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s %s balance %d", k.Kind, k.Account, v)
		}
	}
}

// Key is an account key.
func Key(kind string, party uuid.UUID, account string) Acct {
	return Acct{Kind: kind, Party: party, Account: account}
}
