package gateway

import (
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Services are the domain services the resolvers translate into. Nil services answer
// their operations with an internal error, so a partial wiring is visible, not silent.
type Services struct {
	Pool        *pgxpool.Pool
	Tenants     *tenants.Service
	Catalog     *catalog.Service
	Imports     *imports.Service
	Federation  *federation.Service
	Fulfillment *fulfillment.Service
	Payments    *payments.Service // payments and the settlement ledger (payments_resolvers.go)
	// Search answers catalogSearch: PostgreSQL, or Meilisearch when MEILI_URL is set.
	Search search.Searcher
}
