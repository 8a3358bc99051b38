package search

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/meilisearch/meilisearch-go"
)

// Meili is the Meilisearch backend: one index per consortium, documents carrying the
// visibility of their offer, and a filter built from the principal on every query, so a
// caller only ever matches, counts and facets what it may see. The catalog in PostgreSQL
// stays the source of truth; IndexOffers jobs keep the index current.
type Meili struct {
	pool    *pgxpool.Pool
	client  meilisearch.ServiceManager
	opts    MeiliOptions
	ensured sync.Map // index uid → settings applied by this process
}

// MeiliOptions tune the Meilisearch backend.
type MeiliOptions struct {
	IndexPrefix  string        // index uid prefix, default "guildmart_offers_"; the consortium id follows
	TaskTimeout  time.Duration // how long indexing waits for Meilisearch tasks, default 2 minutes
	PollInterval time.Duration // task polling, default 50 ms
	BatchSize    int           // documents per request, default 1000
}

// NewMeili returns the Meilisearch backend; pool is the application pool the documents
// are read from (under the system scope).
func NewMeili(pool *pgxpool.Pool, client meilisearch.ServiceManager, opts MeiliOptions) *Meili {
	if opts.IndexPrefix == "" {
		opts.IndexPrefix = "guildmart_offers_"
	}
	if opts.TaskTimeout <= 0 {
		opts.TaskTimeout = 2 * time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	return &Meili{pool: pool, client: client, opts: opts}
}

// ConnectMeili is NewMeili over a client for url with an API key ("" for none).
func ConnectMeili(pool *pgxpool.Pool, url, apiKey string, opts MeiliOptions) *Meili {
	var o []meilisearch.Option
	if apiKey != "" {
		o = append(o, meilisearch.WithAPIKey(apiKey))
	}
	return NewMeili(pool, meilisearch.New(url, o...), opts)
}

// Backend implements Searcher.
func (m *Meili) Backend() string { return "meilisearch" }

// IndexUID is the index of a consortium.
func (m *Meili) IndexUID(consortiumID uuid.UUID) string {
	return m.opts.IndexPrefix + consortiumID.String()
}

// Settings are the index settings the backend applies: what is searched (title first,
// so a title match ranks above a description match), what may be filtered (the
// visibility fields and every filter), sorted and faceted. "sort" leads the ranking
// rules so an explicit sort orders the results as in PostgreSQL, relevance breaking ties.
func Settings() *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: []string{"title", "brand", "skus", "gtins", "description"},
		FilterableAttributes: []string{
			"consortium_id", "offer_id", "supplier_id", "status", "visibility", "allowed_member_ids",
			"agreement_required", "approved_seller_ids", "price_class", "class_seller_ids", "discounted_seller_ids",
			"category", "category_paths", "brand", "fulfillment_modes", "regions", "in_stock",
			"effective_wholesale", "margin", "margin_bps", "indexed_at",
		},
		SortableAttributes: []string{"created_at", "effective_wholesale", "margin", "margin_bps", "offer_id"},
		RankingRules:       []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		DisplayedAttributes: []string{
			"offer_id", "supplier_id", "title", "brand", "currency", "wholesale", "discount_bps", "suggested_retail",
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: MaxFacet,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: MeiliMaxTotalHits},
	}
}

// MeiliMaxTotalHits caps what Meilisearch counts and pages through.
const MeiliMaxTotalHits = 20000

// ensureIndex applies the settings once per process and index (creating the index).
func (m *Meili) ensureIndex(ctx context.Context, uid string, force bool) error {
	if _, ok := m.ensured.Load(uid); ok && !force {
		return nil
	}
	task, err := m.client.Index(uid).UpdateSettingsWithContext(ctx, Settings())
	if err != nil {
		return fmt.Errorf("meilisearch settings of %s: %w", uid, err)
	}
	if err := m.wait(ctx, task.TaskUID); err != nil {
		return err
	}
	m.ensured.Store(uid, true)
	return nil
}

// wait blocks until a task has succeeded, or fails with its error.
func (m *Meili) wait(ctx context.Context, taskUID int64) error {
	ctx, cancel := context.WithTimeout(ctx, m.opts.TaskTimeout)
	defer cancel()
	t, err := m.client.WaitForTaskWithContext(ctx, taskUID, m.opts.PollInterval)
	if err != nil {
		return fmt.Errorf("meilisearch task %d: %w", taskUID, err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch task %d (%s) %s: %s", taskUID, t.Type, t.Status, t.Error.Message)
	}
	return nil
}

// DropIndexes deletes every index with this backend's prefix (tests and operators
// starting over; `guildmart search reindex` rebuilds them).
func (m *Meili) DropIndexes(ctx context.Context) error {
	res, err := m.client.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		return err
	}
	var errs []error
	for _, ix := range res.Results {
		if !strings.HasPrefix(ix.UID, m.opts.IndexPrefix) {
			continue
		}
		task, err := m.client.DeleteIndexWithContext(ctx, ix.UID)
		if err == nil {
			err = m.wait(ctx, task.TaskUID)
		}
		errs = append(errs, err)
		m.ensured.Delete(ix.UID)
	}
	return errors.Join(errs...)
}

// isIndexNotFound reports a search on an index nothing was indexed into yet.
func isIndexNotFound(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && (me.MeilisearchApiError.Code == "index_not_found" ||
		(me.StatusCode == http.StatusNotFound && me.MeilisearchApiError.Code == ""))
}
