package ledger_test

import (
	"testing"

	"github.com/guildmart/guildmart/fulfillment/ledger/ledgertest"
)

// world is the shared settlement world (ledgertest).
type world struct{ *ledgertest.World }

type acct = ledgertest.Acct

var (
	munich       = ledgertest.Munich
	key          = ledgertest.Key
	wantBalances = ledgertest.WantBalances
)

func newWorld(t testing.TB, feeBps int) *world { return &world{ledgertest.New(t, feeBps)} }
