package tenants_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// tenantSet is one consortium with two seller members, each with a storefront, a
// customer and a key.
type tenantSet struct {
	c     *tenants.Consortium
	op    tenants.Principal
	m     [2]*tenants.Member
	mp    [2]tenants.Principal
	sf    [2]*tenants.Storefront
	sfp   [2]tenants.Principal
	cust  [2]*tenants.Customer
	key   [2]*tenants.APIKey
	opKey *tenants.APIKey
}

func newTenantSet(t *testing.T, svc *tenants.Service, d *pgtest.DB, h string) *tenantSet {
	t.Helper()
	ctx := context.Background()
	ts := &tenantSet{}
	var err error
	if ts.c, err = tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: h, Name: h, Currency: "EUR", FeeBps: 300}); err != nil {
		t.Fatal(err)
	}
	ts.op = tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: ts.c.ID}
	if ts.opKey, _, err = svc.CreateAPIKey(ctx, ts.op, tenants.APIKeyCreate{}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		m, err := svc.InviteMember(ctx, ts.op, tenants.MemberInvite{Handle: fmt.Sprintf("%s-m%d", h, i), LegalName: "M", IsSeller: true, IsSupplier: true})
		if err != nil {
			t.Fatal(err)
		}
		if ts.m[i], err = svc.ActivateMember(ctx, ts.op, m.ID); err != nil {
			t.Fatal(err)
		}
		ts.mp[i] = tenants.Principal{Kind: tenants.KindMember, ConsortiumID: ts.c.ID, MemberID: m.ID, Role: tenants.RoleOwner}
		if ts.sf[i], err = svc.CreateStorefront(ctx, ts.mp[i], tenants.StorefrontCreate{Handle: fmt.Sprintf("%s-s%d", h, i), Name: "S"}); err != nil {
			t.Fatal(err)
		}
		ts.sfp[i] = tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: ts.c.ID, MemberID: m.ID, StorefrontID: ts.sf[i].ID, Role: tenants.RoleStorefront}
		if ts.cust[i], err = svc.CreateCustomer(ctx, ts.sfp[i], tenants.CustomerCreate{Email: "same@example.com", Name: "C"}); err != nil {
			t.Fatal(err)
		}
		if ts.key[i], _, err = svc.CreateAPIKey(ctx, ts.mp[i], tenants.APIKeyCreate{Role: tenants.RoleStaff}); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

func hidden(t *testing.T, what string, err error) {
	t.Helper()
	if c := apperr.Code(err); c != apperr.ENOTFOUND && c != apperr.EFORBIDDEN {
		t.Errorf("%s: got %v, want NOT_FOUND or FORBIDDEN", what, err)
	}
}

