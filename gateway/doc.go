// Package gateway is Guildmart's HTTP face: the GraphQL endpoint and GraphiQL, health and
// metrics, authentication into a tenants.Principal, per-request loaders, and the thin
// resolvers that translate GraphQL into domain calls.
package gateway
