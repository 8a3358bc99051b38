// Package search answers catalogSearch over the offers a caller may see, with two
// backends behind one interface: PostgreSQL (default) and Meilisearch (MEILI_URL).
package search
