// Package payments records what customers pay for orders: invoices on terms (the
// default) with partial payments recorded by the seller, overdue invoices, and card
// payments; every payment posts its ledger transaction in the same database transaction.
package payments
