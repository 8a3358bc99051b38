package search

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the default backend: the offer_search table (migration 004) with weighted
// full text, trigram typo fallback and per-caller entitlement and discounts joined live;
// migration 010 adds what keeps broad searches cheap (text rows carrying their columns,
// per-supplier counts for browses, list-price indexes for price and margin orders), 012
// an index of stock and price, and 014 a row per offer and region for region filters.
type Postgres struct {
	pool *pgxpool.Pool
}

// NewPostgres returns the PostgreSQL backend over the application pool.
func NewPostgres(pool *pgxpool.Pool) *Postgres { return &Postgres{pool: pool} }

// Backend implements Searcher.
func (s *Postgres) Backend() string { return "postgres" }

const searchColumns = `consortium_id, offer_id, supplier_id, status, visibility, category_id, brand, title,
  currency, wholesale, suggested_retail, ships_direct, in_warehouse, regions, in_stock, created_at`

// textColumns are offer_search_text's: the document and a copy of the columns a text
// search filters, counts and sorts on (migration 010).
const textColumns = `consortium_id, offer_id, document, supplier_id, status, visibility, category_id, brand,
  wholesale, suggested_retail, ships_direct, in_warehouse, regions, in_stock, created_at`

// indexSQL rewrites the rows of the offers in $2 (all: the whole consortium $1) from
// offer_search_source, with their text rows, and deletes the rows of those offers
// that are no longer searchable (their documents go by cascade), in one statement. It
// returns how many offers are searchable.
//
// A row whose content is unchanged is not written: a full reindex that finds nothing new
// writes nothing (before, it rewrote every row of both tables, which left them twice
// their size in dead rows until vacuum, and text searches read the larger heap), and
// indexed_at is when the row last changed.
func indexSQL(all bool) string {
	src, scope := "offer_search_source($2)", "AND d.offer_id = ANY($2)"
	if all {
		src, scope = "offer_search_source(NULL)", ""
	}
	return `WITH src AS MATERIALIZED (SELECT * FROM ` + src + `),
del AS (
  DELETE FROM offer_search d
  WHERE d.consortium_id = $1 ` + scope + ` AND d.offer_id NOT IN (SELECT offer_id FROM src)
),
up AS (
  INSERT INTO offer_search (` + searchColumns + `)
  SELECT ` + searchColumns + ` FROM src
  ON CONFLICT (consortium_id, offer_id) DO UPDATE SET
    supplier_id = EXCLUDED.supplier_id, status = EXCLUDED.status, visibility = EXCLUDED.visibility,
    category_id = EXCLUDED.category_id, brand = EXCLUDED.brand, title = EXCLUDED.title,
    currency = EXCLUDED.currency, wholesale = EXCLUDED.wholesale,
    suggested_retail = EXCLUDED.suggested_retail, ships_direct = EXCLUDED.ships_direct,
    in_warehouse = EXCLUDED.in_warehouse, regions = EXCLUDED.regions, in_stock = EXCLUDED.in_stock,
    created_at = EXCLUDED.created_at, indexed_at = now()
  WHERE (offer_search.supplier_id, offer_search.status, offer_search.visibility, offer_search.category_id,
         offer_search.brand, offer_search.title, offer_search.currency, offer_search.wholesale,
         offer_search.suggested_retail, offer_search.ships_direct, offer_search.in_warehouse,
         offer_search.regions, offer_search.in_stock, offer_search.created_at)
    IS DISTINCT FROM (EXCLUDED.supplier_id, EXCLUDED.status, EXCLUDED.visibility, EXCLUDED.category_id,
         EXCLUDED.brand, EXCLUDED.title, EXCLUDED.currency, EXCLUDED.wholesale,
         EXCLUDED.suggested_retail, EXCLUDED.ships_direct, EXCLUDED.in_warehouse,
         EXCLUDED.regions, EXCLUDED.in_stock, EXCLUDED.created_at)
),
txt AS (
  INSERT INTO offer_search_text (` + textColumns + `)
  SELECT ` + textColumns + ` FROM src
  ON CONFLICT (consortium_id, offer_id) DO UPDATE SET
    document = EXCLUDED.document, supplier_id = EXCLUDED.supplier_id, status = EXCLUDED.status,
    visibility = EXCLUDED.visibility, category_id = EXCLUDED.category_id, brand = EXCLUDED.brand,
    wholesale = EXCLUDED.wholesale, suggested_retail = EXCLUDED.suggested_retail,
    ships_direct = EXCLUDED.ships_direct, in_warehouse = EXCLUDED.in_warehouse, regions = EXCLUDED.regions,
    in_stock = EXCLUDED.in_stock, created_at = EXCLUDED.created_at
  WHERE (offer_search_text.document, offer_search_text.supplier_id, offer_search_text.status,
         offer_search_text.visibility, offer_search_text.category_id, offer_search_text.brand,
         offer_search_text.wholesale, offer_search_text.suggested_retail, offer_search_text.ships_direct,
         offer_search_text.in_warehouse, offer_search_text.regions, offer_search_text.in_stock,
         offer_search_text.created_at)
    IS DISTINCT FROM (EXCLUDED.document, EXCLUDED.supplier_id, EXCLUDED.status, EXCLUDED.visibility,
         EXCLUDED.category_id, EXCLUDED.brand, EXCLUDED.wholesale, EXCLUDED.suggested_retail,
         EXCLUDED.ships_direct, EXCLUDED.in_warehouse, EXCLUDED.regions, EXCLUDED.in_stock,
         EXCLUDED.created_at)
)
SELECT count(*) FROM src`
}

var (
	indexSomeSQL = indexSQL(false)
	indexAllSQL  = indexSQL(true)
)

func systemScope(consortiumID uuid.UUID) db.Scope {
	return tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: consortiumID}.Scope()
}

// Index implements Searcher.
func (s *Postgres) Index(ctx context.Context, consortiumID uuid.UUID, offerIDs ...uuid.UUID) error {
	if len(offerIDs) == 0 {
		return nil
	}
	return db.InTx(ctx, s.pool, systemScope(consortiumID), func(tx pgx.Tx) error {
		var n int
		return tx.QueryRow(ctx, indexSomeSQL, consortiumID, offerIDs).Scan(&n)
	})
}

// IndexSuppliers implements Searcher: the PostgreSQL backend joins agreements, their
// discounts and supplier profiles at query time, so there is nothing to rewrite.
func (s *Postgres) IndexSuppliers(ctx context.Context, consortiumID uuid.UUID, supplierIDs ...uuid.UUID) error {
	return nil
}

// Reindex implements Searcher.
func (s *Postgres) Reindex(ctx context.Context, consortiumID uuid.UUID) (int, error) {
	var n int
	err := db.InTx(ctx, s.pool, systemScope(consortiumID), func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, indexAllSQL, consortiumID).Scan(&n)
	})
	return n, err
}
