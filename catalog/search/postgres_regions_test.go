package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestPostgresRegionsIsolation reads offer_search_regions (migration 014) straight, under
// every kind of scope: each reads the rows of exactly the offers it may read in
// offer_search, none of the other consortium's, and none may write a row.
func TestPostgresRegionsIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	w := searchtest.NewWorld(t, d)
	s := search.NewPostgres(d.App)
	for _, c := range []uuid.UUID{w.ConsortiumID, w.OtherID} {
		if _, err := s.Reindex(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Offer names each scope reads: from offer_search (where regions is not empty, as
	// every offer of the world has), from offer_search_regions, and of the other
	// consortium in either.
	read := func(t *testing.T, sc db.Scope) (fromSearch, fromRegions []string, foreign int) {
		t.Helper()
		err := db.InReadTx(ctx, d.App, sc, func(tx pgx.Tx) error {
			for _, q := range []struct {
				sql string
				out *[]string
			}{
				{`SELECT offer_id FROM offer_search WHERE cardinality(regions) > 0`, &fromSearch},
				{`SELECT DISTINCT offer_id FROM offer_search_regions`, &fromRegions},
			} {
				rows, err := tx.Query(ctx, q.sql)
				if err != nil {
					return err
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
				if err != nil {
					return err
				}
				for _, id := range ids {
					*q.out = append(*q.out, w.OfferName(id))
				}
				slices.Sort(*q.out)
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM offer_search_regions WHERE consortium_id = $1`, w.OtherID).Scan(&foreign)
		})
		if err != nil {
			t.Fatal(err)
		}
		return fromSearch, fromRegions, foreign
	}
	member := func(h string) db.Scope { return w.Member(h).Scope() }
	for _, tc := range []struct {
		name  string
		scope db.Scope
		want  []string
	}{
		{"Operator", w.Operator().Scope(), []string{"board", "bread", "hose", "knife", "santoku"}},
		{"System", db.Scope{ConsortiumID: w.ConsortiumID, Role: db.RoleSystem}, []string{"board", "bread", "hose", "knife", "santoku"}},
		{"SellerWithAgreementOnAllowList", member("shop1"), []string{"board", "bread", "hose", "knife", "santoku"}},
		{"SellerWithoutEither", member("shop2"), []string{"board", "hose", "knife"}},
		{"SupplierOwnAllowListed", member("charlie"), []string{"board", "bread", "hose", "knife"}},
		{"SupplierOwnAgreementOnly", member("bravo"), []string{"board", "hose", "knife", "santoku"}},
		{"Storefront", db.Scope{ConsortiumID: w.ConsortiumID, StorefrontID: uuid.New(), Role: db.RoleStorefront}, nil},
		{"Shopper", db.Scope{ConsortiumID: w.ConsortiumID, StorefrontID: uuid.New(), Role: db.RoleShopper}, nil},
		{"Unset", db.Scope{}, nil},
	} {
		t.Run("OK"+tc.name, func(t *testing.T) {
			fromSearch, fromRegions, foreign := read(t, tc.scope)
			if !slices.Equal(fromRegions, tc.want) || !slices.Equal(fromSearch, fromRegions) || foreign != 0 {
				t.Errorf("reads offers %v in offer_search_regions (want %v), %v in offer_search, %d rows of the other consortium",
					fromRegions, tc.want, fromSearch, foreign)
			}
		})
	}
	t.Run("ErrNoScopeWrites", func(t *testing.T) {
		for _, sc := range []db.Scope{member("alpha"), w.Operator().Scope(), {ConsortiumID: w.ConsortiumID, Role: db.RoleSystem}} {
			for _, stmt := range []string{
				`INSERT INTO offer_search_regions (consortium_id, offer_id, region, supplier_id, status, visibility, brand, wholesale,
					suggested_retail, ships_direct, in_warehouse, in_stock, created_at)
				 SELECT consortium_id, offer_id, 'XX', supplier_id, status, visibility, brand, wholesale, suggested_retail,
					ships_direct, in_warehouse, in_stock, created_at FROM offer_search LIMIT 1`,
				`UPDATE offer_search_regions SET wholesale = 1`,
				`DELETE FROM offer_search_regions`,
			} {
				err := db.InTx(ctx, d.App, sc, func(tx pgx.Tx) error {
					tag, err := tx.Exec(ctx, stmt)
					if err == nil && tag.RowsAffected() > 0 {
						return errors.New("written")
					}
					return err
				})
				var pe *pgconn.PgError
				if err != nil && !(errors.As(err, &pe) && pe.Code == "42501") {
					t.Errorf("%s: %.40s: %v", sc.Role, stmt, err)
				}
			}
		}
	})
}

// TestPostgresRegionsPolicy holds offer_search_regions' read policy to offer_search's:
// migration 014 wrote it out again, word for word, and a later change to either must
// change both.
func TestPostgresRegionsPolicy(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	rows, err := d.Owner.Query(context.Background(), `SELECT polname, pg_get_expr(polqual, polrelid) FROM pg_policy
		WHERE polname IN ('offer_search_read', 'offer_search_regions_read') ORDER BY polname`)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var name, rule string
		err := r.Scan(&name, &rule)
		return rule, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 || rules[0] != rules[1] || rules[0] == "" {
		t.Errorf("the read policies differ:\n%q", rules)
	}
}