// TestIsolationService tries every tenants read and write across the consortium and
// member boundaries through the service, and fails if any crosses.
func TestIsolationService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	svc := tenants.NewService(d.App)
	a, b := newTenantSet(t, svc, d, "alpha"), newTenantSet(t, svc, d, "beta")

	// Same e-mail in four storefronts: four customers, none visible to the others.
	for _, ts := range []*tenantSet{a, b} {
		for i := range 2 {
			cs, _, err := svc.FindCustomers(ctx, ts.sfp[i], uuid.Nil, tenants.Page{})
			if err != nil || len(cs) != 1 || cs[0].ID != ts.cust[i].ID {
				t.Errorf("storefront sees customers %v, %v", cs, err)
			}
		}
	}
	type probe struct {
		name string
		run  func() error
	}
	var probes []probe
	for _, pair := range [][2]*tenantSet{{a, b}, {b, a}} {
		me, other := pair[0], pair[1]
		for _, p := range []tenants.Principal{me.op, me.mp[0], me.sfp[0]} {
			p := p
			probes = append(probes,
				probe{string(p.Kind) + " member of other consortium", func() error { _, err := svc.MemberByHandle(ctx, p, other.m[0].Handle); return err }},
				probe{string(p.Kind) + " storefront of other consortium", func() error { _, err := svc.StorefrontByHandle(ctx, p, other.sf[0].Handle); return err }},
				probe{string(p.Kind) + " customers of other consortium", func() error {
					cs, _, err := svc.FindCustomers(ctx, p, other.sf[0].ID, tenants.Page{})
					if err == nil && len(cs) > 0 {
						return errors.New("saw customers")
					}
					return orHidden(err)
				}},
				probe{string(p.Kind) + " create customer in other consortium", func() error {
					_, err := svc.CreateCustomer(ctx, p, tenants.CustomerCreate{StorefrontID: other.sf[0].ID, Email: "x@example.com"})
					return err
				}},
				probe{string(p.Kind) + " revoke other consortium key", func() error { _, err := svc.RevokeAPIKey(ctx, p, other.key[0].ID); return err }},
				probe{string(p.Kind) + " revoke other operator key", func() error { _, err := svc.RevokeAPIKey(ctx, p, other.opKey.ID); return err }},
				probe{string(p.Kind) + " suspend other consortium member", func() error { _, err := svc.SuspendMember(ctx, p, other.m[0].ID); return err }},
				probe{string(p.Kind) + " update other storefront", func() error {
					n := "hacked"
					_, err := svc.UpdateStorefront(ctx, p, other.sf[0].ID, tenants.StorefrontUpdate{Name: &n})
					return err
				}},
				probe{string(p.Kind) + " batch-load other members", func() error {
					ms, err := svc.MembersByIDs(ctx, p, []uuid.UUID{other.m[0].ID, other.m[1].ID})
					if err == nil && (ms[0] != nil || ms[1] != nil) {
						return errors.New("loaded foreign members")
					}
					return orHidden(err)
				}},
				probe{string(p.Kind) + " batch-load other storefronts", func() error {
					ss, err := svc.StorefrontsByIDs(ctx, p, []uuid.UUID{other.sf[0].ID})
					if err == nil && ss[0] != nil {
						return errors.New("loaded foreign storefront")
					}
					return orHidden(err)
				}},
			)
		}
		// Inside one consortium: member 0 against member 1.
		m0, sf0 := me.mp[0], me.sfp[0]
		probes = append(probes,
			probe{"member sees peer's storefront", func() error { _, err := svc.StorefrontByHandle(ctx, m0, me.sf[1].Handle); return err }},
			probe{"member reads peer's customers", func() error {
				cs, _, err := svc.FindCustomers(ctx, m0, me.sf[1].ID, tenants.Page{})
				if err == nil && len(cs) > 0 {
					return errors.New("saw customers")
				}
				return orHidden(err)
			}},
			probe{"member creates customer in peer's storefront", func() error {
				_, err := svc.CreateCustomer(ctx, m0, tenants.CustomerCreate{StorefrontID: me.sf[1].ID, Email: "y@example.com"})
				return err
			}},
			probe{"member revokes peer's key", func() error { _, err := svc.RevokeAPIKey(ctx, m0, me.key[1].ID); return err }},
			probe{"member updates peer's storefront", func() error {
				n := "x"
				_, err := svc.UpdateStorefront(ctx, m0, me.sf[1].ID, tenants.StorefrontUpdate{Name: &n})
				return err
			}},
			probe{"member suspends peer", func() error { _, err := svc.SuspendMember(ctx, m0, me.m[1].ID); return err }},
			probe{"member invites", func() error {
				_, err := svc.InviteMember(ctx, m0, tenants.MemberInvite{Handle: "sneaky", LegalName: "S", IsSeller: true})
				return err
			}},
			probe{"storefront key sees sibling storefront", func() error {
				_, err := svc.StorefrontByHandle(ctx, sf0, me.sf[1].Handle)
				return err
			}},
			probe{"storefront key lists member keys", func() error { _, err := svc.APIKeys(ctx, sf0); return err }},
			probe{"storefront key creates keys", func() error { _, _, err := svc.CreateAPIKey(ctx, sf0, tenants.APIKeyCreate{}); return err }},
			probe{"operator reads a member's customers", func() error {
				_, _, err := svc.FindCustomers(ctx, me.op, me.sf[0].ID, tenants.Page{})
				return err
			}},
		)
	}
	for _, p := range probes {
		hidden(t, p.name, p.run())
	}
	// Member lists: only own consortium.
	ms, _, err := svc.FindMembers(ctx, a.mp[0], tenants.MemberFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ConsortiumID != a.c.ID {
			t.Errorf("member list crosses consortia: %s", m.Handle)
		}
	}
	keys, err := svc.APIKeys(ctx, a.mp[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.MemberID != a.m[0].ID {
			t.Errorf("key list crosses members: %v", k)
		}
	}
}

