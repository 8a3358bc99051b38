-- Settlement follow-ups:
--   1. The ledger follows fulfilment by itself: whatever ships or cancels units (a
--      supplier, the operator's warehouse, the seller, the SLA job) syncs the order's
--      ledger in the same transaction (gm_fulfillment_derive calls gm_ledger_sync_order).
--   2. Returns of shipped units (gm_order_return): the returned share of every account of
--      the order-placed transaction is reversed (the supplier's on PAYABLE_DUE, since
--      shipping made it due), the invoice shrinks, and what the customer paid for them is
--      then owed back (refunded like cancellations).
--   3. Payouts pay what is still owed on a line (net of returns), and remember their
--      Stripe transfer (payout_transfers); when a return leaves a supplier paid more than
--      it earned, the difference is taken back from the line's transfers
--      (gm_reversals_due / gm_reversal_post → Stripe transfer reversals).

ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check
  CHECK (kind IN ('ORDER_PLACED', 'LINE_SHIPPED', 'LINE_CANCELLED', 'LINE_RETURNED', 'PAYMENT', 'PAYOUT', 'PAYOUT_REVERSAL', 'REFUND'));

-- ---------------------------------------------------------------------------------------
-- 1. Derived statuses, now also syncing the ledger of orders whose shipped or cancelled
-- quantities moved. Maintenance as the owner without a tenant (no app.consortium) leaves
-- the ledger alone; `guildmart ledger check` reports any line whose due payable differs
-- from what shipped.
CREATE OR REPLACE FUNCTION gm_fulfillment_derive(p_storefronts uuid[], p_orders uuid[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_moved uuid[];
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
    SELECT o.storefront_id, o.id, o.order_id, a.shipped, o.quantity - a.live AS cancelled,
           o.quantity_fulfilled AS was_shipped, o.quantity_cancelled AS was_cancelled,
           CASE WHEN a.live = 0 THEN 'CANCELLED'
                WHEN a.shipped = 0 THEN 'UNFULFILLED'
                WHEN a.shipped < a.live THEN 'PARTIALLY_FULFILLED'
                WHEN a.delivered = a.shipped THEN 'DELIVERED'
                ELSE 'FULFILLED' END AS status
    FROM order_lines o JOIN agg a ON a.storefront_id = o.storefront_id AND a.order_line_id = o.id
  ), upd AS (
    UPDATE order_lines o SET status = c.status, quantity_fulfilled = c.shipped, quantity_cancelled = c.cancelled
    FROM calc c
    WHERE o.storefront_id = c.storefront_id AND o.id = c.id
      AND (o.status, o.quantity_fulfilled, o.quantity_cancelled) IS DISTINCT FROM (c.status, c.shipped, c.cancelled)
    RETURNING c.order_id, (c.shipped, c.cancelled) IS DISTINCT FROM (c.was_shipped, c.was_cancelled) AS moved
  )
  SELECT array_agg(DISTINCT upd.order_id) FILTER (WHERE upd.moved) INTO v_moved FROM upd;

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

  IF v_moved IS NOT NULL AND app_consortium() IS NOT NULL THEN
    PERFORM gm_ledger_sync_order(x) FROM unnest(v_moved) AS x;
  END IF;
END
$$;
REVOKE ALL ON FUNCTION gm_fulfillment_derive(uuid[], uuid[]) FROM PUBLIC, guildmart_app;

-- ---------------------------------------------------------------------------------------
-- 2. Returns of shipped units.
ALTER TABLE order_lines ADD COLUMN quantity_returned integer NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD CONSTRAINT order_lines_returned_check CHECK (quantity_returned >= 0 AND quantity_returned <= quantity_fulfilled);

CREATE TABLE order_returns (
  storefront_id   uuid NOT NULL,
  id              uuid NOT NULL DEFAULT gen_random_uuid(),
  order_id        uuid NOT NULL,
  consortium_id   uuid NOT NULL,
  member_id       uuid NOT NULL, -- the seller
  idempotency_key text,
  reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
  lines           jsonb NOT NULL, -- [{"order_line_id": …, "quantity": …}]
  amount          bigint NOT NULL, -- retail taken off what the customer owes
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT order_returns_key UNIQUE (storefront_id, order_id, idempotency_key),
  FOREIGN KEY (storefront_id, order_id) REFERENCES orders (storefront_id, id)
);
ALTER TABLE order_returns ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_returns_read ON order_returns FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront())));
REVOKE INSERT, UPDATE, DELETE ON order_returns FROM guildmart_app;

