// Package ledger is the settlement ledger: double-entry, append-only transactions posted
// in the same database transaction as the business event (order placed, line shipped or
// cancelled, payment), and each party's view of its own entries and balances.
package ledger
