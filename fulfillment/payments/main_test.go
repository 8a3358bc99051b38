package payments_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/internal/stripemock"
)

// stripeMockURL is the stripe-mock this package started, "" when the binary is missing
// (the card tests then skip, saying how to install it).
var stripeMockURL string

func TestMain(m *testing.M) {
	var stop func()
	stripeMockURL, stop = stripemock.Start()
	defer stop()
	pgtest.Main(m)
}

func needStripeMock(t *testing.T) {
	t.Helper()
	stripemock.Need(t, stripeMockURL)
}
