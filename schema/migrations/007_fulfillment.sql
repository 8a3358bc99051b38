-- Fulfilment: warehouse stock and its movements, carts, orders with per-storefront
-- numbers, per-line routing, fulfilment orders (one per warehouse or per supplier),
-- shipments, webhook endpoints and deliveries.
--
-- Who may see what is decided by which table a column lives in (blind drop-ship):
--   orders, order_lines          the storefront's sale: retail prices, the customer's
--                                e-mail. Seller, storefront key, the ordering customer.
--   order_line_routing           where each line went and why, the supplier and its SKU.
--                                Seller and storefront key only (customers never learn
--                                who supplies).
--   fulfillment_orders (+ lines) what a warehouse or a supplier must ship: SKU, quantity,
--                                the supplier's wholesale cost, the ship-to address and
--                                the storefront's display name. Nothing else.
--   shipments (+ lines)          carrier and tracking; also readable by the customer.
-- Storefront data leads with storefront_id; stock with consortium_id (the catalog's key);
-- webhooks with consortium_id.
--
-- The tables every checkout writes (orders, order_line_routing, fulfillment_orders,
-- webhook_deliveries) have no foreign keys to the few shared parent rows (storefronts,
-- currencies, warehouses, members, webhook_endpoints): each insert would lock its parent
-- row (FOR KEY SHARE), and concurrent checkouts of one storefront would contend on those
-- rows through MultiXacts. Their writers are the SECURITY DEFINER functions below and
-- the system-scope reroute, which copy those ids from rows they just read. Likewise order
-- lines, fulfilment orders, routing rows and fulfilment order lines do not reference the
-- order or its lines by foreign keys (the same function writes them together): checkout
-- writes the order row last, right after taking the storefront's number, so that the
-- counter is held only by that insert and the commit (a deferred key check would run
-- inside that window); gm_checkout_place writes them all in one statement. Statuses of orders and order lines are derived from the
-- fulfilment orders by gm_fulfillment_derive (triggers below) and the application role
-- may not write them at all.

CREATE FUNCTION app_cart() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.cart_id', true), '')::uuid $$;

-- A cart is visible to its storefront's key, to the customer it belongs to, and to an
-- anonymous shopper only when the shopper presented its id (app.cart_id): an anonymous
-- cart's id is its bearer token.
CREATE FUNCTION gm_cart_visible(p_customer uuid, p_cart uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT app_role() = 'storefront'
      OR (app_role() = 'shopper' AND p_customer IS NULL AND p_cart = app_cart())
      OR (app_role() = 'customer' AND p_customer = app_customer())
$$;

-- Does a warehouse (or a supplier) serving p_served reach p_region? "*" is everywhere;
-- a country ("DE") covers its subdivisions ("DE-BY"). fulfillment/routing mirrors it.
CREATE FUNCTION gm_region_served(p_served text[], p_region text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_region = ANY (p_served) OR '*' = ANY (p_served) OR split_part(p_region, '-', 1) = ANY (p_served)
$$;

-- A supplier's fulfilment settings: hours it has to accept or reject a drop-ship order
-- before the SLA job reroutes it.
CREATE TABLE supplier_fulfillment_settings (
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  sla_hours     integer NOT NULL DEFAULT 48 CHECK (sla_hours BETWEEN 1 AND 720),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, member_id),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
ALTER TABLE supplier_fulfillment_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_fulfillment_settings_read ON supplier_fulfillment_settings FOR SELECT
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY supplier_fulfillment_settings_write ON supplier_fulfillment_settings FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

-- ---------------------------------------------------------------------------------------
-- Stock: per warehouse and variant, on hand and reserved. Reservations never oversell:
-- the CHECK holds whatever the code does, and reservations are conditional updates of
-- rows locked in (warehouse_id, variant_id) order.
CREATE TABLE warehouse_stock (
  consortium_id uuid NOT NULL,
  warehouse_id  uuid NOT NULL,
  variant_id    uuid NOT NULL,
  supplier_id   uuid NOT NULL, -- whose goods (the variant's supplier)
  on_hand       integer NOT NULL DEFAULT 0,
  reserved      integer NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, warehouse_id, variant_id),
  FOREIGN KEY (consortium_id, warehouse_id) REFERENCES warehouses (consortium_id, id),
  FOREIGN KEY (consortium_id, variant_id) REFERENCES offer_variants (consortium_id, id),
  CONSTRAINT warehouse_stock_quantities CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
) WITH (fillfactor = 70); -- reservations update these rows all the time: keep them HOT
CREATE INDEX warehouse_stock_variant_idx ON warehouse_stock (consortium_id, variant_id);
CREATE INDEX warehouse_stock_supplier_idx ON warehouse_stock (consortium_id, supplier_id);
ALTER TABLE warehouse_stock ENABLE ROW LEVEL SECURITY;
-- The operator runs the warehouses; a supplier sees and consigns its own goods.
CREATE POLICY warehouse_stock_all ON warehouse_stock FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND supplier_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND supplier_id = app_member())));

