package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The demo association: who is in it. Seeding is idempotent: what exists is kept.
var demoMembers = []tenants.MemberInvite{
	{Handle: "acme-tools", LegalName: "Acme Tools GmbH", IsSupplier: true},
	{Handle: "nordic-home", LegalName: "Nordic Home AB", IsSupplier: true},
	{Handle: "sunrise-textiles", LegalName: "Sunrise Textiles Ltd", IsSupplier: true},
	{Handle: "hanse-dealer", LegalName: "Hanse Dealer KG", IsSupplier: true, IsSeller: true},
	{Handle: "lily-shop", LegalName: "Lily's Corner Shop", IsSeller: true},
}

var demoStorefronts = []struct{ member, handle, name, policy string }{
	{"hanse-dealer", "hanse-shop", "Hanse Trade Supply", "WAREHOUSE_FIRST"},
	{"lily-shop", "lily", "Lily's Corner", "FASTEST"},
}

// demoKey is one printed demo credential.
type demoKey struct{ role, who, secret string }

// seedHooks let other areas add demo data (the catalog adds offers); each gets the owner
// pool and the consortium id, and must be idempotent.
var seedHooks []func(ctx context.Context, env *Env, owner *pgxpool.Pool, s *seeded) error

// seeded is what the tenants seed made, for the hooks.
type seeded struct {
	Consortium *tenants.Consortium
	Members    map[string]*tenants.Member
	Offers     int // --offers N for the generator
}

func init() {
	register("seed", "load the demo association (idempotent); --offers N adds N generated offers", func(ctx context.Context, env *Env) error {
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		offers := fs.Int("offers", 0, "also generate this many synthetic offers (for benchmarks)")
		if err := fs.Parse(env.Args); err != nil {
			return err
		}
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		keys, err := seed(ctx, env, dbs, *offers)
		if err != nil {
			return err
		}
		printKeys(env, keys)
		return nil
	})
}

func seed(ctx context.Context, env *Env, dbs *databases, offers int) ([]demoKey, error) {
	owner, err := openPool(ctx, dbs.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	app, err := openPool(ctx, dbs.AppURL)
	if err != nil {
		return nil, err
	}
	defer app.Close()
	svc := tenants.NewService(owner)
	s := &seeded{Members: map[string]*tenants.Member{}, Offers: offers}

	cid, err := svc.ResolveConsortium(ctx, "demo")
	if apperr.Code(err) == apperr.ENOTFOUND {
		c, err := tenants.CreateConsortium(ctx, owner, tenants.ConsortiumCreate{Handle: "demo", Name: "Guildmart Demo Association", Currency: "EUR", FeeBps: 500})
		if err != nil {
			return nil, err
		}
		cid = c.ID
	} else if err != nil {
		return nil, err
	}
	sys := tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: cid}
	if s.Consortium, err = svc.Consortium(ctx, sys); err != nil {
		return nil, err
	}
	for _, in := range demoMembers {
		m, err := svc.MemberByHandle(ctx, sys, in.Handle)
		if apperr.Code(err) == apperr.ENOTFOUND {
			if m, err = svc.InviteMember(ctx, sys, in); err == nil {
				m, err = svc.ActivateMember(ctx, sys, m.ID)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("seed member %s: %w", in.Handle, err)
		}
		s.Members[in.Handle] = m
	}
	for _, sf := range demoStorefronts {
		owner := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: cid, MemberID: s.Members[sf.member].ID, Role: tenants.RoleOwner}
		if _, err := svc.StorefrontByHandle(ctx, owner, sf.handle); apperr.Code(err) == apperr.ENOTFOUND {
			_, err = svc.CreateStorefront(ctx, owner, tenants.StorefrontCreate{Handle: sf.handle, Name: sf.name, RoutingPolicy: sf.policy})
			if err != nil {
				return nil, fmt.Errorf("seed storefront %s: %w", sf.handle, err)
			}
		} else if err != nil {
			return nil, err
		}
	}
	for _, h := range seedHooks {
		if err := h(ctx, env, owner, s); err != nil {
			return nil, err
		}
	}
	// The seed writes offers directly, so the search index is rebuilt once at the end.
	quiet := *env
	quiet.Stdout = env.Stderr
	if err := reindex(ctx, &quiet, app, search.Open(app, env.Config.MeiliURL, env.Config.MeiliKey), "demo"); err != nil {
		return nil, err
	}
	return demoKeys(ctx, env, tenants.NewService(app))
}

// demoKeys returns the demo credentials kept in GUILDMART_DATA_DIR/demo-keys.txt when
// they still work, else makes new ones (secrets cannot be shown twice otherwise).
func demoKeys(ctx context.Context, env *Env, svc *tenants.Service) ([]demoKey, error) {
	path := filepath.Join(env.Config.DataDir, "demo-keys.txt")
	if keys, err := readKeys(path); err == nil && len(keys) > 0 {
		valid := true
		for _, k := range keys {
			if _, err := svc.Authenticate(ctx, k.secret); err != nil {
				valid = false
				break
			}
		}
		if valid {
			return keys, nil
		}
	}
	specs := []struct {
		role, who         string
		operator          bool
		member, sf, mrole string
	}{
		{"operator", "the consortium operator", true, "", "", ""},
		{"supplier", "acme-tools (owner)", false, "acme-tools", "", "OWNER"},
		{"seller", "hanse-dealer (owner)", false, "hanse-dealer", "", "OWNER"},
		{"storefront", "hanse-shop (storefront key)", false, "hanse-dealer", "hanse-shop", ""},
	}
	var keys []demoKey
	for _, sp := range specs {
		secret, err := createKey(ctx, svc, "demo", sp.operator, sp.member, sp.sf, sp.mrole, "demo "+sp.role)
		if err != nil {
			return nil, fmt.Errorf("demo key %s: %w", sp.role, err)
		}
		keys = append(keys, demoKey{sp.role, sp.who, secret})
	}
	if err := os.MkdirAll(env.Config.DataDir, 0o755); err == nil {
		var b strings.Builder
		b.WriteString("# Demo API keys of the local development database. Not for production.\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", k.role, k.who, k.secret)
		}
		_ = os.WriteFile(path, []byte(b.String()), 0o600)
	}
	return keys, nil
}

func readKeys(path string) ([]demoKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var keys []demoKey
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) != 3 {
			return nil, errors.New("malformed demo-keys.txt")
		}
		keys = append(keys, demoKey{parts[0], parts[1], parts[2]})
	}
	return keys, sc.Err()
}

func printKeys(env *Env, keys []demoKey) {
	fmt.Fprintln(env.Stdout, "Demo API keys (send as Authorization: Bearer <key>):")
	for _, k := range keys {
		fmt.Fprintf(env.Stdout, "  %-10s %-30s %s\n", k.role, k.who, k.secret)
	}
	fmt.Fprintln(env.Stdout, "  shopper    anonymous visitor of hanse-shop      X-Storefront: hanse-shop")
}
