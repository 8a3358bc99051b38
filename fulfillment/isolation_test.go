package fulfillment_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestIsolation reads and writes the fulfilment tables with raw SQL under each party's
// scope: row-level security alone must keep each party to its rows.
func TestIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	other := newWorldIn(t, w.d, "c2")
	mug := w.offer(t, w.sup, "Mug", v{wholesale: 1000, srp: 4777})[0]
	lamp := w.offer(t, w.sup2, "Lamp", v{wholesale: 3000, srp: 8999, direct: berlin})[0]
	w.receive(t, w.whMunich, mug, 10)
	anonCart := w.cart(t, w.shopper(), line(mug, 1), line(lamp, 1))
	w.checkout(t, w.shopper(), anonCart, "a")
	custCart := w.cart(t, w.customer(), line(lamp, 1))
	w.checkout(t, w.customer(), custCart, "c")

	count := func(t *testing.T, p tenants.Principal, cart uuid.UUID, table string) int {
		t.Helper()
		var n int
		err := db.InTx(ctx, w.d.App, p.Scope(), func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('app.cart_id', $1, true)`, cartStr(cart)); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		p     tenants.Principal
		cart  uuid.UUID
		table string
		want  int
	}{
		{"ShopperWithoutCartSeesNoCart", w.shopper(), uuid.Nil, "carts", 0},
		{"ShopperWithoutCartSeesNoOrder", w.shopper(), uuid.Nil, "orders", 0},
		{"ShopperSeesItsCart", w.shopper(), anonCart.ID, "carts", 1},
		{"ShopperSeesItsOrder", w.shopper(), anonCart.ID, "orders", 1},
		{"ShopperSeesItsOrderLines", w.shopper(), anonCart.ID, "order_lines", 2},
		{"ShopperCannotUseCustomersCart", w.shopper(), custCart.ID, "carts", 0},
		{"ShopperNoRouting", w.shopper(), anonCart.ID, "order_line_routing", 0},
		{"ShopperNoFulfillmentOrders", w.shopper(), anonCart.ID, "fulfillment_orders", 0},
		{"ShopperNoStock", w.shopper(), uuid.Nil, "warehouse_stock", 0},
		{"CustomerSeesOwnOrder", w.customer(), uuid.Nil, "orders", 1},
		{"CustomerNoRouting", w.customer(), uuid.Nil, "order_line_routing", 0},
		{"CustomerNoFulfillmentOrders", w.customer(), uuid.Nil, "fulfillment_orders", 0},
		{"CustomerNoFulfillmentOrderLines", w.customer(), uuid.Nil, "fulfillment_order_lines", 0},
		{"CustomerNoMovements", w.customer(), uuid.Nil, "stock_movements", 0},
		{"SellerSeesOrders", w.sel, uuid.Nil, "orders", 2},
		{"SellerSeesRouting", w.sel, uuid.Nil, "order_line_routing", 3},
		{"SellerSeesFulfillmentOrders", w.sel, uuid.Nil, "fulfillment_orders", 3},
		{"StorefrontKeySeesOrders", w.storefrontKey(), uuid.Nil, "orders", 2},
		{"SupplierNoOrders", w.sup2, uuid.Nil, "orders", 0},
		{"SupplierNoOrderLines", w.sup2, uuid.Nil, "order_lines", 0},
		{"SupplierNoRouting", w.sup2, uuid.Nil, "order_line_routing", 0},
		{"SupplierNoCarts", w.sup2, uuid.Nil, "carts", 0},
		{"SupplierSeesItsDropShipOrders", w.sup2, uuid.Nil, "fulfillment_orders", 2},
		{"SupplierOfWarehouseGoodsSeesNoWarehouseOrder", w.sup, uuid.Nil, "fulfillment_orders", 0},
		{"SupplierSeesItsGoodsLines", w.sup, uuid.Nil, "fulfillment_order_lines", 1},
		{"SupplierSeesItsStock", w.sup, uuid.Nil, "warehouse_stock", 1},
		{"OtherSupplierNoStock", w.sup2, uuid.Nil, "warehouse_stock", 0},
		{"OperatorSeesWarehouseOrders", w.op, uuid.Nil, "fulfillment_orders", 1},
		{"OperatorNoOrders", w.op, uuid.Nil, "orders", 0},
		{"OperatorNoCustomerEmails", w.op, uuid.Nil, "order_lines", 0},
		{"OtherConsortiumSellerNothing", other.sel, uuid.Nil, "orders", 0},
		{"OtherConsortiumOperatorNothing", other.op, uuid.Nil, "fulfillment_orders", 0},
		{"OtherConsortiumOperatorNoStock", other.op, uuid.Nil, "warehouse_stock", 0},
		{"OtherStorefrontShopperNothing", other.shopper(), anonCart.ID, "carts", 0},
	} {
		t.Run("OK"+tc.name, func(t *testing.T) {
			if got := count(t, tc.p, tc.cart, tc.table); got != tc.want {
				t.Fatalf("%s sees %d rows, want %d", tc.table, got, tc.want)
			}
		})
	}

	// Derived statuses and orders cannot be written by hand, whatever the scope.
	for name, sql := range map[string]string{
		"ErrSetOrderStatus":     `UPDATE orders SET status = 'FULFILLED'`,
		"ErrSetLineStatus":      `UPDATE order_lines SET status = 'FULFILLED'`,
		"ErrInsertOrder":        `INSERT INTO orders (storefront_id, id, consortium_id, member_id, number, cart_id, currency, subtotal, routing_policy, ship_name, ship_line1, ship_city, ship_postal_code, ship_region, ship_country, ship_latitude, ship_longitude) SELECT storefront_id, gen_random_uuid(), consortium_id, member_id, 1, gen_random_uuid(), currency, 0, 'FASTEST', '', '', '', '', '', '', 0, 0 FROM orders LIMIT 1`,
		"ErrDeleteMovements":    `DELETE FROM stock_movements`,
		"ErrSupplierInsertsFO":  `INSERT INTO fulfillment_orders (storefront_id, id, consortium_id, member_id, order_id, kind, supplier_id, reference, storefront_name, ship_name, ship_line1, ship_city, ship_postal_code, ship_region, ship_country, ship_latitude, ship_longitude, currency) VALUES ($1, gen_random_uuid(), $2, $3, gen_random_uuid(), 'SUPPLIER', $3, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 0, 0, 'EUR')`,
		"ErrShopperReserves":    `UPDATE warehouse_stock SET reserved = reserved + 1`,
		"ErrSupplierTakesOther": `UPDATE fulfillment_orders SET supplier_id = $3 WHERE kind = 'SUPPLIER' AND storefront_id = $1 AND consortium_id = $2`,
	} {
		t.Run(name, func(t *testing.T) {
			p := w.sel
			switch name {
			case "ErrSupplierInsertsFO", "ErrSupplierTakesOther":
				p = w.sup2
			case "ErrShopperReserves":
				p = w.shopper()
			}
			err := db.InTx(ctx, w.d.App, p.Scope(), func(tx pgx.Tx) error {
				var args []any
				if contains(sql, "$1") {
					args = []any{w.sf.ID, w.c.ID, w.sup.MemberID}
				}
				tag, err := tx.Exec(ctx, sql, args...)
				if err == nil && tag.RowsAffected() == 0 {
					return errNoRows
				}
				return err
			})
			var pe *pgconn.PgError
			if !(errors.Is(err, errNoRows) || errors.As(err, &pe) && (pe.Code == "42501" || db.IsCheckViolation(err))) {
				t.Fatalf("got %v, want permission denied, a policy violation or no rows", err)
			}
		})
	}
}

var errNoRows = errors.New("no rows affected")

func cartStr(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}
