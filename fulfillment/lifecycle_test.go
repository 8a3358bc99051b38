package fulfillment_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/fulfillment"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	w.receive(t, w.whMunich, mug, 100)

	// place makes an order of 3 mugs (warehouse) and 2 lamps (drop-ship by sup2).
	place := func(t *testing.T) (*fulfillment.Order, *fulfillment.FulfillmentOrder, *fulfillment.FulfillmentOrder) {
		o := w.checkout(t, w.customer(), w.cart(t, w.customer(), line(mug, 3), line(lamp, 2)), "k")
		fos := w.fos(t, o)
		if len(fos) != 2 {
			t.Fatalf("%d fulfillment orders", len(fos))
		}
		return o, fos[0], fos[1]
	}

	t.Run("OKShipAndDeliver", func(t *testing.T) {
		o, wh, sup := place(t)
		if _, err := w.svc.AcceptFulfillmentOrder(ctx, w.sup2, sup.ID); err != nil {
			t.Fatal(err)
		}
		// Partial shipment of the supplier's order.
		f, err := w.svc.ShipFulfillmentOrder(ctx, w.sup2, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T1",
			Lines: []fulfillment.ShipmentLineInput{{FulfillmentOrderLineID: sup.Lines[0].ID, Quantity: 1}}}})
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != fulfillment.FOPartiallyShipped || len(f.Shipments) != 1 || f.Lines[0].QuantityShipped != 1 {
			t.Fatalf("after partial shipment: %+v", f)
		}
		if got := w.order(t, o.ID); got.Status != fulfillment.StatusPartiallyFulfilled || got.Lines[1].Status != fulfillment.StatusPartiallyFulfilled ||
			got.Lines[0].Status != fulfillment.StatusUnfulfilled {
			t.Fatalf("order %s, lines %s %s", got.Status, got.Lines[0].Status, got.Lines[1].Status)
		}
		// The rest, with no lines given: everything open.
		if f, err = w.svc.ShipFulfillmentOrder(ctx, w.sup2, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T2"}}); err != nil {
			t.Fatal(err)
		}
		if f.Status != fulfillment.FOShipped || len(f.Shipments) != 2 {
			t.Fatalf("after second shipment: %s, %d shipments", f.Status, len(f.Shipments))
		}
		// The operator ships the warehouse order: stock leaves the warehouse.
		if _, err := w.svc.ShipFulfillmentOrder(ctx, w.op, wh.ID, []fulfillment.ShipmentInput{{Carrier: "UPS", TrackingNumber: "W1"}}); err != nil {
			t.Fatal(err)
		}
		if on, res := w.stock(t, w.whMunich, mug); on != 97 || res != 0 {
			t.Fatalf("stock after shipping %d/%d, want 97 on hand, 0 reserved", on, res)
		}
		if got := w.order(t, o.ID); got.Status != fulfillment.StatusFulfilled || got.Lines[0].QuantityFulfilled != 3 {
			t.Fatalf("order %s, line 0 fulfilled %d", got.Status, got.Lines[0].QuantityFulfilled)
		}
		for _, id := range []uuid.UUID{sup.ID, wh.ID} {
			p := w.sup2
			if id == wh.ID {
				p = w.op
			}
			if f, err = w.svc.DeliverFulfillmentOrder(ctx, p, id); err != nil || f.Status != fulfillment.FODelivered {
				t.Fatalf("deliver: %v %v", f, err)
			}
		}
		if got := w.order(t, o.ID); got.Status != fulfillment.StatusDelivered {
			t.Fatalf("order %s, want DELIVERED", got.Status)
		}
		// The customer sees its tracking.
		ships, err := w.svc.ShipmentsOfOrders(ctx, w.customer(), []uuid.UUID{o.ID})
		if err != nil || len(ships[0]) != 3 {
			t.Fatalf("customer sees %v shipments (%v)", ships, err)
		}
	})

	t.Run("ErrShipping", func(t *testing.T) {
		_, _, sup := place(t)
		for name, tc := range map[string]struct {
			in    []fulfillment.ShipmentInput
			field string
		}{
			"ErrNoShipments": {nil, "shipments"},
			"ErrCarrier":     {[]fulfillment.ShipmentInput{{TrackingNumber: "T"}}, "shipments.0.carrier"},
			"ErrTracking":    {[]fulfillment.ShipmentInput{{Carrier: "DHL"}}, "shipments.0.trackingNumber"},
			"ErrURL":         {[]fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T", TrackingURL: "ftp://x"}}, "shipments.0.trackingUrl"},
			"ErrTooMany": {[]fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T",
				Lines: []fulfillment.ShipmentLineInput{{FulfillmentOrderLineID: sup.Lines[0].ID, Quantity: 3}}}}, "shipments.0.lines.0.quantity"},
			"ErrForeignLine": {[]fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T",
				Lines: []fulfillment.ShipmentLineInput{{FulfillmentOrderLineID: uuid.New(), Quantity: 1}}}}, "shipments.0.lines.0.lineId"},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.ShipFulfillmentOrder(ctx, w.sup2, sup.ID, tc.in)
				wantField(t, err, tc.field)
			})
		}
		// Another supplier, the operator (not a warehouse order) and the seller cannot ship it.
		_, err := w.svc.ShipFulfillmentOrder(ctx, w.sup, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T"}})
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.ShipFulfillmentOrder(ctx, w.op, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T"}})
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.ShipFulfillmentOrder(ctx, w.sel, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T"}})
		wantCode(t, err, apperr.ENOTFOUND)
		_, err = w.svc.ShipFulfillmentOrder(ctx, w.customer(), sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T"}})
		wantCode(t, err, apperr.EFORBIDDEN)
	})

	t.Run("OKCancelReleasesStock", func(t *testing.T) {
		o, wh, sup := place(t)
		_, res0 := w.stock(t, w.whMunich, mug)
		f, err := w.svc.CancelFulfillmentOrder(ctx, w.sel, wh.ID, "customer changed its mind")
		if err != nil || f.Status != fulfillment.FOCancelled || f.Lines[0].Status() != "CANCELLED" {
			t.Fatalf("cancel: %+v %v", f, err)
		}
		if _, res := w.stock(t, w.whMunich, mug); res != res0-3 {
			t.Fatalf("reserved %d after cancelling, want %d", res, res0-3)
		}
		if _, err := w.svc.CancelFulfillmentOrder(ctx, w.storefrontKey(), sup.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got := w.order(t, o.ID); got.Status != fulfillment.StatusCancelled || got.Lines[0].QuantityCancelled != 3 {
			t.Fatalf("order %s after cancelling everything", got.Status)
		}
	})

	t.Run("ErrCancelAfterShipping", func(t *testing.T) {
		_, _, sup := place(t)
		if _, err := w.svc.ShipFulfillmentOrder(ctx, w.sup2, sup.ID, []fulfillment.ShipmentInput{{Carrier: "DHL", TrackingNumber: "T"}}); err != nil {
			t.Fatal(err)
		}
		_, err := w.svc.CancelFulfillmentOrder(ctx, w.sel, sup.ID, "")
		wantCode(t, err, apperr.ECONFLICT)
		_, err = w.svc.CancelFulfillmentOrder(ctx, w.sup2, sup.ID, "")
		wantCode(t, err, apperr.ENOTFOUND) // the supplier is no seller of it
		_, err = w.svc.CancelFulfillmentOrder(ctx, w.customer(), sup.ID, "")
		wantCode(t, err, apperr.EFORBIDDEN)
	})
}

func TestReject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	chair := w.offer(t, w.sup2, "Chair", v{wholesale: 5000, srp: 12999, direct: berlin})[0]
	w.receive(t, w.whHamburg, lamp, 5) // the lamp is also in Hamburg; the chair nowhere

	// Drop-ship first, so both lines go to the supplier.
	if _, err := w.ten.UpdateStorefront(ctx, w.sel, w.sf.ID, tenantsUpdatePolicy("SUPPLIER_FIRST")); err != nil {
		t.Fatal(err)
	}

	t.Run("OKRerouteOrCancel", func(t *testing.T) {
		o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 2), line(chair, 1)), "k")
		sup := w.fos(t, o)[0]
		if sup.Kind != fulfillment.KindSupplier || len(sup.Lines) != 2 {
			t.Fatalf("fulfillment order %+v", sup)
		}
		f, err := w.svc.RejectFulfillmentOrder(ctx, w.sup2, sup.ID, nil, "out of stock")
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != fulfillment.FORejected || f.Lines[0].Status() != "REJECTED" {
			t.Fatalf("after reject: %s %s", f.Status, f.Lines[0].Status())
		}
		fos := w.fos(t, o)
		if len(fos) != 2 || fos[1].Kind != fulfillment.KindWarehouse || fos[1].WarehouseID != w.whHamburg ||
			len(fos[1].Lines) != 1 || fos[1].Lines[0].SKU != lamp.sku || fos[1].Lines[0].Quantity != 2 {
			t.Fatalf("rerouted fulfillment orders %+v", fos)
		}
		if _, res := w.stock(t, w.whHamburg, lamp); res != 2 {
			t.Fatalf("Hamburg reserved %d, want 2", res)
		}
		got := w.order(t, o.ID)
		if r := got.Lines[0].Routing; r.Kind != "WAREHOUSE" || !strings.Contains(r.Reason, "rerouted after the supplier rejected it (out of stock)") {
			t.Errorf("lamp routing %+v", r)
		}
		if r := got.Lines[1].Routing; r.Kind != "NONE" || !strings.Contains(r.Reason, "cancelled") || got.Lines[1].Status != fulfillment.StatusCancelled {
			t.Errorf("chair routing %+v, status %s", r, got.Lines[1].Status)
		}
		if got.Status != fulfillment.StatusUnfulfilled {
			t.Errorf("order %s, want UNFULFILLED (the lamp is still to ship)", got.Status)
		}
	})

	t.Run("OKRejectOneLine", func(t *testing.T) {
		o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 1), line(chair, 1)), "k")
		sup := w.fos(t, o)[0]
		f, err := w.svc.RejectFulfillmentOrder(ctx, w.sup2, sup.ID, []uuid.UUID{sup.Lines[1].ID}, "discontinued")
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != fulfillment.FONew || f.Lines[0].Status() != "OPEN" || f.Lines[1].Status() != "REJECTED" {
			t.Fatalf("after rejecting one line: %s %s %s", f.Status, f.Lines[0].Status(), f.Lines[1].Status())
		}
	})

	t.Run("ErrReject", func(t *testing.T) {
		o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 1)), "k")
		sup := w.fos(t, o)[0]
		_, err := w.svc.RejectFulfillmentOrder(ctx, w.sup2, sup.ID, nil, "")
		wantField(t, err, "reason")
		_, err = w.svc.RejectFulfillmentOrder(ctx, w.sup2, sup.ID, []uuid.UUID{uuid.New()}, "x")
		wantField(t, err, "lineIds.0")
		_, err = w.svc.RejectFulfillmentOrder(ctx, w.sup, sup.ID, nil, "x")
		wantCode(t, err, apperr.ENOTFOUND)
	})

	t.Run("OKSLAEscalation", func(t *testing.T) {
		o := w.checkout(t, w.shopper(), w.cart(t, w.shopper(), line(lamp, 1)), "k")
		sup := w.fos(t, o)[0]
		if _, err := w.d.Owner.Exec(ctx, `UPDATE fulfillment_orders SET sla_due_at = now() - interval '1 minute' WHERE id = $1`, sup.ID); err != nil {
			t.Fatal(err)
		}
		n, err := w.svc.EscalateOverdue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("escalated %d (%v), want 1", n, err)
		}
		fos := w.fos(t, o)
		if fos[0].Status != fulfillment.FORejected || len(fos) != 2 || fos[1].WarehouseID != w.whHamburg {
			t.Fatalf("after SLA: %s, %d orders", fos[0].Status, len(fos))
		}
		if n, _ := w.svc.EscalateOverdue(ctx); n != 0 {
			t.Fatalf("escalated again: %d", n)
		}
	})
}

func tenantsUpdatePolicy(policy string) tenants.StorefrontUpdate {
	return tenants.StorefrontUpdate{RoutingPolicy: &policy}
}
