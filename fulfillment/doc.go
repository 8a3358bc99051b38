// Package fulfillment turns a storefront customer's cart into an order whose lines are
// routed to supplier drop-ship or a consortium warehouse, with stock reservation,
// fulfilment orders, shipments, payments and the settlement ledger.
package fulfillment