func orHidden(err error) error {
	if err == nil {
		return apperr.NotFound("nothing")
	}
	return err
}

// TestIsolationRLSAlone runs probes as the application role with another tenant's scope
// and no application-level filter: row-level security alone must hide and protect every
// row of every tenant table.
func TestIsolationRLSAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	svc := tenants.NewService(d.App)
	a, b := newTenantSet(t, svc, d, "alpha"), newTenantSet(t, svc, d, "beta")

	tables := rlsTables(t, d)
	if len(tables) < 6 {
		t.Fatalf("found only %d tenant tables", len(tables))
	}
	scopes := map[string]db.Scope{
		"operator": a.op.Scope(), "member": a.mp[0].Scope(), "storefront": a.sfp[0].Scope(),
		"shopper":  {ConsortiumID: a.c.ID, StorefrontID: a.sf[0].ID, Role: db.RoleShopper},
		"customer": {ConsortiumID: a.c.ID, StorefrontID: a.sf[0].ID, CustomerID: a.cust[0].ID, Role: db.RoleCustomer},
		"system":   {ConsortiumID: a.c.ID, Role: db.RoleSystem},
		"unset":    {},
	}
	for name, scope := range scopes {
		for _, tbl := range tables {
			col := "consortium_id"
			if tbl == "consortia" {
				col = "id"
			}
			foreign := b.c.ID
			if name == "unset" {
				foreign = a.c.ID // an unset scope sees nothing at all, own rows included
			}
			err := rollbackTx(ctx, d, scope, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, tbl, col), foreign).Scan(&n); err != nil {
					return err
				}
				if n != 0 {
					return fmt.Errorf("reads %d foreign rows", n)
				}
				for _, stmt := range []string{
					fmt.Sprintf(`UPDATE %s SET %s = %s WHERE %s = $1`, tbl, col, col, col),
					fmt.Sprintf(`DELETE FROM %s WHERE %s = $1`, tbl, col),
				} {
					tag, err := tx.Exec(ctx, stmt, foreign)
					if err != nil && !isPrivilegeErr(err) {
						return err
					}
					if err == nil && tag.RowsAffected() != 0 {
						return fmt.Errorf("%q changed %d foreign rows", stmt, tag.RowsAffected())
					}
					if err != nil {
						return nil // the transaction is aborted; the write was refused
					}
				}
				return nil
			})
			if err != nil {
				t.Errorf("scope %s, table %s: %v", name, tbl, err)
			}
		}
	}
	// Inside consortium a: member 0 cannot read member 1's rows in member-owned tables.
	for _, tbl := range []string{"storefronts", "customers", "api_keys", "users"} {
		err := rollbackTx(ctx, d, a.mp[0].Scope(), func(tx pgx.Tx) error {
			var n int
			if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE member_id = $1`, tbl), a.m[1].ID).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				return fmt.Errorf("member reads %d of its peer's rows", n)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", tbl, err)
		}
	}
	// Writes that try to plant rows in another tenant are refused by WITH CHECK.
	inserts := []struct {
		name  string
		scope db.Scope
		sql   string
		args  []any
	}{
		{"operator plants member in other consortium", a.op.Scope(), `INSERT INTO members (consortium_id, handle, legal_name, is_seller) VALUES ($1, 'x-plant', 'X', true)`, []any{b.c.ID}},
		{"member plants storefront for peer", a.mp[0].Scope(), `INSERT INTO storefronts (consortium_id, member_id, handle, name, currency) VALUES ($1, $2, 'plant', 'P', 'EUR')`, []any{a.c.ID, a.m[1].ID}},
		{"member plants customer in peer storefront", a.mp[0].Scope(), `INSERT INTO customers (storefront_id, consortium_id, member_id, email) VALUES ($1, $2, $3, 'p@example.com')`, []any{a.sf[1].ID, a.c.ID, a.m[1].ID}},
		{"storefront plants customer in sibling", a.sfp[0].Scope(), `INSERT INTO customers (storefront_id, consortium_id, member_id, email) VALUES ($1, $2, $3, 'p@example.com')`, []any{a.sf[1].ID, a.c.ID, a.m[0].ID}},
		{"member plants key for peer", a.mp[0].Scope(), `INSERT INTO api_keys (consortium_id, member_id, role, prefix, secret_hash) VALUES ($1, $2, 'OWNER', 'gm_x', '\x00')`, []any{a.c.ID, a.m[1].ID}},
		{"member plants operator key", a.mp[0].Scope(), `INSERT INTO api_keys (consortium_id, role, prefix, secret_hash) VALUES ($1, 'OPERATOR', 'gm_x', '\x01')`, []any{a.c.ID}},
		{"member activates itself", a.mp[0].Scope(), `UPDATE members SET status = 'ACTIVE' WHERE id = $1 AND 1/(CASE WHEN (SELECT count(*) FROM members WHERE id = $1) = 1 THEN 1 ELSE 0 END) = 1`, []any{a.m[0].ID}},
		{"member renames consortium", a.mp[0].Scope(), `UPDATE consortia SET name = 'x' WHERE id = $1 AND 1/(CASE WHEN (SELECT count(*) FROM consortia WHERE id = $1) = 1 THEN 1 ELSE 0 END) = 1`, []any{a.c.ID}},
	}
	for _, in := range inserts {
		err := rollbackTx(ctx, d, in.scope, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, in.sql, in.args...)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return &pgconn.PgError{Code: "42501"} // nothing written: refused
			}
			return nil
		})
		if err == nil || !isPrivilegeErr(err) {
			t.Errorf("%s: got %v, want refusal", in.name, err)
		}
	}
}

// TestEveryTableHasRLS fails when a new table is added without row-level security.
func TestEveryTableHasRLS(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	rows, err := d.Owner.Query(context.Background(), `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if globalTables[n] || strings.HasPrefix(n, "river_") {
			continue
		}
		t.Errorf("table %s has no row-level security (or add it to globalTables with a reason)", n)
	}
}

// globalTables hold no tenant data.
var globalTables = map[string]bool{
	"currencies":     true, // ISO reference data
	"schema_version": true, // migration bookkeeping
	// Never written (the app role may not): the import job clones them into
	// per-transaction TEMP tables, which only that transaction sees.
	"import_offers_template":   true,
	"import_variants_template": true,
}

func rlsTables(t *testing.T, d *pgtest.DB) []string {
	rows, err := d.Owner.Query(context.Background(), `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname IN ('consortium_id', 'id') AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity
		GROUP BY c.relname HAVING bool_or(a.attname = 'consortium_id') OR c.relname = 'consortia' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

var errRollback = errors.New("rollback")

func rollbackTx(ctx context.Context, d *pgtest.DB, s db.Scope, fn func(tx pgx.Tx) error) error {
	err := db.InTx(ctx, d.App, s, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRollback
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

func isPrivilegeErr(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42501" || pe.Code == "22012" || pe.Code == "23503")
}
