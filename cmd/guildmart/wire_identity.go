package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/identity"
)

func init() {
	wireHooks = append(wireHooks, wireIdentity)
	routeHooks = append(routeHooks, func(a *app) {
		a.server.Handle("POST /session/logout", gateway.SessionLogoutHandler(sessionsOf(a)))
	})
}

// wireIdentity gives the tenants service the Ory Kratos client (KRATOS_PUBLIC_URL and
// KRATOS_ADMIN_URL). Without them the client is "not configured": people features answer
// "identity service not configured" and API keys work as before. On the embedded default
// (no DATABASE_URL) invitations' recovery links are logged too, for trying it out locally.
func wireIdentity(ctx context.Context, env *Env, a *app) error {
	ic, err := identity.New(identity.Config{PublicURL: env.Config.KratosPublic, AdminURL: env.Config.KratosAdmin})
	if err != nil {
		return fmt.Errorf("KRATOS_PUBLIC_URL/KRATOS_ADMIN_URL: %w", err)
	}
	var people tenants.People = ic
	if ic.Configured() {
		a.log.Info("people sign in with Ory Kratos", "public", env.Config.KratosPublic, "admin", env.Config.KratosAdmin)
		if env.Config.DatabaseURL == "" {
			people = devPeople{ic, a.log}
		}
	}
	a.svc.Tenants = a.svc.Tenants.WithPeople(people)
	return nil
}

// sessionsOf is the session resolver of a: the same client the tenants service uses, so
// one cache serves both and removing a user or logging out invalidates it.
func sessionsOf(a *app) gateway.Sessions {
	if s, ok := a.svc.Tenants.People().(gateway.Sessions); ok {
		return s
	}
	return nil
}

// authenticators are the gateway's extra authenticators (app.go passes them to
// gateway.NewServer): people's Kratos sessions.
func authenticators(a *app) []gateway.Authenticator {
	return []gateway.Authenticator{gateway.SessionAuthenticator(a.svc.Tenants, sessionsOf(a))}
}

// devPeople logs recovery links, so an invitation can be followed on a laptop without
// e-mail.
type devPeople struct {
	*identity.Client
	log *slog.Logger
}

func (d devPeople) RecoveryLink(ctx context.Context, identityID uuid.UUID) (string, error) {
	link, err := d.Client.RecoveryLink(ctx, identityID)
	if err == nil {
		d.log.Info("recovery link (dev only)", "identity", identityID, "link", link)
	}
	return link, err
}
