package search

import "github.com/jackc/pgx/v5/pgxpool"

// Open returns the configured backend over the application pool: Meilisearch when
// meiliURL (MEILI_URL) is set, with meiliKey (MEILI_API_KEY), else PostgreSQL.
func Open(pool *pgxpool.Pool, meiliURL, meiliKey string) Searcher {
	if meiliURL != "" {
		return ConnectMeili(pool, meiliURL, meiliKey, MeiliOptions{})
	}
	return NewPostgres(pool)
}