-- Every change of stock is a row: the sums of the deltas are the stock.
CREATE TABLE stock_movements (
  consortium_id        uuid NOT NULL,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  warehouse_id         uuid NOT NULL,
  variant_id           uuid NOT NULL,
  supplier_id          uuid NOT NULL,
  kind                 text NOT NULL CHECK (kind IN ('RECEIPT', 'ADJUSTMENT', 'RESERVATION', 'RELEASE', 'SHIPMENT')),
  on_hand_delta        integer NOT NULL DEFAULT 0,
  reserved_delta       integer NOT NULL DEFAULT 0,
  reason               text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
  reference            text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
  storefront_id        uuid,
  order_id             uuid,
  fulfillment_order_id uuid,
  actor                text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  CHECK (kind <> 'ADJUSTMENT' OR reason <> '')
);
CREATE INDEX stock_movements_stock_idx ON stock_movements (consortium_id, warehouse_id, variant_id, created_at DESC);
CREATE INDEX stock_movements_supplier_idx ON stock_movements (consortium_id, supplier_id, created_at DESC);
ALTER TABLE stock_movements ENABLE ROW LEVEL SECURITY;
CREATE POLICY stock_movements_read ON stock_movements FOR SELECT
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND supplier_id = app_member())));
CREATE POLICY stock_movements_insert ON stock_movements FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND supplier_id = app_member())));
REVOKE UPDATE, DELETE ON stock_movements FROM guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Carts: a storefront's customer's, or an anonymous shopper's (customer_id NULL).
CREATE TABLE carts (
  storefront_id uuid NOT NULL REFERENCES storefronts (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL, -- the seller
  customer_id   uuid,
  currency      char(3) NOT NULL REFERENCES currencies (code),
  status        text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'COMPLETED')),
  order_id      uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  FOREIGN KEY (storefront_id, customer_id) REFERENCES customers (storefront_id, id)
);
ALTER TABLE carts ENABLE ROW LEVEL SECURITY;
CREATE POLICY carts_window ON carts FOR ALL
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND gm_cart_visible(customer_id, id))
  WITH CHECK (consortium_id = app_consortium() AND storefront_id = app_storefront() AND gm_cart_visible(customer_id, id));
CREATE POLICY carts_seller ON carts FOR SELECT
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

CREATE TABLE cart_lines (
  storefront_id      uuid NOT NULL,
  cart_id            uuid NOT NULL,
  listing_variant_id uuid NOT NULL,
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  position           integer NOT NULL, -- order of adding
  quantity           integer NOT NULL CHECK (quantity BETWEEN 1 AND 9999),
  unit_price         bigint NOT NULL CHECK (unit_price >= 0), -- the price the shopper was shown
  added_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, cart_id, listing_variant_id),
  FOREIGN KEY (storefront_id, cart_id) REFERENCES carts (storefront_id, id) ON DELETE CASCADE,
  FOREIGN KEY (storefront_id, listing_variant_id) REFERENCES listing_variants (storefront_id, id) ON DELETE CASCADE
);
ALTER TABLE cart_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY cart_lines_window ON cart_lines FOR ALL
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND EXISTS (
    SELECT 1 FROM carts c WHERE c.storefront_id = cart_lines.storefront_id AND c.id = cart_lines.cart_id))
  WITH CHECK (consortium_id = app_consortium() AND storefront_id = app_storefront() AND EXISTS (
    SELECT 1 FROM carts c WHERE c.storefront_id = cart_lines.storefront_id AND c.id = cart_lines.cart_id));
CREATE POLICY cart_lines_seller ON cart_lines FOR SELECT
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

-- ---------------------------------------------------------------------------------------
-- Orders. Numbers are per storefront and sequential: the counter row is updated in the
-- checkout's transaction (last, so it is held only until commit), and a rolled-back
-- checkout gives its number back.
CREATE TABLE order_counters (
  storefront_id uuid PRIMARY KEY REFERENCES storefronts (id),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  last_number   bigint NOT NULL
);
ALTER TABLE order_counters ENABLE ROW LEVEL SECURITY; -- no policy: only gm_checkout_place writes it

CREATE TABLE orders (
  storefront_id    uuid NOT NULL,
  id               uuid NOT NULL,
  consortium_id    uuid NOT NULL,
  member_id        uuid NOT NULL,
  number           bigint NOT NULL,
  cart_id          uuid NOT NULL,
  customer_id      uuid,
  email            text NOT NULL DEFAULT '',
  currency         char(3) NOT NULL,
  subtotal         bigint NOT NULL CHECK (subtotal >= 0),
  routing_policy   text NOT NULL,
  ship_name        text NOT NULL,
  ship_line1       text NOT NULL,
  ship_line2       text NOT NULL DEFAULT '',
  ship_city        text NOT NULL,
  ship_postal_code text NOT NULL,
  ship_region      text NOT NULL,
  ship_country     text NOT NULL,
  ship_latitude    double precision NOT NULL,
  ship_longitude   double precision NOT NULL,
  status           text NOT NULL DEFAULT 'UNFULFILLED'
                   CHECK (status IN ('UNFULFILLED', 'PARTIALLY_FULFILLED', 'FULFILLED', 'DELIVERED', 'CANCELLED')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT orders_number_key UNIQUE (storefront_id, number),
  CONSTRAINT orders_cart_key UNIQUE (storefront_id, cart_id), -- one order per cart, whatever the idempotency key
  FOREIGN KEY (storefront_id, customer_id) REFERENCES customers (storefront_id, id)
);
CREATE INDEX orders_id_idx ON orders (id);
CREATE INDEX orders_storefront_created_idx ON orders (storefront_id, created_at DESC, id DESC);
CREATE INDEX orders_member_created_idx ON orders (consortium_id, member_id, created_at DESC, id DESC);
CREATE INDEX orders_customer_idx ON orders (storefront_id, customer_id, created_at DESC) WHERE customer_id IS NOT NULL;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_read ON orders FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront()) OR
    (app_role() = 'customer' AND storefront_id = app_storefront() AND customer_id = app_customer()) OR
    (app_role() = 'shopper' AND storefront_id = app_storefront() AND customer_id IS NULL AND cart_id = app_cart())));

-- What the customer bought: no wholesale, no supplier.
CREATE TABLE order_lines (
  storefront_id      uuid NOT NULL,
  id                 uuid NOT NULL,
  order_id           uuid NOT NULL,
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  position           integer NOT NULL,
  listing_variant_id uuid NOT NULL,
  title              text NOT NULL,
  options            jsonb NOT NULL DEFAULT '{}',
  quantity           integer NOT NULL CHECK (quantity > 0),
  unit_price         bigint NOT NULL CHECK (unit_price >= 0),
  currency           char(3) NOT NULL,
  status             text NOT NULL DEFAULT 'UNFULFILLED'
                     CHECK (status IN ('UNFULFILLED', 'PARTIALLY_FULFILLED', 'FULFILLED', 'DELIVERED', 'CANCELLED')),
  quantity_fulfilled integer NOT NULL DEFAULT 0,
  quantity_cancelled integer NOT NULL DEFAULT 0,
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT order_lines_position_key UNIQUE (storefront_id, order_id, position)
);
ALTER TABLE order_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_lines_read ON order_lines FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront()) OR
    (app_role() IN ('customer', 'shopper') AND storefront_id = app_storefront() AND EXISTS (
      SELECT 1 FROM orders o WHERE o.storefront_id = order_lines.storefront_id AND o.id = order_lines.order_id))));

