// Package search answers catalogSearch over the offers a caller may see, with two
// backends behind one Searcher interface: PostgreSQL (default) and Meilisearch (MEILI_URL).
// Catalog writes keep both current by enqueueing IndexOffers jobs (EnqueueIndex).
package search
