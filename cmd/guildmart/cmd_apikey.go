package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/guildmart/guildmart/tenants"
)

func init() {
	register("apikey", "create an API key: apikey create (--operator | --member HANDLE [--storefront HANDLE] [--role ROLE])", func(ctx context.Context, env *Env) error {
		if len(env.Args) == 0 || env.Args[0] != "create" {
			return fmt.Errorf("apikey: usage: guildmart apikey create (--operator | --member HANDLE [--storefront HANDLE] [--role OWNER|ADMIN|STAFF|SUPPLIER_OPS]) [--name NAME] [--consortium HANDLE]")
		}
		fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		operator := fs.Bool("operator", false, "an OPERATOR key of the consortium")
		member := fs.String("member", "", "handle of the member the key acts for")
		storefront := fs.String("storefront", "", "handle of one of the member's storefronts: a STOREFRONT key")
		role := fs.String("role", "", "member key role: OWNER, ADMIN, STAFF or SUPPLIER_OPS (default OWNER)")
		name := fs.String("name", "cli", "a name to tell the key apart")
		consortium := fs.String("consortium", "", "consortium handle (needed when there are several)")
		if err := fs.Parse(env.Args[1:]); err != nil {
			return err
		}
		if *operator == (*member != "") {
			return fmt.Errorf("apikey create: give exactly one of --operator or --member HANDLE")
		}
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		pool, err := openPool(ctx, dbs.AppURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		svc := tenants.NewService(pool)
		secret, err := createKey(ctx, svc, *consortium, *operator, *member, *storefront, *role, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, secret)
		return nil
	})
}

// createKey makes a key as the CLI: the system principal of the consortium finds the
// member, then the key is created as that member's owner.
func createKey(ctx context.Context, svc *tenants.Service, consortium string, operator bool, member, storefront, role, name string) (string, error) {
	cid, err := svc.ResolveConsortium(ctx, consortium)
	if err != nil {
		return "", err
	}
	sys := tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: cid}
	if operator {
		_, secret, err := svc.CreateAPIKey(ctx, tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: cid}, tenants.APIKeyCreate{Name: name})
		return secret, err
	}
	m, err := svc.MemberByHandle(ctx, sys, member)
	if err != nil {
		return "", err
	}
	owner := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: cid, MemberID: m.ID, Role: tenants.RoleOwner}
	in := tenants.APIKeyCreate{Name: name, Role: role}
	if storefront != "" {
		sf, err := svc.StorefrontByHandle(ctx, owner, storefront)
		if err != nil {
			return "", err
		}
		in.StorefrontID = sf.ID
	} else if in.Role == "" {
		in.Role = tenants.RoleOwner
	}
	_, secret, err := svc.CreateAPIKey(ctx, owner, in)
	return secret, err
}
