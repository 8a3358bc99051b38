package federation_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
	"github.com/jackc/pgx/v5"
)

// world is one consortium with a supplier, two sellers (one storefront each, the first
// with a customer) and the services.
type world struct {
	d         *pgtest.DB
	svc       *federation.Service
	ten       *tenants.Service
	c         *tenants.Consortium
	op        tenants.Principal
	sup       tenants.Principal // supplier
	sel, sel2 tenants.Principal // sellers
	sf, sf2   *tenants.Storefront
	cust      *tenants.Customer
	n         int
}

func newWorld(t testing.TB) *world {
	t.Helper()
	return newWorldIn(t, pgtest.New(t), "c1")
}

func newWorldIn(t testing.TB, d *pgtest.DB, h string) *world {
	t.Helper()
	ctx := context.Background()
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: h, Name: h, Currency: "EUR", FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, svc: federation.NewService(d.App, nil), ten: tenants.NewService(d.App), c: c,
		op: tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}}
	w.sup = w.member(t, h+"-supplier", true, false)
	w.sel = w.member(t, h+"-seller", false, true)
	w.sel2 = w.member(t, h+"-seller2", false, true)
	if w.sf, err = w.ten.CreateStorefront(ctx, w.sel, tenants.StorefrontCreate{Handle: h + "-shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	if w.sf2, err = w.ten.CreateStorefront(ctx, w.sel2, tenants.StorefrontCreate{Handle: h + "-shop2", Name: "Shop 2"}); err != nil {
		t.Fatal(err)
	}
	if w.cust, err = w.ten.CreateCustomer(ctx, w.sel, tenants.CustomerCreate{StorefrontID: w.sf.ID, Email: "buyer@" + h + ".example", Kind: "BUSINESS", Company: "Corner Shop"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) member(t testing.TB, handle string, supplier, seller bool) tenants.Principal {
	t.Helper()
	return tenanttest.ActiveMember(t, w.ten, w.op, tenants.MemberInvite{Handle: handle, LegalName: "Legal " + handle, IsSupplier: supplier, IsSeller: seller})
}

func (w *world) shopper(sf *tenants.Storefront) tenants.Principal {
	return tenants.Principal{Kind: tenants.KindShopper, ConsortiumID: w.c.ID, MemberID: sf.MemberID, StorefrontID: sf.ID}
}

func (w *world) customer() tenants.Principal {
	return tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: w.c.ID, MemberID: w.sf.MemberID, StorefrontID: w.sf.ID, CustomerID: w.cust.ID}
}

// v is a variant to create: prices in minor units.
type v struct {
	wholesale, srp int64
	floor          *int64
}

// offer creates an ACTIVE offer of the supplier with variants, as the supplier's own
// scope would (RLS applies), and returns its id and its variants' ids.
func (w *world) offer(t testing.TB, title string, vs ...v) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	w.n++
	var offer uuid.UUID
	var ids []uuid.UUID
	w.as(t, w.sup, func(tx pgx.Tx) error {
		if err := tx.QueryRow(context.Background(), `INSERT INTO offers (consortium_id, supplier_id, handle, title, description, brand, status, images)
			VALUES ($1, $2, $3, $4, 'Made well.', 'Acme', 'ACTIVE', '{https://img.example/1.jpg}') RETURNING id`,
			w.c.ID, w.sup.MemberID, fmt.Sprintf("o-%d", w.n), title).Scan(&offer); err != nil {
			return err
		}
		for i, x := range vs {
			var id uuid.UUID
			if err := tx.QueryRow(context.Background(), `INSERT INTO offer_variants (consortium_id, offer_id, supplier_id, sku, options, currency,
					wholesale_price, suggested_retail_price, minimum_resale_price, availability, available_quantity)
				VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8, 'IN_STOCK', 100) RETURNING id`,
				w.c.ID, offer, w.sup.MemberID, fmt.Sprintf("SKU-%d-%d", w.n, i), map[string]string{"size": fmt.Sprint("S", i)},
				x.wholesale, x.srp, x.floor).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return offer, ids
}

// as runs fn in a transaction under p's scope and fails the test on error.
func (w *world) as(t testing.TB, p tenants.Principal, fn func(tx pgx.Tx) error) {
	t.Helper()
	if err := db.InTx(context.Background(), w.d.App, p.Scope(), fn); err != nil {
		t.Fatal(err)
	}
}

// exec runs one statement under p's scope.
func (w *world) exec(t testing.TB, p tenants.Principal, sql string, args ...any) {
	t.Helper()
	w.as(t, p, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}

func (w *world) publish(t testing.TB, offer uuid.UUID, rule *federation.Rule) *federation.Listing {
	t.Helper()
	l, err := w.svc.PublishListing(context.Background(), w.sel, federation.PublishInput{StorefrontID: w.sf.ID, OfferID: offer, Rule: rule})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// variants returns the listing's variants as p sees them.
func (w *world) variants(t testing.TB, p tenants.Principal, l *federation.Listing) []*federation.ListingVariant {
	t.Helper()
	vs, err := w.svc.VariantsOfListings(context.Background(), p, l.StorefrontID, []uuid.UUID{l.ID})
	if err != nil {
		t.Fatal(err)
	}
	return vs[0]
}

// one returns the single variant of a listing as its seller sees it.
func (w *world) one(t testing.TB, l *federation.Listing) *federation.ListingVariant {
	t.Helper()
	vs := w.variants(t, w.sel, l)
	if len(vs) != 1 {
		t.Fatalf("%d variants", len(vs))
	}
	return vs[0]
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if apperr.Code(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func i64p(v int64) *int64 { return &v }