-- Where each line went and why: the seller's, never the customer's.
CREATE TABLE order_line_routing (
  storefront_id uuid NOT NULL,
  order_line_id uuid NOT NULL,
  order_id      uuid NOT NULL,
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  variant_id    uuid NOT NULL,
  supplier_id   uuid NOT NULL,
  sku           text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('WAREHOUSE', 'SUPPLIER', 'NONE')),
  warehouse_id  uuid,
  reason        text NOT NULL,
  distance_km   integer NOT NULL DEFAULT 0,
  days          integer NOT NULL DEFAULT 0,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, order_line_id)
);
CREATE INDEX order_line_routing_order_idx ON order_line_routing (storefront_id, order_id);
ALTER TABLE order_line_routing ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_line_routing_read ON order_line_routing FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront())));
CREATE POLICY order_line_routing_reroute ON order_line_routing FOR UPDATE
  USING (consortium_id = app_consortium() AND app_role() = 'system')
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'system');

-- Orders and their lines are created only by gm_checkout_place and their statuses only
-- by gm_fulfillment_derive: the application role cannot write them by hand.
REVOKE INSERT, UPDATE, DELETE ON orders, order_lines, order_counters FROM guildmart_app;
REVOKE INSERT, DELETE ON order_line_routing FROM guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Fulfilment orders: one per warehouse or per supplier of an order. A supplier reads
-- only its own drop-ship orders (kind SUPPLIER); the operator the warehouses' orders.
CREATE FUNCTION gm_fo_visible(p_consortium uuid, p_storefront uuid, p_member uuid, p_kind text, p_supplier uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_consortium = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND (p_member = app_member() OR (p_kind = 'SUPPLIER' AND p_supplier = app_member()))) OR
    (app_role() = 'storefront' AND p_storefront = app_storefront()) OR
    (app_role() = 'operator' AND p_kind = 'WAREHOUSE'))
$$;

-- Who ships a fulfilment order: its supplier, or the operator for a warehouse.
CREATE FUNCTION gm_fo_shipper(p_consortium uuid, p_kind text, p_supplier uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_consortium = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND p_kind = 'SUPPLIER' AND p_supplier = app_member()) OR
    (app_role() = 'operator' AND p_kind = 'WAREHOUSE'))
$$;

CREATE TABLE fulfillment_orders (
  storefront_id    uuid NOT NULL,
  id               uuid NOT NULL,
  consortium_id    uuid NOT NULL,
  member_id        uuid NOT NULL, -- the seller
  order_id         uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('WAREHOUSE', 'SUPPLIER')),
  warehouse_id     uuid,
  supplier_id      uuid,
  reference        text NOT NULL, -- what the shipper quotes; not the storefront's order number
  status           text NOT NULL DEFAULT 'NEW'
                   CHECK (status IN ('NEW', 'ACCEPTED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED')),
  storefront_name  text NOT NULL,
  ship_name        text NOT NULL,
  ship_line1       text NOT NULL,
  ship_line2       text NOT NULL DEFAULT '',
  ship_city        text NOT NULL,
  ship_postal_code text NOT NULL,
  ship_region      text NOT NULL,
  ship_country     text NOT NULL,
  ship_latitude    double precision NOT NULL,
  ship_longitude   double precision NOT NULL,
  currency         char(3) NOT NULL,
  reason           text NOT NULL DEFAULT '', -- why rejected or cancelled
  sla_due_at       timestamptz,              -- supplier orders: accept or reject by then
  created_at       timestamptz NOT NULL DEFAULT now(),
  accepted_at      timestamptz,
  shipped_at       timestamptz,
  delivered_at     timestamptz,
  closed_at        timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CHECK ((kind = 'WAREHOUSE') = (warehouse_id IS NOT NULL)),
  CHECK ((kind = 'SUPPLIER') = (supplier_id IS NOT NULL))
);
CREATE INDEX fulfillment_orders_id_idx ON fulfillment_orders (id);
CREATE INDEX fulfillment_orders_order_idx ON fulfillment_orders (storefront_id, order_id);
CREATE INDEX fulfillment_orders_supplier_idx ON fulfillment_orders (consortium_id, supplier_id, created_at DESC, id DESC) WHERE kind = 'SUPPLIER';
CREATE INDEX fulfillment_orders_warehouse_idx ON fulfillment_orders (consortium_id, warehouse_id, created_at DESC, id DESC) WHERE kind = 'WAREHOUSE';
CREATE INDEX fulfillment_orders_sla_idx ON fulfillment_orders (sla_due_at) WHERE status = 'NEW' AND kind = 'SUPPLIER';
ALTER TABLE fulfillment_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY fulfillment_orders_read ON fulfillment_orders FOR SELECT
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id));
CREATE POLICY fulfillment_orders_update ON fulfillment_orders FOR UPDATE
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id))
  WITH CHECK (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id));
CREATE POLICY fulfillment_orders_insert ON fulfillment_orders FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'system');

