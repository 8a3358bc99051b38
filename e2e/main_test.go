// Package e2e_test runs whole association days through the public interfaces only
// (GraphQL, the import endpoint, Stripe webhooks), against the real PostgreSQL,
// stripe-mock, Ory Kratos and River workers.
package e2e_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/stripemock"
)

var stripeMockURL string

func TestMain(m *testing.M) {
	var stop func()
	stripeMockURL, stop = stripemock.Start()
	defer stop()
	pgtest.Main(m)
}
