-- Checkout throughput (issue 6). Measured with pg_stat_statements and perf on the
-- checkout benchmark (fulfillment/bench_test.go, 8 clients, one storefront): one client
-- placed as many orders per second as eight, because concurrent checkouts queued on two
-- locks held to the commit — the storefront's order counter row and the warehouse stock
-- rows reserved at the start of the placement — and the waiting (context switches on two
-- oversubscribed cores) cost more CPU than the work. So:
--   1. Order numbers come from a sequence per storefront instead of a counter row: no
--      checkout waits for another's commit to get its number.
--   2. The placement reserves stock last, just before the number, so a reserved stock
--      row is held for the shortest time (was: for the whole placement).
--   3. The lines, routing, fulfilment orders and their lines, the suppliers' deliveries
--      and the cart's closing are one statement (writable CTEs) instead of six: one
--      executor start and one round of trigger firing instead of six.

-- ---------------------------------------------------------------------------------------
-- 1. Order numbers. A storefront's numbers still start at 1001 and go up by one; they are
-- taken as the placement's last step before the order row and the commit, so a number is
-- skipped only when a checkout fails in that last step (the order row's own constraints,
-- or the commit itself) — never for a shopper's mistake, a price change or a stock
-- shortage, which are all found before. The sequence belongs to the owner; the
-- application reaches it only through gm_checkout_place.
CREATE FUNCTION gm_order_sequence(p_storefront uuid) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'order_numbers_' || replace(p_storefront::text, '-', '')
$$;

CREATE FUNCTION gm_storefront_created() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS public.%I START WITH 1001', gm_order_sequence(NEW.id));
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION gm_storefront_created() FROM PUBLIC, guildmart_app;
CREATE TRIGGER storefronts_order_sequence AFTER INSERT ON storefronts
  FOR EACH ROW EXECUTE FUNCTION gm_storefront_created();

-- Storefronts that exist go on from their counter.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT s.id, coalesce(c.last_number, 1000) + 1 AS next
           FROM storefronts s LEFT JOIN order_counters c ON c.storefront_id = s.id LOOP
    EXECUTE format('CREATE SEQUENCE public.%I START WITH %s', gm_order_sequence(r.id), r.next);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------