CREATE TABLE fulfillment_order_lines (
  storefront_id        uuid NOT NULL,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  fulfillment_order_id uuid NOT NULL,
  consortium_id        uuid NOT NULL,
  member_id            uuid NOT NULL,
  kind                 text NOT NULL,
  warehouse_id         uuid,
  supplier_id          uuid NOT NULL, -- whose goods (in a warehouse order too)
  order_id             uuid NOT NULL,
  order_line_id        uuid NOT NULL,
  variant_id           uuid NOT NULL,
  sku                  text NOT NULL,
  title                text NOT NULL, -- the supplier's own offer title, not the storefront's
  quantity             integer NOT NULL CHECK (quantity > 0),
  quantity_shipped     integer NOT NULL DEFAULT 0 CHECK (quantity_shipped >= 0),
  quantity_removed     integer NOT NULL DEFAULT 0 CHECK (quantity_removed >= 0), -- rejected or cancelled
  removal              text CHECK (removal IN ('REJECTED', 'CANCELLED')),
  reason               text NOT NULL DEFAULT '',
  unit_cost            bigint NOT NULL CHECK (unit_cost >= 0), -- wholesale per unit, to the seller
  currency             char(3) NOT NULL,
  ship_region          text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  FOREIGN KEY (storefront_id, fulfillment_order_id) REFERENCES fulfillment_orders (storefront_id, id),
  CHECK (quantity_shipped + quantity_removed <= quantity)
);
CREATE INDEX fulfillment_order_lines_fo_idx ON fulfillment_order_lines (storefront_id, fulfillment_order_id);
CREATE INDEX fulfillment_order_lines_order_idx ON fulfillment_order_lines (storefront_id, order_id);
CREATE INDEX fulfillment_order_lines_supplier_idx ON fulfillment_order_lines (consortium_id, supplier_id, created_at);
ALTER TABLE fulfillment_order_lines ENABLE ROW LEVEL SECURITY;
-- A supplier also reads the lines of its goods in warehouse orders (sell-through), which
-- carry nothing but SKU, quantity, its wholesale cost and the ship-to region.
CREATE POLICY fulfillment_order_lines_read ON fulfillment_order_lines FOR SELECT
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id) OR
         (consortium_id = app_consortium() AND app_role() = 'member' AND supplier_id = app_member()));
CREATE POLICY fulfillment_order_lines_update ON fulfillment_order_lines FOR UPDATE
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id))
  WITH CHECK (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id));
CREATE POLICY fulfillment_order_lines_insert ON fulfillment_order_lines FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'system');
REVOKE DELETE ON fulfillment_orders, fulfillment_order_lines FROM guildmart_app;

CREATE TABLE shipments (
  storefront_id        uuid NOT NULL,
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  fulfillment_order_id uuid NOT NULL,
  consortium_id        uuid NOT NULL,
  member_id            uuid NOT NULL,
  kind                 text NOT NULL,
  supplier_id          uuid,
  order_id             uuid NOT NULL,
  carrier              text NOT NULL CHECK (length(carrier) BETWEEN 1 AND 100),
  tracking_number      text NOT NULL CHECK (length(tracking_number) BETWEEN 1 AND 100),
  tracking_url         text NOT NULL DEFAULT '' CHECK (length(tracking_url) <= 2000),
  status               text NOT NULL DEFAULT 'SHIPPED' CHECK (status IN ('SHIPPED', 'DELIVERED')),
  shipped_at           timestamptz NOT NULL DEFAULT now(),
  delivered_at         timestamptz,
  PRIMARY KEY (storefront_id, id),
  FOREIGN KEY (storefront_id, fulfillment_order_id) REFERENCES fulfillment_orders (storefront_id, id)
);
CREATE INDEX shipments_fo_idx ON shipments (storefront_id, fulfillment_order_id);
CREATE INDEX shipments_order_idx ON shipments (storefront_id, order_id);

CREATE TABLE shipment_lines (
  storefront_id             uuid NOT NULL,
  shipment_id               uuid NOT NULL,
  fulfillment_order_line_id uuid NOT NULL,
  consortium_id             uuid NOT NULL,
  member_id                 uuid NOT NULL,
  kind                      text NOT NULL,
  supplier_id               uuid,
  order_id                  uuid NOT NULL,
  order_line_id             uuid NOT NULL,
  quantity                  integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (storefront_id, shipment_id, fulfillment_order_line_id),
  FOREIGN KEY (storefront_id, shipment_id) REFERENCES shipments (storefront_id, id),
  FOREIGN KEY (storefront_id, fulfillment_order_line_id) REFERENCES fulfillment_order_lines (storefront_id, id)
);
CREATE INDEX shipment_lines_order_idx ON shipment_lines (storefront_id, order_id);

ALTER TABLE shipments ENABLE ROW LEVEL SECURITY;
ALTER TABLE shipment_lines ENABLE ROW LEVEL SECURITY;
-- Tracking is the customer's business too.
CREATE POLICY shipments_read ON shipments FOR SELECT
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id) OR
         (consortium_id = app_consortium() AND app_role() = 'customer' AND storefront_id = app_storefront() AND EXISTS (
           SELECT 1 FROM orders o WHERE o.storefront_id = shipments.storefront_id AND o.id = shipments.order_id)));
CREATE POLICY shipments_write ON shipments FOR INSERT
  WITH CHECK (gm_fo_shipper(consortium_id, kind, supplier_id));
CREATE POLICY shipments_update ON shipments FOR UPDATE
  USING (gm_fo_shipper(consortium_id, kind, supplier_id)) WITH CHECK (gm_fo_shipper(consortium_id, kind, supplier_id));
CREATE POLICY shipment_lines_read ON shipment_lines FOR SELECT
  USING (gm_fo_visible(consortium_id, storefront_id, member_id, kind, supplier_id) OR
         (consortium_id = app_consortium() AND app_role() = 'customer' AND storefront_id = app_storefront() AND EXISTS (
           SELECT 1 FROM orders o WHERE o.storefront_id = shipment_lines.storefront_id AND o.id = shipment_lines.order_id)));
CREATE POLICY shipment_lines_write ON shipment_lines FOR INSERT
  WITH CHECK (gm_fo_shipper(consortium_id, kind, supplier_id));