-- Records a return of shipped units of an order (the seller or its storefront key):
-- p_lines is [{"order_line_id", "quantity"}]; each quantity must be positive and at most
-- what shipped and was not returned yet (GML05 otherwise, naming the line). Posts one
-- LINE_RETURNED transaction reversing the returned share of each placed account (the
-- supplier's on PAYABLE_DUE; the margin takes what truncation leaves, so a fully returned
-- line reverses exactly) and reduces the invoice. The same p_key returns the first
-- return (fresh = false).
CREATE FUNCTION gm_order_return(p_order uuid, p_lines jsonb, p_reason text, p_key text)
RETURNS TABLE (return_id uuid, amount bigint, fresh boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
  o orders%ROWTYPE;
  v_ret uuid := gen_random_uuid();
  v_tx uuid := gen_random_uuid();
  v_bad text;
  v_amt bigint;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium() FOR UPDATE;
  IF NOT FOUND OR NOT (app_role() = 'system' OR (app_role() = 'member' AND o.member_id = app_member()) OR
                       (app_role() = 'storefront' AND o.storefront_id = app_storefront())) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  IF p_key IS NOT NULL THEN
    RETURN QUERY SELECT r.id, r.amount, false FROM order_returns r
      WHERE r.storefront_id = o.storefront_id AND r.order_id = o.id AND r.idempotency_key = p_key;
    IF FOUND THEN
      RETURN;
    END IF;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS gm_return_req (order_line_id uuid, quantity integer) ON COMMIT DROP;
  TRUNCATE gm_return_req;
  INSERT INTO gm_return_req
  SELECT (x->>'order_line_id')::uuid, sum((x->>'quantity')::integer) FROM jsonb_array_elements(p_lines) AS x GROUP BY 1;

  SELECT string_agg(CASE WHEN ol.id IS NULL THEN 'line ' || r.order_line_id || ' is not a line of this order'
                         ELSE 'line ' || ol.position || ' (' || ol.title || '): ' ||
                              CASE WHEN r.quantity <= 0 THEN 'the quantity must be positive'
                                   ELSE (ol.quantity_fulfilled - ol.quantity_returned) || ' shipped unit(s) can still be returned, not ' || r.quantity END
                    END, '; ' ORDER BY ol.position)
  INTO v_bad
  FROM gm_return_req r
  LEFT JOIN order_lines ol ON ol.storefront_id = o.storefront_id AND ol.order_id = o.id AND ol.id = r.order_line_id
  WHERE ol.id IS NULL OR r.quantity <= 0 OR r.quantity > ol.quantity_fulfilled - ol.quantity_returned;
  IF v_bad IS NOT NULL OR NOT EXISTS (SELECT 1 FROM gm_return_req) THEN
    RAISE EXCEPTION '%', coalesce(v_bad, 'no lines to return') USING ERRCODE = 'GML05';
  END IF;

  UPDATE order_lines ol SET quantity_returned = ol.quantity_returned + r.quantity
  FROM gm_return_req r WHERE ol.storefront_id = o.storefront_id AND ol.id = r.order_line_id;

  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'LINE_RETURNED', 'return:' || v_ret, o.currency);
  WITH acct AS (
    SELECT e.order_line_id, e.party_kind, e.party_id,
           CASE WHEN e.account = 'PAYABLE' THEN 'PAYABLE_DUE' ELSE e.account END AS account,
           coalesce(sum(e.amount) FILTER (WHERE e.kind = 'ORDER_PLACED'), 0)::bigint AS placed,
           coalesce(sum(e.amount) FILTER (WHERE e.kind = 'LINE_RETURNED'), 0)::bigint AS reversed
    FROM ledger_entries e
    WHERE e.storefront_id = o.storefront_id AND e.order_id = o.id AND e.kind IN ('ORDER_PLACED', 'LINE_RETURNED')
      AND e.order_line_id IN (SELECT r.order_line_id FROM gm_return_req r)
    GROUP BY 1, 2, 3, 4
  ), d AS (
    SELECT a.order_line_id, a.party_kind, a.party_id, a.account,
           -(a.placed * ol.quantity_returned / ol.quantity) - a.reversed AS delta
    FROM acct a JOIN order_lines ol ON ol.storefront_id = o.storefront_id AND ol.id = a.order_line_id
    WHERE a.account <> 'MARGIN'
  ), rest AS (
    SELECT d.order_line_id, (-sum(d.delta))::bigint AS delta FROM d GROUP BY 1
  ), x AS (
    SELECT d.order_line_id, d.party_kind, d.party_id, d.account, d.delta FROM d WHERE d.delta <> 0
    UNION ALL
    SELECT rest.order_line_id, 'STOREFRONT', o.storefront_id, 'MARGIN', rest.delta FROM rest WHERE rest.delta <> 0
  ), ins AS (
    INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind,
                                party_kind, party_id, account, amount, currency)
    SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, x.order_line_id, 'LINE_RETURNED', x.party_kind,
           x.party_id, x.account, x.delta, o.currency FROM x
    RETURNING account, amount
  )
  SELECT coalesce(-sum(ins.amount) FILTER (WHERE ins.account = 'RECEIVABLE'), 0) INTO v_amt FROM ins;

  -- What the customer no longer owes comes off the invoice; what it already paid for the
  -- returned units is then owed back (gm_refund_quote).
  UPDATE invoices i SET amount = greatest(i.paid, i.amount - v_amt), updated_at = now(),
                        status = CASE WHEN i.paid >= i.amount - v_amt THEN 'PAID' ELSE 'OPEN' END
  WHERE i.storefront_id = o.storefront_id AND i.order_id = o.id AND v_amt > 0;

  INSERT INTO order_returns (storefront_id, id, order_id, consortium_id, member_id, idempotency_key, reason, lines, amount)
  SELECT o.storefront_id, v_ret, o.id, o.consortium_id, o.member_id, p_key, coalesce(p_reason, ''),
         jsonb_agg(jsonb_build_object('order_line_id', r.order_line_id, 'quantity', r.quantity)), v_amt
  FROM gm_return_req r;
  RETURN QUERY SELECT v_ret, v_amt, true;