-- 2 and 3. The placement (the same contract as 009's; see fulfillment/checkout_place.go).
CREATE OR REPLACE FUNCTION gm_checkout_place(p jsonb) RETURNS TABLE (number bigint, created_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  c carts%ROWTYPE;
  o orders%ROWTYPE;
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

  -- Everything the order is made of, in one statement. Foreign keys between these rows
  -- are checked at its end, when all of them exist. The suppliers' deliveries carry their
  -- fulfilment order as the supplier may see it (the application built the payload; the
  -- deadline is the database's).
  PERFORM set_config('gm.placing_order', 'on', true);
  WITH ship AS (
    SELECT * FROM jsonb_to_record(p->'ship') AS s (name text, line1 text, line2 text, city text, postal_code text, region text,
                                                   country text, latitude double precision, longitude double precision)
  ), x AS (
    SELECT * FROM jsonb_to_recordset(p->'lines') AS x (id uuid, position integer, listing_variant_id uuid, title text,
      options jsonb, quantity integer, unit_price bigint, variant_id uuid, supplier_id uuid, sku text, route_kind text,
      warehouse_id uuid, reason text, distance_km integer, days integer, fo_line_id uuid, fo_id uuid, offer_title text,
      unit_cost bigint)
  ), ol AS (
    INSERT INTO order_lines (storefront_id, id, order_id, consortium_id, member_id, position, listing_variant_id, title, options,
                             quantity, unit_price, currency)
    SELECT c.storefront_id, x.id, v_order, c.consortium_id, c.member_id, x.position, x.listing_variant_id, x.title, x.options,
           x.quantity, x.unit_price, c.currency
    FROM x
  ), rt AS (
    INSERT INTO order_line_routing (storefront_id, order_line_id, order_id, consortium_id, member_id, variant_id, supplier_id, sku,
                                    kind, warehouse_id, reason, distance_km, days)
    SELECT c.storefront_id, x.id, v_order, c.consortium_id, c.member_id, x.variant_id, x.supplier_id, x.sku,
           x.route_kind, x.warehouse_id, x.reason, x.distance_km, x.days
    FROM x
  ), fo AS (
    INSERT INTO fulfillment_orders (storefront_id, id, consortium_id, member_id, order_id, kind, warehouse_id, supplier_id, reference,
                                    storefront_name, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_region,
                                    ship_country, ship_latitude, ship_longitude, currency, sla_due_at)
    SELECT c.storefront_id, f.id, c.consortium_id, c.member_id, v_order, f.kind, f.warehouse_id, f.supplier_id, f.reference,
           p->>'storefront_name', s.name, s.line1, s.line2, s.city, s.postal_code, s.region, s.country, s.latitude, s.longitude,
           c.currency,
           CASE WHEN f.kind = 'SUPPLIER' THEN now() + make_interval(hours => coalesce(st.sla_hours, (p->>'sla_hours')::integer)) END
    FROM jsonb_to_recordset(p->'fos') AS f (id uuid, kind text, warehouse_id uuid, supplier_id uuid, reference text)
    CROSS JOIN ship s
    LEFT JOIN supplier_fulfillment_settings st ON st.consortium_id = c.consortium_id AND st.member_id = f.supplier_id
    RETURNING fulfillment_orders.id, fulfillment_orders.sla_due_at, fulfillment_orders.created_at
  ), fl AS (
    INSERT INTO fulfillment_order_lines (storefront_id, id, fulfillment_order_id, consortium_id, member_id, kind, warehouse_id,
                                         supplier_id, order_id, order_line_id, variant_id, sku, title, quantity, unit_cost,
                                         currency, ship_region)
    SELECT c.storefront_id, x.fo_line_id, x.fo_id, c.consortium_id, c.member_id, x.route_kind, x.warehouse_id, x.supplier_id, v_order,
           x.id, x.variant_id, x.sku, x.offer_title, x.quantity, x.unit_cost, c.currency, p->>'destination_region'
    FROM x
  ), wd AS (
    INSERT INTO webhook_deliveries (consortium_id, id, endpoint_id, member_id, event_type, payload)
    SELECT c.consortium_id, d.id, d.endpoint_id, d.member_id, d.event_type,
           d.payload || jsonb_build_object('slaDueAt', fo.sla_due_at, 'createdAt', fo.created_at)
    FROM jsonb_to_recordset(p->'deliveries') AS d (id uuid, endpoint_id uuid, member_id uuid, event_type text, fo_id uuid, payload jsonb)
    JOIN fo ON fo.id = d.fo_id
  )
  UPDATE carts SET status = 'COMPLETED', order_id = v_order, updated_at = now()
  WHERE storefront_id = c.storefront_id AND id = c.id;
  PERFORM set_config('gm.placing_order', '', true);

  -- The settlement ledger's order-placed transaction. The order row is not written yet:
  -- the posting reads it from o.
  o.storefront_id := c.storefront_id; o.id := v_order; o.consortium_id := c.consortium_id; o.member_id := c.member_id;
  o.customer_id := c.customer_id; o.currency := c.currency; o.subtotal := (p->>'subtotal')::bigint; o.created_at := now();
  PERFORM gm_ledger_post_placed(o);

  -- Stock, all or nothing, held from here to the commit.
  SELECT coalesce(jsonb_agg(x), '[]') INTO v_items FROM jsonb_array_elements(p->'lines') x WHERE x->>'route_kind' = 'WAREHOUSE';
  IF jsonb_array_length(v_items) > 0 THEN
    PERFORM 1 FROM gm_stock_reserve(c.consortium_id, v_items, true, c.storefront_id, v_order, p->>'actor');
  END IF;

  -- Last: the number and the order row.
  v_number := nextval(gm_order_sequence(c.storefront_id));

  INSERT INTO orders (storefront_id, id, consortium_id, member_id, number, cart_id, customer_id, email, currency, subtotal,
                      routing_policy, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code, ship_region, ship_country,
                      ship_latitude, ship_longitude)
  SELECT c.storefront_id, v_order, c.consortium_id, c.member_id, v_number, c.id, c.customer_id, p->>'email', c.currency,
         (p->>'subtotal')::bigint, p->>'routing_policy', s.name, s.line1, s.line2, s.city, s.postal_code, s.region, s.country,
         s.latitude, s.longitude
  FROM jsonb_to_record(p->'ship') AS s (name text, line1 text, line2 text, city text, postal_code text, region text,
                                        country text, latitude double precision, longitude double precision);

  PERFORM gm_invoice_open(o);

  -- The seller's deliveries carry the order, number included.
  INSERT INTO webhook_deliveries (consortium_id, id, endpoint_id, member_id, event_type, payload)
  SELECT c.consortium_id, d.id, d.endpoint_id, d.member_id, d.event_type,
         d.payload || jsonb_build_object('number', v_number, 'name', '#' || v_number, 'createdAt', now())
  FROM jsonb_to_recordset(p->'deliveries') AS d (id uuid, endpoint_id uuid, member_id uuid, event_type text, fo_id uuid, payload jsonb)
  WHERE d.fo_id IS NULL;

  RETURN QUERY SELECT v_number, now();
END
$$;

-- The counter rows are history now.
DROP TABLE order_counters;

-- ---------------------------------------------------------------------------------------
-- 4. Plan once per connection. A fifth of the placement's CPU went to planning: PL/pgSQL
-- re-plans a statement for its parameter values whenever the generic plan looks dearer,
-- and row-level security and JSON arguments make it look dearer. Every statement of a
-- checkout looks rows up by key, where one plan fits all values; the functions below and
-- what they call (the ledger posting, the stock reservation, the triggers) keep theirs.
ALTER FUNCTION gm_checkout_place(jsonb) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION gm_checkout_sources(uuid) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION gm_checkout_stock(uuid, text) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION gm_checkout_endpoints(uuid) SET plan_cache_mode = force_generic_plan;