REVOKE DELETE ON shipments, shipment_lines FROM guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Webhooks: a member's endpoints, one delivery per (endpoint, event), every attempt.
CREATE TABLE webhook_endpoints (
  consortium_id uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id     uuid NOT NULL,
  url           text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  events        text[] NOT NULL CHECK (cardinality(events) > 0),
  secret        text NOT NULL, -- Standard Webhooks: "whsec_" + base64 of the key
  status        text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DELETED')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
CREATE INDEX webhook_endpoints_member_idx ON webhook_endpoints (consortium_id, member_id) WHERE status = 'ACTIVE';

CREATE TABLE webhook_deliveries (
  consortium_id    uuid NOT NULL,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  endpoint_id      uuid NOT NULL,
  member_id        uuid NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  PRIMARY KEY (consortium_id, id)
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (consortium_id, endpoint_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
  consortium_id uuid NOT NULL,
  delivery_id   uuid NOT NULL,
  attempt       integer NOT NULL,
  member_id     uuid NOT NULL,
  at            timestamptz NOT NULL DEFAULT now(),
  status_code   integer,
  error         text NOT NULL DEFAULT '',
  duration_ms   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (consortium_id, delivery_id, attempt),
  FOREIGN KEY (consortium_id, delivery_id) REFERENCES webhook_deliveries (consortium_id, id)
);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_own ON webhook_endpoints FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY webhook_deliveries_own ON webhook_deliveries FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'system');
CREATE POLICY webhook_attempts_own ON webhook_attempts FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'system');