END
$$;
REVOKE ALL ON FUNCTION gm_order_return(uuid, jsonb, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_order_return(uuid, jsonb, text, text) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- 3. Payouts net of returns, their transfers, and reversals.
CREATE TABLE payout_transfers (
  storefront_id uuid NOT NULL,
  entry_id      uuid NOT NULL, -- the LINE_SHIPPED PAYABLE_DUE credit this paid out
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL, -- the seller
  order_id      uuid NOT NULL,
  order_line_id uuid NOT NULL,
  supplier_id   uuid NOT NULL,
  transfer_id   text NOT NULL,
  amount        bigint NOT NULL CHECK (amount > 0),
  reversed      bigint NOT NULL DEFAULT 0,
  currency      char(3) NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, entry_id),
  CHECK (reversed >= 0 AND reversed <= amount)
);
CREATE INDEX payout_transfers_line_idx ON payout_transfers (storefront_id, order_id, order_line_id);
ALTER TABLE payout_transfers ENABLE ROW LEVEL SECURITY;
CREATE POLICY payout_transfers_read ON payout_transfers FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() IN ('system', 'operator') OR
    (app_role() = 'member' AND (member_id = app_member() OR supplier_id = app_member()))));
REVOKE INSERT, UPDATE, DELETE ON payout_transfers FROM guildmart_app;

