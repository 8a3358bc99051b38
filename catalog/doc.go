// Package catalog is the consortium's shared pool of goods: suppliers' offers and
// variants with wholesale prices and fulfilment options, who may see them (visibility,
// sourcing agreements), their change log, bulk import and search.
package catalog
