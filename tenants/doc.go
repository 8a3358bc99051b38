// Package tenants holds the consortium, its members and their storefronts, the people
// and API keys that act for them, storefront customers, and the Principal every request
// runs as: who is calling and which rows the database will let it see.
package tenants
