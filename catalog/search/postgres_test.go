package search_test

import (
	"testing"

	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/pgtest"
)

func TestPostgres(t *testing.T) {
	t.Parallel()
	searchtest.TestSearcher(t, func(t *testing.T, d *pgtest.DB) search.Searcher {
		return search.NewPostgres(d.App)
	})
}