-- ---------------------------------------------------------------------------------------
-- Derived statuses. An order line's are its units across all fulfilment order lines that
-- carry it (a rerouted line has two): live = not removed; shipped; delivered. An order's
-- follow from its lines. Run by triggers after any change of fulfilment orders or their
-- lines, whatever changed them.
CREATE FUNCTION gm_fulfillment_derive(p_storefronts uuid[], p_orders uuid[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  WITH agg AS (
    SELECT l.storefront_id, l.order_line_id,
           sum(l.quantity - l.quantity_removed)::integer AS live,
           sum(l.quantity_shipped)::integer AS shipped,
           sum(CASE WHEN f.status = 'DELIVERED' THEN l.quantity_shipped ELSE 0 END)::integer AS delivered
    FROM fulfillment_order_lines l
    JOIN fulfillment_orders f ON f.storefront_id = l.storefront_id AND f.id = l.fulfillment_order_id
    WHERE l.storefront_id = ANY (p_storefronts) AND l.order_id = ANY (p_orders)
    GROUP BY 1, 2
  ), calc AS (
    SELECT o.storefront_id, o.id, a.shipped, o.quantity - a.live AS cancelled,
           CASE WHEN a.live = 0 THEN 'CANCELLED'
                WHEN a.shipped = 0 THEN 'UNFULFILLED'
                WHEN a.shipped < a.live THEN 'PARTIALLY_FULFILLED'
                WHEN a.delivered = a.shipped THEN 'DELIVERED'
                ELSE 'FULFILLED' END AS status
    FROM order_lines o JOIN agg a ON a.storefront_id = o.storefront_id AND a.order_line_id = o.id
  )
  UPDATE order_lines o SET status = c.status, quantity_fulfilled = c.shipped, quantity_cancelled = c.cancelled
  FROM calc c
  WHERE o.storefront_id = c.storefront_id AND o.id = c.id
    AND (o.status, o.quantity_fulfilled, o.quantity_cancelled) IS DISTINCT FROM (c.status, c.shipped, c.cancelled);

  WITH agg AS (
    SELECT storefront_id, order_id,
           CASE WHEN bool_and(status = 'CANCELLED') THEN 'CANCELLED'
                WHEN bool_and(status IN ('DELIVERED', 'CANCELLED')) THEN 'DELIVERED'
                WHEN bool_and(status IN ('FULFILLED', 'DELIVERED', 'CANCELLED')) THEN 'FULFILLED'
                WHEN bool_or(quantity_fulfilled > 0) THEN 'PARTIALLY_FULFILLED'
                ELSE 'UNFULFILLED' END AS status
    FROM order_lines
    WHERE storefront_id = ANY (p_storefronts) AND order_id = ANY (p_orders)
    GROUP BY 1, 2
  )
  UPDATE orders o SET status = a.status, updated_at = now()
  FROM agg a
  WHERE o.storefront_id = a.storefront_id AND o.id = a.order_id AND o.status IS DISTINCT FROM a.status;
END
$$;
REVOKE ALL ON FUNCTION gm_fulfillment_derive(uuid[], uuid[]) FROM PUBLIC, guildmart_app;

CREATE FUNCTION gm_fulfillment_lines_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- A checkout's brand-new order is UNFULFILLED by default: nothing to derive.
  IF TG_OP = 'INSERT' AND current_setting('gm.placing_order', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM gm_fulfillment_derive(array_agg(DISTINCT storefront_id), array_agg(DISTINCT order_id)) FROM fo_changed;
  RETURN NULL;
END
$$;
CREATE TRIGGER fulfillment_order_lines_derive_ins AFTER INSERT ON fulfillment_order_lines
  REFERENCING NEW TABLE AS fo_changed FOR EACH STATEMENT EXECUTE FUNCTION gm_fulfillment_lines_changed();
CREATE TRIGGER fulfillment_order_lines_derive_upd AFTER UPDATE ON fulfillment_order_lines
  REFERENCING NEW TABLE AS fo_changed FOR EACH STATEMENT EXECUTE FUNCTION gm_fulfillment_lines_changed();
CREATE TRIGGER fulfillment_orders_derive_upd AFTER UPDATE ON fulfillment_orders
  REFERENCING NEW TABLE AS fo_changed FOR EACH STATEMENT EXECUTE FUNCTION gm_fulfillment_lines_changed();
REVOKE ALL ON FUNCTION gm_fulfillment_lines_changed() FROM PUBLIC, guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Checkout. The shopper's scope reads its cart and the storefront's prices under RLS; what
-- it may not read (the catalog: who supplies, from where, at what wholesale, which
-- warehouse holds how much) and what it may not write (stock, orders, fulfilment orders,
-- deliveries) goes through these functions, which first check that the caller sees the
-- cart exactly as the carts policy would.

-- Per cart line: the variant's supplier, SKU, price floor, wholesale to the seller at the
-- line's quantity, and how the supplier can drop-ship it.
CREATE FUNCTION gm_checkout_sources(p_cart uuid)
RETURNS TABLE (listing_variant_id uuid, listing_title text, listing_status text, variant_id uuid, supplier_id uuid,
               supplier_name text, offer_title text, sku text, floor bigint, wholesale bigint, tier_quantities integer[],
               tier_prices bigint[], discount_bps integer, ships_direct boolean,
               from_latitude double precision, from_longitude double precision, from_region text, ships_to text[],
               lead_days integer, availability text, available_quantity integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- The cart's lines first (a handful of rows), then one lookup per line. The seller's
  -- unit cost at the line's quantity (tier, agreement discount) is computed by the caller
  -- (federation.EffectiveWholesale) from the prices returned here.
  RETURN QUERY
  WITH cl AS MATERIALIZED (
    SELECT x.storefront_id, x.listing_variant_id, c.member_id
    FROM carts c JOIN cart_lines x ON x.storefront_id = c.storefront_id AND x.cart_id = c.id
    WHERE c.storefront_id = app_storefront() AND c.id = p_cart AND c.consortium_id = app_consortium()
      AND gm_cart_visible(c.customer_id, c.id)
  )
  SELECT cl.listing_variant_id, l.title, lv.status, v.id, v.supplier_id, coalesce(nullif(sp.display_name, ''), m.legal_name), o.title, v.sku,
         v.minimum_resale_price, v.wholesale_price,
         ARRAY(SELECT t.min_quantity FROM variant_price_tiers t WHERE t.consortium_id = v.consortium_id AND t.variant_id = v.id ORDER BY t.min_quantity),
         ARRAY(SELECT t.price FROM variant_price_tiers t WHERE t.consortium_id = v.consortium_id AND t.variant_id = v.id ORDER BY t.min_quantity),
         coalesce(a.discount_bps, 0),
         v.ships_direct, v.ship_from_latitude, v.ship_from_longitude, v.ship_from_region, v.ships_to_regions,
         v.direct_lead_time_days + CASE WHEN v.availability = 'MADE_TO_ORDER' THEN v.made_to_order_days ELSE 0 END,
         v.availability, v.available_quantity
  FROM cl
  JOIN listing_variants lv ON lv.storefront_id = cl.storefront_id AND lv.id = cl.listing_variant_id
  JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
  JOIN offer_variants v ON v.consortium_id = lv.consortium_id AND v.id = lv.variant_id
  JOIN offers o ON o.consortium_id = v.consortium_id AND o.id = v.offer_id
  JOIN members m ON m.consortium_id = v.consortium_id AND m.id = v.supplier_id
  LEFT JOIN supplier_profiles sp ON sp.consortium_id = v.consortium_id AND sp.member_id = v.supplier_id
  LEFT JOIN sourcing_agreements a ON a.consortium_id = v.consortium_id AND a.supplier_id = v.supplier_id
                                 AND a.seller_id = cl.member_id AND a.status = 'APPROVED';
END
$$;

-- The supplier's price floor of listing variants of the caller's storefront: a customer
-- group's quantity discount never takes a price under it (federation.TierUnitPrice).
CREATE FUNCTION gm_listing_floors(p_ids uuid[]) RETURNS TABLE (listing_variant_id uuid, floor bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  SELECT lv.id, v.minimum_resale_price
  FROM listing_variants lv JOIN offer_variants v ON v.consortium_id = lv.consortium_id AND v.id = lv.variant_id
  WHERE lv.storefront_id = app_storefront() AND lv.consortium_id = app_consortium() AND lv.id = ANY (p_ids)
    AND v.minimum_resale_price IS NOT NULL;
END
$$;
REVOKE ALL ON FUNCTION gm_listing_floors(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_listing_floors(uuid[]) TO guildmart_app;

-- Warehouse stock serving p_region for the cart's variants, available units only.
CREATE FUNCTION gm_checkout_stock(p_cart uuid, p_region text)
RETURNS TABLE (warehouse_id uuid, name text, latitude double precision, longitude double precision,
               regions_served text[], handling_days integer, variant_id uuid, available integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  WITH cl AS MATERIALIZED (
    SELECT lv.consortium_id, lv.variant_id
    FROM carts c
    JOIN cart_lines x ON x.storefront_id = c.storefront_id AND x.cart_id = c.id
    JOIN listing_variants lv ON lv.storefront_id = x.storefront_id AND lv.id = x.listing_variant_id
    WHERE c.storefront_id = app_storefront() AND c.id = p_cart AND c.consortium_id = app_consortium()
      AND gm_cart_visible(c.customer_id, c.id)
  )
  SELECT w.id, w.name, w.latitude, w.longitude, w.regions_served, w.handling_days, s.variant_id, s.on_hand - s.reserved
  FROM cl
  JOIN warehouse_stock s ON s.consortium_id = cl.consortium_id AND s.variant_id = cl.variant_id AND s.on_hand > s.reserved
  JOIN warehouses w ON w.consortium_id = s.consortium_id AND w.id = s.warehouse_id AND w.status = 'ACTIVE'
  WHERE gm_region_served(w.regions_served, p_region);
END
$$;

-- Reserves warehouse stock for items [{warehouse_id, variant_id, quantity}]: locks the
-- rows in (warehouse_id, variant_id) order, so concurrent reservations cannot deadlock,
-- then takes each quantity only where that much is still available. With p_all, any
-- shortfall raises GMS01 (the caller's transaction is then rolled back); without, it
-- reserves what it can and returns what it reserved. A RESERVATION movement per row.
CREATE FUNCTION gm_stock_reserve(p_consortium uuid, p_items jsonb, p_all boolean, p_storefront uuid, p_order uuid, p_actor text)
RETURNS TABLE (warehouse_id uuid, variant_id uuid, quantity integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_need integer;
  v_got integer;
BEGIN
  IF p_consortium IS DISTINCT FROM app_consortium() THEN
    RAISE EXCEPTION 'stock of another consortium' USING ERRCODE = '42501';
  END IF;
  PERFORM 1 FROM warehouse_stock s
  WHERE s.consortium_id = p_consortium
    AND (s.warehouse_id, s.variant_id) IN (SELECT (x->>'warehouse_id')::uuid, (x->>'variant_id')::uuid FROM jsonb_array_elements(p_items) x)
  ORDER BY s.warehouse_id, s.variant_id
  FOR UPDATE;
  RETURN QUERY
  WITH need AS (
    SELECT (x->>'warehouse_id')::uuid AS w, (x->>'variant_id')::uuid AS v, sum((x->>'quantity')::integer)::integer AS q
    FROM jsonb_array_elements(p_items) x GROUP BY 1, 2
  ), upd AS (
    UPDATE warehouse_stock s SET reserved = s.reserved + need.q, updated_at = now()
    FROM need
    WHERE s.consortium_id = p_consortium AND s.warehouse_id = need.w AND s.variant_id = need.v AND s.on_hand - s.reserved >= need.q
    RETURNING s.warehouse_id, s.variant_id, s.supplier_id, need.q
  ), mv AS (
    INSERT INTO stock_movements (consortium_id, warehouse_id, variant_id, supplier_id, kind, reserved_delta, storefront_id, order_id, actor)
    SELECT p_consortium, upd.warehouse_id, upd.variant_id, upd.supplier_id, 'RESERVATION', upd.q, p_storefront, p_order, p_actor FROM upd
  )
  SELECT upd.warehouse_id, upd.variant_id, upd.q FROM upd;
  GET DIAGNOSTICS v_got = ROW_COUNT;
  IF p_all THEN
    SELECT count(DISTINCT (x->>'warehouse_id', x->>'variant_id')) INTO v_need FROM jsonb_array_elements(p_items) x;
    IF v_got < v_need THEN
      RAISE EXCEPTION 'not enough stock' USING ERRCODE = 'GMS01';
    END IF;
  END IF;
END
$$;
-- The application calls it directly only to reroute (system scope); checkout through
-- gm_checkout_place.
REVOKE ALL ON FUNCTION gm_stock_reserve(uuid, jsonb, boolean, uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_stock_reserve(uuid, jsonb, boolean, uuid, uuid, text) TO guildmart_app;

-- Who listens to a checkout's events: the seller's endpoints for order.created and the
-- endpoints of the cart's suppliers for fulfillment_order.created (ids only). The
-- application picks the deliveries from the routing, so their jobs can be enqueued before
-- the order is placed, in the same transaction.
CREATE FUNCTION gm_checkout_endpoints(p_cart uuid)
RETURNS TABLE (endpoint_id uuid, member_id uuid, event_type text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  RETURN QUERY
  WITH c AS MATERIALIZED (
    SELECT c.storefront_id, c.id, c.consortium_id, c.member_id FROM carts c
    WHERE c.storefront_id = app_storefront() AND c.id = p_cart AND c.consortium_id = app_consortium()
      AND gm_cart_visible(c.customer_id, c.id)
  ), ev AS (
    SELECT c.consortium_id, c.member_id AS member, 'order.created' AS type FROM c
    UNION
    SELECT c.consortium_id, v.supplier_id, 'fulfillment_order.created' FROM c
    JOIN cart_lines x ON x.storefront_id = c.storefront_id AND x.cart_id = c.id
    JOIN listing_variants lv ON lv.storefront_id = x.storefront_id AND lv.id = x.listing_variant_id
    JOIN offer_variants v ON v.consortium_id = lv.consortium_id AND v.id = lv.variant_id
  )
  SELECT e.id, e.member_id, ev.type FROM ev
  JOIN webhook_endpoints e ON e.consortium_id = ev.consortium_id AND e.member_id = ev.member
   AND e.status = 'ACTIVE' AND ev.type = ANY (e.events);
END
$$;

-- Places the order the application priced and routed (p: see fulfillment/checkout_place.go):
-- reserves stock (all or nothing), writes the lines, their routing, the fulfilment
-- orders and their lines and the webhook deliveries the application chose (their jobs
-- are enqueued already), closes the cart, and last takes the storefront's next number
-- and writes the order row. Locks are taken in one order by every checkout: stock rows
-- (sorted), then the storefront's counter, which is held only from here to the commit
-- that follows in the same round trip.
CREATE FUNCTION gm_checkout_place(p jsonb) RETURNS TABLE (number bigint, created_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c carts%ROWTYPE;
  v_order uuid := (p->>'order_id')::uuid;
  v_number bigint;
  v_items jsonb;
BEGIN
  SELECT * INTO c FROM carts
  WHERE storefront_id = app_storefront() AND id = (p->>'cart_id')::uuid AND consortium_id = app_consortium()
    AND gm_cart_visible(customer_id, id)
  FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'cart not found' USING ERRCODE = 'GMC01';
  END IF;
  IF c.status <> 'OPEN' THEN
    RAISE EXCEPTION 'cart already checked out' USING ERRCODE = 'GMC02';
  END IF;

  SELECT coalesce(jsonb_agg(x), '[]') INTO v_items FROM jsonb_array_elements(p->'lines') x WHERE x->>'route_kind' = 'WAREHOUSE';
  IF jsonb_array_length(v_items) > 0 THEN
    PERFORM 1 FROM gm_stock_reserve(c.consortium_id, v_items, true, c.storefront_id, v_order, p->>'actor');
  END IF;

  PERFORM set_config('gm.placing_order', 'on', true);
  INSERT INTO order_lines (storefront_id, id, order_id, consortium_id, member_id, position, listing_variant_id, title, options,
                           quantity, unit_price, currency)
  SELECT c.storefront_id, x.id, v_order, c.consortium_id, c.member_id, x.position, x.listing_variant_id, x.title, x.options,
         x.quantity, x.unit_price, c.currency
  FROM jsonb_to_recordset(p->'lines') AS x (id uuid, position integer, listing_variant_id uuid, title text, options jsonb,
                                            quantity integer, unit_price bigint);

  INSERT INTO order_line_routing (storefront_id, order_line_id, order_id, consortium_id, member_id, variant_id, supplier_id, sku,
                                  kind, warehouse_id, reason, distance_km, days)
  SELECT c.storefront_id, x.id, v_order, c.consortium_id, c.member_id, x.variant_id, x.supplier_id, x.sku,
         x.route_kind, x.warehouse_id, x.reason, x.distance_km, x.days
  FROM jsonb_to_recordset(p->'lines') AS x (id uuid, variant_id uuid, supplier_id uuid, sku text, route_kind text,
                                            warehouse_id uuid, reason text, distance_km integer, days integer);

  INSERT INTO fulfillment_orders (storefront_id, id, consortium_id, member_id, order_id, kind, warehouse_id, supplier_id, reference,
                                  storefront_name, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_region,
                                  ship_country, ship_latitude, ship_longitude, currency, sla_due_at)
  SELECT c.storefront_id, f.id, c.consortium_id, c.member_id, v_order, f.kind, f.warehouse_id, f.supplier_id, f.reference,
         p->>'storefront_name', s.name, s.line1, s.line2, s.city, s.postal_code, s.region, s.country, s.latitude, s.longitude,
         c.currency,
         CASE WHEN f.kind = 'SUPPLIER' THEN now() + make_interval(hours => coalesce(st.sla_hours, (p->>'sla_hours')::integer)) END
  FROM jsonb_to_recordset(p->'fos') AS f (id uuid, kind text, warehouse_id uuid, supplier_id uuid, reference text)
  CROSS JOIN jsonb_to_record(p->'ship') AS s (name text, line1 text, line2 text, city text, postal_code text, region text,
                                              country text, latitude double precision, longitude double precision)
  LEFT JOIN supplier_fulfillment_settings st ON st.consortium_id = c.consortium_id AND st.member_id = f.supplier_id;

  INSERT INTO fulfillment_order_lines (storefront_id, id, fulfillment_order_id, consortium_id, member_id, kind, warehouse_id,
                                       supplier_id, order_id, order_line_id, variant_id, sku, title, quantity, unit_cost,
                                       currency, ship_region)
  SELECT c.storefront_id, x.fo_line_id, x.fo_id, c.consortium_id, c.member_id, x.route_kind, x.warehouse_id, x.supplier_id, v_order,
         x.id, x.variant_id, x.sku, x.offer_title, x.quantity, x.unit_cost, c.currency, p->>'destination_region'
  FROM jsonb_to_recordset(p->'lines') AS x (id uuid, fo_line_id uuid, fo_id uuid, route_kind text, warehouse_id uuid,
                                            supplier_id uuid, variant_id uuid, sku text, offer_title text, quantity integer,
                                            unit_cost bigint);
  PERFORM set_config('gm.placing_order', '', true);

  -- Suppliers' deliveries carry their fulfilment order as the supplier may see it (the
  -- application built the payload; the deadline is the database's).
  -- (Lookups by key per delivery: a join here could be planned, and cached, as a scan of
  -- the storefront's every fulfilment order.)
  INSERT INTO webhook_deliveries (consortium_id, id, endpoint_id, member_id, event_type, payload)
  SELECT c.consortium_id, d.id, d.endpoint_id, d.member_id, d.event_type,
         d.payload || (SELECT jsonb_build_object('slaDueAt', f.sla_due_at, 'createdAt', f.created_at)
                       FROM fulfillment_orders f WHERE f.storefront_id = c.storefront_id AND f.id = d.fo_id)
  FROM jsonb_to_recordset(p->'deliveries') AS d (id uuid, endpoint_id uuid, member_id uuid, event_type text, fo_id uuid, payload jsonb)
  WHERE d.fo_id IS NOT NULL;

  UPDATE carts SET status = 'COMPLETED', order_id = v_order, updated_at = now()
  WHERE storefront_id = c.storefront_id AND id = c.id;

  -- Last: the number (held until the commit right after) and the order row.
  INSERT INTO order_counters AS oc (storefront_id, consortium_id, member_id, last_number)
  VALUES (c.storefront_id, c.consortium_id, c.member_id, 1001)
  ON CONFLICT (storefront_id) DO UPDATE SET last_number = oc.last_number + 1
  RETURNING oc.last_number INTO v_number;

  INSERT INTO orders (storefront_id, id, consortium_id, member_id, number, cart_id, customer_id, email, currency, subtotal,
                      routing_policy, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_region, ship_country,
                      ship_latitude, ship_longitude)
  SELECT c.storefront_id, v_order, c.consortium_id, c.member_id, v_number, c.id, c.customer_id, p->>'email', c.currency,
         (p->>'subtotal')::bigint, p->>'routing_policy', s.name, s.line1, s.line2, s.city, s.postal_code, s.region, s.country,
         s.latitude, s.longitude
  FROM jsonb_to_record(p->'ship') AS s (name text, line1 text, line2 text, city text, postal_code text, region text,
                                        country text, latitude double precision, longitude double precision);

  -- The seller's deliveries carry the order, number included.
  INSERT INTO webhook_deliveries (consortium_id, id, endpoint_id, member_id, event_type, payload)
  SELECT c.consortium_id, d.id, d.endpoint_id, d.member_id, d.event_type,
         d.payload || jsonb_build_object('number', v_number, 'name', '#' || v_number, 'createdAt', now())
  FROM jsonb_to_recordset(p->'deliveries') AS d (id uuid, endpoint_id uuid, member_id uuid, event_type text, fo_id uuid, payload jsonb)
  WHERE d.fo_id IS NULL;

  RETURN QUERY SELECT v_number, now();
END
$$;

REVOKE ALL ON FUNCTION gm_checkout_sources(uuid), gm_checkout_stock(uuid, text), gm_checkout_endpoints(uuid), gm_checkout_place(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_checkout_sources(uuid), gm_checkout_stock(uuid, text), gm_checkout_endpoints(uuid), gm_checkout_place(jsonb) TO guildmart_app;

-- The SLA job runs for every consortium: this returns only which supplier orders are
-- overdue, by consortium, for the job to act on in each consortium's system scope.
CREATE FUNCTION gm_fulfillment_overdue(p_limit integer)
RETURNS TABLE (consortium_id uuid, storefront_id uuid, fulfillment_order_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT f.consortium_id, f.storefront_id, f.id FROM fulfillment_orders f
  WHERE f.status = 'NEW' AND f.kind = 'SUPPLIER' AND f.sla_due_at < now()
  ORDER BY f.sla_due_at LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION gm_fulfillment_overdue(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_fulfillment_overdue(integer) TO guildmart_app;
