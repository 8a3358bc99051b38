package fulfillment_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
)

func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	secret := fulfillment.NewWebhookSecret()
	at := time.Unix(1700000000, 0)
	body := []byte(`{"type":"order.created"}`)
	sig, err := fulfillment.SignWebhook(secret, "msg_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	headers := func(id, ts, sig string) http.Header {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		return h
	}
	for name, tc := range map[string]struct {
		secret string
		h      http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		"OK":                 {secret, headers("msg_1", "1700000000", sig), body, at, nil},
		"OKOneOfMany":        {secret, headers("msg_1", "1700000000", "v1,bm9wZQ== "+sig), body, at.Add(time.Minute), nil},
		"ErrTamperedBody":    {secret, headers("msg_1", "1700000000", sig), []byte(`{"type":"order.paid"}`), at, fulfillment.ErrWebhookSignature},
		"ErrOtherID":         {secret, headers("msg_2", "1700000000", sig), body, at, fulfillment.ErrWebhookSignature},
		"ErrOtherSecret":     {fulfillment.NewWebhookSecret(), headers("msg_1", "1700000000", sig), body, at, fulfillment.ErrWebhookSignature},
		"ErrStaleTimestamp":  {secret, headers("msg_1", "1700000000", sig), body, at.Add(10 * time.Minute), fulfillment.ErrWebhookTimestamp},
		"ErrMissingHeader":   {secret, headers("msg_1", "", sig), body, at, fulfillment.ErrWebhookHeaders},
		"ErrGarbledSigValue": {secret, headers("msg_1", "1700000000", "v1,???"), body, at, fulfillment.ErrWebhookSignature},
	} {
		t.Run(name, func(t *testing.T) {
			if err := fulfillment.VerifyWebhook(tc.secret, tc.h, tc.body, tc.now, 5*time.Minute); err != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if !strings.HasPrefix(sig, "v1,") {
		t.Fatalf("signature %q", sig)
	}
}

// receiver is an httptest server that verifies Standard Webhooks signatures.
type receiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	bodies []string
	bad    int
	fail   int // answer 500 to this many requests first
	got    chan string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan string, 10)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := fulfillment.VerifyWebhook(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.fail > 0 {
			r.fail--
			http.Error(w, "try later", http.StatusInternalServerError)
			return
		}
		r.bodies = append(r.bodies, string(body))
		r.got <- string(body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (w *world) endpoint(t *testing.T, p tenants.Principal, url string, events ...string) (uuid.UUID, string) {
	t.Helper()
	e, secret, err := w.svc.CreateWebhookEndpoint(context.Background(), p, fulfillment.WebhookEndpointCreate{URL: url, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID, secret
}

// TestWebhooks runs deliveries through River: the seller's order.created and the
// supplier's fulfillment_order.created arrive signed; a dead endpoint of the supplier
// fails and is retried later without holding up the others; the supplier's payload is
// blind (no retail price, no customer e-mail).
func TestWebhooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	seller, supplier := newReceiver(t), newReceiver(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused from now on
	var deadID uuid.UUID
	_, seller.secret = w.endpoint(t, w.sel, seller.URL, "order.created")
	_, supplier.secret = w.endpoint(t, w.sup2, supplier.URL, "fulfillment_order.created", "fulfillment_order.cancelled")
	deadID, _ = w.endpoint(t, w.sup2, dead.URL, "fulfillment_order.created")

	svc := w.svc.WithConfig(fulfillment.Config{WebhookTimeout: 2 * time.Second, WebhookBackoff: func(int) time.Duration { return time.Hour }})
	client, err := jobs.New(w.d.App, jobs.Options{Work: true, Registrations: []jobs.Registration{
		fulfillment.Workers(func() *fulfillment.Service { return svc }, -1)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
	svc = svc.WithEnqueuer(client)

	_, err = svc.Checkout(ctx, w.customer(), fulfillment.CheckoutInput{CartID: w.cart(t, w.customer(), line(lamp, 1)).ID,
		ShippingAddress: munich, IdempotencyKey: "w"})
	if err != nil {
		t.Fatal(err)
	}
	var got [2]string
	for i, r := range []*receiver{seller, supplier} {
		select {
		case got[i] = <-r.got:
		case <-time.After(30 * time.Second):
			t.Fatalf("receiver %d got nothing", i)
		}
	}
	var env struct {
		Type string
		Data map[string]any
	}
	if err := json.Unmarshal([]byte(got[0]), &env); err != nil || env.Type != "order.created" || env.Data["email"] != "buyer@c1.example" {
		t.Fatalf("seller got %s (%v)", got[0], err)
	}
	if err := json.Unmarshal([]byte(got[1]), &env); err != nil || env.Type != "fulfillment_order.created" || env.Data["storefrontName"] != "Corner Shop c1" {
		t.Fatalf("supplier got %s (%v)", got[1], err)
	}
	for _, secret := range []string{"89.99", "8999", "buyer@"} {
		if strings.Contains(got[1], secret) {
			t.Errorf("the supplier's webhook carries %q: %s", secret, got[1])
		}
	}
	if !strings.Contains(got[1], `"30.00"`) {
		t.Errorf("the supplier's webhook lacks its wholesale cost: %s", got[1])
	}

	// The dead endpoint's delivery failed once, is recorded, and waits for its retry.
	waitFor(t, func() bool {
		var n int
		_ = w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`, deadID).Scan(&n)
		return n >= 1
	})
	page, err := svc.WebhookDeliveries(ctx, w.sup2, deadID, 10, "")
	if err != nil || len(page.Deliveries) != 1 {
		t.Fatalf("deliveries %+v (%v)", page, err)
	}
	d := page.Deliveries[0]
	if d.Status != "PENDING" || len(d.Attempts) != 1 || d.Attempts[0].Error == "" || d.Attempts[0].StatusCode != nil {
		t.Fatalf("dead endpoint's delivery %+v", d)
	}
	// The receiver has the body before the worker records the attempt: wait for the record.
	waitFor(t, func() bool {
		var n int
		_ = w.d.Owner.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE e.member_id = $1 AND d.status = 'SUCCEEDED'`, w.sel.MemberID).Scan(&n)
		return n >= 1
	})
	ok, err := svc.WebhookDeliveries(ctx, w.sel, uuid.Nil, 10, "")
	if err != nil || len(ok.Deliveries) != 1 || ok.Deliveries[0].Status != "SUCCEEDED" || *ok.Deliveries[0].Attempts[0].StatusCode != 200 {
		t.Fatalf("seller's deliveries %+v (%v)", ok, err)
	}
	// Nobody sees another member's deliveries.
	if other, _ := svc.WebhookDeliveries(ctx, w.sup, uuid.Nil, 10, ""); len(other.Deliveries) != 0 {
		t.Fatal("a member sees another's deliveries")
	}
}

// TestWebhookRetries calls the worker's work directly: a failing attempt is recorded and
// returned (River retries it), the next one succeeds, a delivered one is not sent again,
// and the last allowed attempt marks the delivery FAILED.
func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	r := newReceiver(t)
	r.fail = 1
	_, r.secret = w.endpoint(t, w.sup2, r.URL, "fulfillment_order.created", "fulfillment_order.cancelled")
	o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 1)), "k")
	var id uuid.UUID
	if err := w.d.Owner.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE event_type = 'fulfillment_order.created'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.DeliverWebhook(ctx, w.c.ID, id, 5); err == nil {
		t.Fatal("a 500 was not an error")
	}
	if err := w.svc.DeliverWebhook(ctx, w.c.ID, id, 5); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.DeliverWebhook(ctx, w.c.ID, id, 5); err != nil {
		t.Fatal(err)
	}
	var status string
	var attempts int
	var codes []int
	if err := w.d.Owner.QueryRow(ctx, `SELECT d.status, d.attempts, (SELECT array_agg(status_code ORDER BY attempt) FROM webhook_attempts WHERE delivery_id = d.id)
		FROM webhook_deliveries d WHERE id = $1`, id).Scan(&status, &attempts, &codes); err != nil {
		t.Fatal(err)
	}
	if status != "SUCCEEDED" || attempts != 2 || len(codes) != 2 || codes[0] != 500 || codes[1] != 200 || len(r.bodies) != 1 {
		t.Fatalf("status %s, %d attempts %v, %d received", status, attempts, codes, len(r.bodies))
	}

	// The seller cancels: the supplier is told; an endpoint that keeps failing ends FAILED.
	fo := w.fos(t, o)[0]
	if _, err := w.svc.CancelFulfillmentOrder(ctx, w.sel, fo.ID, "out of season"); err != nil {
		t.Fatal(err)
	}
	if err := w.d.Owner.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE event_type = 'fulfillment_order.cancelled'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.fail = 100
	r.mu.Unlock()
	_ = w.svc.DeliverWebhook(ctx, w.c.ID, id, 2)
	_ = w.svc.DeliverWebhook(ctx, w.c.ID, id, 2)
	if err := w.d.Owner.QueryRow(ctx, `SELECT status, attempts FROM webhook_deliveries WHERE id = $1`, id).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	if status != "FAILED" || attempts != 2 {
		t.Fatalf("status %s after %d attempts, want FAILED after 2", status, attempts)
	}
}

func TestWebhookEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	for name, tc := range map[string]struct {
		in    fulfillment.WebhookEndpointCreate
		field string
	}{
		"ErrURL":       {fulfillment.WebhookEndpointCreate{URL: "ftp://x", Events: []string{"order.created"}}, "url"},
		"ErrNoEvents":  {fulfillment.WebhookEndpointCreate{URL: "https://x.example"}, "events"},
		"ErrBadEvent":  {fulfillment.WebhookEndpointCreate{URL: "https://x.example", Events: []string{"order.eaten"}}, "events.0"},
		"ErrNoHostURL": {fulfillment.WebhookEndpointCreate{URL: "https://", Events: []string{"order.created"}}, "url"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := w.svc.CreateWebhookEndpoint(ctx, w.sel, tc.in)
			wantField(t, err, tc.field)
		})
	}
	t.Run("OK", func(t *testing.T) {
		id, secret := w.endpoint(t, w.sel, "https://hooks.example/a", "order.created")
		if !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("secret %q", secret)
		}
		list, err := w.svc.WebhookEndpoints(ctx, w.sel)
		if err != nil || len(list) != 1 {
			t.Fatalf("%v %v", list, err)
		}
		if _, err := w.svc.DeleteWebhookEndpoint(ctx, w.sup, id); err == nil {
			t.Fatal("another member deleted the endpoint")
		}
		if _, err := w.svc.DeleteWebhookEndpoint(ctx, w.sel, id); err != nil {
			t.Fatal(err)
		}
		if list, _ := w.svc.WebhookEndpoints(ctx, w.sel); len(list) != 0 {
			t.Fatal("deleted endpoint still listed")
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("condition not met within 30 s")
}
