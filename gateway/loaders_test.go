package gateway_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/guildmart/guildmart/tenants"
	"github.com/guildmart/guildmart/tenants/tenanttest"
)

// TestNoNPlusOne counts SQL statements for a nested member → storefronts → member query:
// the count must not grow with the number of members.
func TestNoNPlusOne(t *testing.T) {
	// Not parallel: it runs before the package's parallel tests, so the loaders' batching
	// window is not starved by them.
	w := newWorld(t)
	ctx := context.Background()
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.c1.ID}
	const q = `{ members(first: 100) { edges { node { handle storefronts { handle member { handle } } } } } }`
	// The minimum of five runs: a real N+1 grows every time, while a loader batch split
	// by scheduling on a busy machine is random.
	count := func() int64 {
		best := int64(1 << 62)
		for range 5 {
			w.db.Counter.Reset()
			r := w.do("one-op", nil, q, nil)
			if len(r.Errors) > 0 {
				t.Fatal(r.Raw)
			}
			best = min(best, w.db.Counter.Count())
		}
		return best
	}

	small := count()
	for i := range 20 {
		owner := tenanttest.ActiveMember(t, w.svc, op, tenants.MemberInvite{Handle: fmt.Sprintf("extra-%02d", i), LegalName: "Extra", IsSeller: true})
		if _, err := w.svc.CreateStorefront(ctx, owner, tenants.StorefrontCreate{Handle: fmt.Sprintf("extra-shop-%02d", i), Name: "Shop"}); err != nil {
			t.Fatal(err)
		}
	}
	large := count()
	if large != small {
		t.Fatalf("statements grew with members: %d for 2 members, %d for 22 (N+1)", small, large)
	}
	if large > 13 { // 1 auth + 3 levels × (BEGIN, scope, query, COMMIT), pipelined
		t.Fatalf("%d statements for one query; loaders should batch each level", large)
	}
	t.Logf("%d statements for 2 and for 22 members", large)
}
