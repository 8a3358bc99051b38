package payments_test

import (
	"testing"

	"github.com/guildmart/guildmart/fulfillment/ledger/ledgertest"
	"github.com/guildmart/guildmart/fulfillment/payments"
	"github.com/guildmart/guildmart/tenants"
)

// world is the shared settlement world (ledgertest) with the payments service.
type world struct {
	*ledgertest.World
	pay *payments.Service
}

type acct = ledgertest.Acct

var (
	munich       = ledgertest.Munich
	key          = ledgertest.Key
	wantBalances = ledgertest.WantBalances
)

func newWorld(t testing.TB, feeBps int) *world {
	w := ledgertest.New(t, feeBps)
	return &world{World: w, pay: payments.NewService(w.D.App)}
}

// customerSeller is the seller, who starts card payments for its orders.
func (w *world) customerSeller() tenants.Principal { return w.Sel }