-- What to pay out: each shipped payable not paid yet, capped by what the supplier is
-- still owed on that line (its PAYABLE_DUE balance: shipped, less paid out, less
-- returned), allocated to the line's unpaid payables oldest first.
DROP FUNCTION gm_payouts_due(integer);
CREATE FUNCTION gm_payouts_due(p_limit integer)
RETURNS TABLE (consortium_id uuid, storefront_id uuid, entry_id uuid, order_id uuid, supplier_id uuid, amount bigint,
               currency char(3), stripe_account_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH unpaid AS (
    SELECT e.consortium_id, e.storefront_id, e.id, e.seq, e.order_id, e.order_line_id, e.party_id, -e.amount AS amount,
           e.currency, a.stripe_account_id
    FROM ledger_entries e
    JOIN member_payout_accounts a ON a.consortium_id = e.consortium_id AND a.member_id = e.party_id
    WHERE app_role() = 'system' AND e.kind = 'LINE_SHIPPED' AND e.account = 'PAYABLE_DUE' AND e.party_kind = 'SUPPLIER' AND e.amount < 0
      AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.storefront_id = e.storefront_id AND t.event_key = 'payout:' || e.id)
  ), owed AS (
    SELECT u.*,
           (SELECT -sum(x.amount) FROM ledger_entries x
             WHERE x.storefront_id = u.storefront_id AND x.order_id = u.order_id AND x.order_line_id = u.order_line_id
               AND x.party_kind = 'SUPPLIER' AND x.party_id = u.party_id AND x.account = 'PAYABLE_DUE') AS owed,
           coalesce(sum(u.amount) OVER (PARTITION BY u.storefront_id, u.order_line_id, u.party_id ORDER BY u.seq
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM unpaid u
  )
  SELECT o.consortium_id, o.storefront_id, o.id, o.order_id, o.party_id, least(o.amount, o.owed - o.before)::bigint,
         o.currency, o.stripe_account_id
  FROM owed o
  WHERE least(o.amount, o.owed - o.before) > 0
  ORDER BY o.seq LIMIT p_limit
$$;

-- Records one payout of p_amount (at most the payable) made by Stripe transfer p_transfer:
-- supplier PAYABLE_DUE debited, the platform's CASH credited, once per payable.
DROP FUNCTION gm_payout_post(uuid, uuid, text);
CREATE FUNCTION gm_payout_post(p_storefront uuid, p_entry uuid, p_transfer text, p_amount bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  e ledger_entries%ROWTYPE;
  v_tx uuid := gen_random_uuid();
BEGIN
  IF app_role() IS DISTINCT FROM 'system' THEN
    RAISE EXCEPTION 'payouts are posted by the system' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO e FROM ledger_entries WHERE storefront_id = p_storefront AND id = p_entry AND account = 'PAYABLE_DUE' AND amount < 0;
  IF NOT FOUND OR p_amount <= 0 OR p_amount > -e.amount THEN
    RAISE EXCEPTION 'no such payable' USING ERRCODE = 'GML03';
  END IF;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (e.storefront_id, v_tx, e.consortium_id, e.member_id, e.order_id, 'PAYOUT', 'payout:' || e.id, e.currency)
  ON CONFLICT ON CONSTRAINT ledger_transactions_event_key DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind, party_kind, party_id, account, amount, currency)
  SELECT e.storefront_id, v_tx, e.consortium_id, e.member_id, e.order_id, e.order_line_id, 'PAYOUT', x.pk, x.pid, x.acct, x.amt, e.currency
  FROM (VALUES ('SUPPLIER', e.party_id, 'PAYABLE_DUE', p_amount), ('CONSORTIUM', e.consortium_id, 'CASH', -p_amount)) AS x (pk, pid, acct, amt);
  INSERT INTO payout_transfers (storefront_id, entry_id, consortium_id, member_id, order_id, order_line_id, supplier_id, transfer_id, amount, currency)
  VALUES (e.storefront_id, e.id, e.consortium_id, e.member_id, e.order_id, e.order_line_id, e.party_id, p_transfer, p_amount, e.currency);
  RETURN true;
END
$$;

-- What to take back: where a supplier's PAYABLE_DUE on a line is a debit (it was paid
-- more than the units it still ships are worth, after a return), that much from the
-- line's transfers, newest first. p_order limits it to one order (NULL: every order with
-- a return, across consortia, for the payout job).
CREATE FUNCTION gm_reversals_due(p_order uuid)
RETURNS TABLE (consortium_id uuid, storefront_id uuid, entry_id uuid, order_id uuid, supplier_id uuid, transfer_id text,
               amount bigint, reversed bigint, currency char(3))
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH lines AS (
    SELECT DISTINCT p.storefront_id, p.order_id, p.order_line_id, p.supplier_id
    FROM payout_transfers p
    WHERE app_role() = 'system' AND p.amount > p.reversed
      AND (p.order_id = p_order OR (p_order IS NULL AND EXISTS (
            SELECT 1 FROM order_returns r WHERE r.storefront_id = p.storefront_id AND r.order_id = p.order_id)))
  ), over AS (
    SELECT l.*, (SELECT sum(x.amount) FROM ledger_entries x
                  WHERE x.storefront_id = l.storefront_id AND x.order_id = l.order_id AND x.order_line_id = l.order_line_id
                    AND x.party_kind = 'SUPPLIER' AND x.party_id = l.supplier_id AND x.account = 'PAYABLE_DUE') AS over
    FROM lines l
  ), t AS (
    SELECT p.*, o.over,
           coalesce(sum(p.amount - p.reversed) OVER (PARTITION BY p.storefront_id, p.order_line_id, p.supplier_id
                                                     ORDER BY p.created_at DESC, p.entry_id
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM payout_transfers p
    JOIN over o ON o.storefront_id = p.storefront_id AND o.order_line_id = p.order_line_id AND o.supplier_id = p.supplier_id
    WHERE o.over > 0 AND p.amount > p.reversed
  )
  SELECT t.consortium_id, t.storefront_id, t.entry_id, t.order_id, t.supplier_id, t.transfer_id,
         least(t.amount - t.reversed, t.over - t.before)::bigint, t.reversed, t.currency
  FROM t WHERE least(t.amount - t.reversed, t.over - t.before) > 0
  ORDER BY t.created_at DESC
$$;

-- Records a transfer reversal of p_amount on the payout of p_entry (Stripe reversal
-- p_reversal): supplier PAYABLE_DUE credited, the platform's CASH debited. Once per
-- reversal id.
CREATE FUNCTION gm_reversal_post(p_storefront uuid, p_entry uuid, p_reversal text, p_amount bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  p payout_transfers%ROWTYPE;
  v_tx uuid := gen_random_uuid();
BEGIN
  IF app_role() IS DISTINCT FROM 'system' THEN
    RAISE EXCEPTION 'reversals are posted by the system' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO p FROM payout_transfers WHERE storefront_id = p_storefront AND entry_id = p_entry FOR UPDATE;
  IF NOT FOUND OR p_amount <= 0 OR p_amount > p.amount - p.reversed THEN
    RAISE EXCEPTION 'no such transfer to reverse' USING ERRCODE = 'GML03';
  END IF;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (p.storefront_id, v_tx, p.consortium_id, p.member_id, p.order_id, 'PAYOUT_REVERSAL', 'reversal:' || p_reversal, p.currency)
  ON CONFLICT ON CONSTRAINT ledger_transactions_event_key DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind, party_kind, party_id, account, amount, currency)
  SELECT p.storefront_id, v_tx, p.consortium_id, p.member_id, p.order_id, p.order_line_id, 'PAYOUT_REVERSAL', x.pk, x.pid, x.acct, x.amt, p.currency
  FROM (VALUES ('SUPPLIER', p.supplier_id, 'PAYABLE_DUE', -p_amount), ('CONSORTIUM', p.consortium_id, 'CASH', p_amount)) AS x (pk, pid, acct, amt);
  UPDATE payout_transfers SET reversed = reversed + p_amount, updated_at = now() WHERE storefront_id = p.storefront_id AND entry_id = p.entry_id;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION gm_payouts_due(integer), gm_payout_post(uuid, uuid, text, bigint), gm_reversals_due(uuid),
  gm_reversal_post(uuid, uuid, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_payouts_due(integer), gm_payout_post(uuid, uuid, text, bigint), gm_reversals_due(uuid),
  gm_reversal_post(uuid, uuid, text, bigint) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- 4. Balances without hot rows. Every order of a storefront credits the same few
-- accounts (its margin, the consortium's fee, the supplier's payable): one balance row
-- each made concurrent checkouts wait on each other's commit. A balance is now the sum
-- of up to 64 slot rows, each connection writing its own slot (backend pid mod 64), so
-- checkouts on different connections do not touch the same row. Readers sum the slots.
ALTER TABLE ledger_balances ADD COLUMN slot smallint NOT NULL DEFAULT 0;
ALTER TABLE ledger_balances DROP CONSTRAINT ledger_balances_pkey;
ALTER TABLE ledger_balances ADD PRIMARY KEY (storefront_id, party_kind, party_id, account, currency, slot);

CREATE OR REPLACE FUNCTION gm_ledger_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_bad uuid;
BEGIN
  SELECT e.transaction_id INTO v_bad
  FROM ledger_entries e
  WHERE (e.storefront_id, e.transaction_id) IN (SELECT DISTINCT n.storefront_id, n.transaction_id FROM new_entries n)
  GROUP BY e.storefront_id, e.transaction_id
  HAVING sum(e.amount) <> 0 OR count(DISTINCT e.currency) > 1
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance: %', v_bad, (SELECT jsonb_agg(n) FROM new_entries n) USING ERRCODE = 'GML02';
  END IF;
  INSERT INTO ledger_balances AS b (storefront_id, party_kind, party_id, account, currency, slot, consortium_id, member_id, balance)
  SELECT n.storefront_id, n.party_kind, n.party_id, n.account, n.currency, pg_backend_pid() % 64, min(n.consortium_id::text)::uuid,
         min(n.member_id::text)::uuid, sum(n.amount)
  FROM new_entries n GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (storefront_id, party_kind, party_id, account, currency, slot)
  DO UPDATE SET balance = b.balance + excluded.balance, updated_at = now();
  RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------------------
-- 5. The order-placed posting moves inside the placement, before the storefront's order
-- number is taken. The number's row lock is held to the commit, so whatever runs after it
-- runs one checkout at a time per storefront; the posting used to (3–4 ms of ~15 entries,
-- measured with pg_stat_statements), which capped a storefront at ~200 orders/s however
-- many clients. gm_ledger_post_placed posts from an orders row value (the order row is
-- written last); gm_invoice_open opens the invoice once the row exists;
-- gm_ledger_post_order keeps doing both for an order already written.
CREATE FUNCTION gm_ledger_post_placed(o orders) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_tx uuid := gen_random_uuid();
  v_bps integer;
  v_basis text;
BEGIN
  IF o.id IS NULL OR o.consortium_id IS DISTINCT FROM app_consortium() OR NOT gm_ledger_may_post(o.storefront_id, o.id, o.consortium_id, o.member_id) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'ORDER_PLACED', 'order_placed:' || o.id, o.currency)
  ON CONFLICT ON CONSTRAINT ledger_transactions_event_key DO NOTHING;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT fee_bps, fee_basis INTO v_bps, v_basis FROM consortia WHERE id = o.consortium_id;

  WITH l AS (
    SELECT ol.id, ol.position, ol.unit_price * ol.quantity AS retail,
           sum(fl.unit_cost * fl.quantity)::bigint AS wholesale, (array_agg(fl.supplier_id))[1] AS supplier
    FROM order_lines ol
    JOIN fulfillment_order_lines fl ON fl.storefront_id = ol.storefront_id AND fl.order_id = ol.order_id AND fl.order_line_id = ol.id
    WHERE ol.storefront_id = o.storefront_id AND ol.order_id = o.id
    GROUP BY ol.id, ol.position, ol.unit_price, ol.quantity
  ), b AS (
    SELECT l.*, (CASE WHEN v_basis = 'RETAIL' THEN l.retail ELSE l.wholesale END) * v_bps AS raw FROM l
  ), f AS MATERIALIZED (
    SELECT b.id, b.retail, b.wholesale, b.supplier, b.raw / 10000 AS fee_floor,
           row_number() OVER (ORDER BY b.raw % 10000 DESC, b.position) AS rnk,
           div(sum(b.raw) OVER () + 5000, 10000) - sum(b.raw / 10000) OVER () AS leftover
    FROM b
  ), m AS MATERIALIZED (
    SELECT f.id, f.retail::bigint AS retail, f.wholesale::bigint AS wholesale, f.supplier,
           (f.fee_floor + CASE WHEN f.rnk <= f.leftover THEN 1 ELSE 0 END)::bigint AS fee
    FROM f
  ), r AS MATERIALIZED (
    SELECT m.*, CASE WHEN m.retail - m.wholesale - m.fee > 0 AND rf.share_bps IS NOT NULL
                     THEN (m.retail - m.wholesale - m.fee) * rf.share_bps / 10000 ELSE 0 END AS referral,
           rf.referrer_id
    FROM m LEFT JOIN storefront_referrals rf ON rf.storefront_id = o.storefront_id
  )
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind,
                              party_kind, party_id, account, amount, currency)
  SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, r.id, 'ORDER_PLACED', e.pk, e.pid, e.acct, e.amt, o.currency
  FROM r CROSS JOIN LATERAL (VALUES
    ('CUSTOMER', coalesce(o.customer_id, o.id), 'RECEIVABLE', r.retail),
    ('SUPPLIER', r.supplier, 'PAYABLE', -r.wholesale),
    ('CONSORTIUM', o.consortium_id, 'FEE_REVENUE', -r.fee),
    ('REFERRER', r.referrer_id, 'REFERRAL', -r.referral),
    ('STOREFRONT', o.storefront_id, 'MARGIN', -(r.retail - r.wholesale - r.fee - r.referral))
  ) AS e (pk, pid, acct, amt)
  WHERE e.amt <> 0;

  RETURN v_tx;
END
$$;


CREATE FUNCTION gm_invoice_open(o orders) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_terms integer;
BEGIN
  SELECT g.payment_terms_days INTO v_terms
  FROM customers c JOIN customer_groups g ON g.storefront_id = c.storefront_id AND g.id = c.customer_group_id
  WHERE c.storefront_id = o.storefront_id AND c.id = o.customer_id;
  INSERT INTO invoices (storefront_id, order_id, consortium_id, member_id, customer_id, amount, paid, currency, due_at, status)
  VALUES (o.storefront_id, o.id, o.consortium_id, o.member_id, o.customer_id, o.subtotal, 0, o.currency,
          o.created_at + make_interval(days => coalesce(v_terms, 0)), CASE WHEN o.subtotal = 0 THEN 'PAID' ELSE 'OPEN' END)
  ON CONFLICT DO NOTHING;
END
$$;

CREATE OR REPLACE FUNCTION gm_ledger_post_order(p_order uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
  v_tx uuid;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  v_tx := gm_ledger_post_placed(o);
  PERFORM gm_invoice_open(o);
  RETURN v_tx;
END
$$;

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

  -- The settlement ledger's order-placed transaction, before the number: it writes ~15
  -- entries, and everything after the number is held up to the commit by every other
  -- checkout of the storefront. The order row is not written yet: the posting reads it
  -- from o.
  o.storefront_id := c.storefront_id; o.id := v_order; o.consortium_id := c.consortium_id; o.member_id := c.member_id;
  o.customer_id := c.customer_id; o.currency := c.currency; o.subtotal := (p->>'subtotal')::bigint; o.created_at := now();
  PERFORM gm_ledger_post_placed(o);

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

REVOKE ALL ON FUNCTION gm_ledger_post_placed(orders), gm_invoice_open(orders) FROM PUBLIC, guildmart_app;
