-- Payments and the settlement ledger.
--
-- The ledger is double-entry and append-only. An account is (party_kind, party_id,
-- account); amounts are signed minor units: debits positive, credits negative. Every
-- transaction's entries sum to zero in one currency (checked by a statement trigger in
-- the statement that writes them) and nothing is ever updated or deleted: a correction is
-- a new transaction that reverses. Entries are written only by the SECURITY DEFINER
-- posting functions below, in the same database transaction as the business event.
--
-- Parties and accounts:
--   CUSTOMER   (customer id, or the order id for a guest)  RECEIVABLE
--   SUPPLIER   (member id)      PAYABLE (earned, not due), PAYABLE_DUE (shipped: to pay out)
--   CONSORTIUM (consortium id)  FEE_REVENUE, CASH (card payments held by the platform)
--   STOREFRONT (storefront id)  MARGIN, CASH (invoice payments the seller collected)
--   REFERRER   (member id)      REFERRAL
-- Visibility (RLS on the entries): a party reads its own accounts' entries; the seller
-- (member owning the storefront) and the storefront key read everything of their orders;
-- the operator reads only the consortium's accounts; a supplier never reads a receivable,
-- a margin or a retail price.

CREATE TABLE ledger_transactions (
  storefront_id uuid NOT NULL REFERENCES storefronts (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL, -- the seller
  order_id      uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('ORDER_PLACED', 'LINE_SHIPPED', 'LINE_CANCELLED', 'PAYMENT', 'PAYOUT', 'REFUND')),
  event_key     text, -- idempotency of one-off events (order placed, a payment)
  currency      char(3) NOT NULL REFERENCES currencies (code),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT ledger_transactions_event_key UNIQUE (storefront_id, event_key)
);
CREATE INDEX ledger_transactions_order_idx ON ledger_transactions (storefront_id, order_id);

CREATE TABLE ledger_entries (
  storefront_id  uuid NOT NULL,
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  seq            bigserial NOT NULL, -- posting order, the cursor of ledgerEntries
  transaction_id uuid NOT NULL,
  consortium_id  uuid NOT NULL,
  member_id      uuid NOT NULL, -- the seller
  order_id       uuid NOT NULL,
  order_line_id  uuid,
  kind           text NOT NULL,
  party_kind     text NOT NULL CHECK (party_kind IN ('CUSTOMER', 'SUPPLIER', 'CONSORTIUM', 'STOREFRONT', 'REFERRER')),
  party_id       uuid NOT NULL,
  account        text NOT NULL CHECK (account IN ('RECEIVABLE', 'PAYABLE', 'PAYABLE_DUE', 'FEE_REVENUE', 'CASH', 'MARGIN', 'REFERRAL')),
  amount         bigint NOT NULL CHECK (amount <> 0),
  currency       char(3) NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  FOREIGN KEY (storefront_id, transaction_id) REFERENCES ledger_transactions (storefront_id, id)
);
CREATE INDEX ledger_entries_tx_idx ON ledger_entries (storefront_id, transaction_id);
CREATE INDEX ledger_entries_line_idx ON ledger_entries (storefront_id, order_id, order_line_id);
CREATE INDEX ledger_entries_party_idx ON ledger_entries (consortium_id, party_kind, party_id, seq);
CREATE INDEX ledger_entries_seq_idx ON ledger_entries (consortium_id, seq);

-- Balances per storefront and account, kept by the trigger that writes entries; `guildmart
-- ledger check` recomputes them from the entries.
CREATE TABLE ledger_balances (
  storefront_id uuid NOT NULL,
  party_kind    text NOT NULL,
  party_id      uuid NOT NULL,
  account       text NOT NULL,
  currency      char(3) NOT NULL,
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  balance       bigint NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, party_kind, party_id, account, currency)
);
CREATE INDEX ledger_balances_party_idx ON ledger_balances (consortium_id, party_kind, party_id);

CREATE FUNCTION gm_ledger_visible(p_consortium uuid, p_storefront uuid, p_member uuid, p_party_kind text, p_party uuid)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p_consortium = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'operator' AND p_party_kind = 'CONSORTIUM') OR
    (app_role() = 'member' AND (p_member = app_member() OR (p_party_kind IN ('SUPPLIER', 'REFERRER') AND p_party = app_member()))) OR
    (app_role() = 'storefront' AND p_storefront = app_storefront()) OR
    (app_role() = 'customer' AND p_storefront = app_storefront() AND p_party_kind = 'CUSTOMER' AND p_party = app_customer()))
$$;

ALTER TABLE ledger_transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_balances ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_entries_read ON ledger_entries FOR SELECT
  USING (gm_ledger_visible(consortium_id, storefront_id, member_id, party_kind, party_id));
CREATE POLICY ledger_balances_read ON ledger_balances FOR SELECT
  USING (gm_ledger_visible(consortium_id, storefront_id, member_id, party_kind, party_id));
CREATE POLICY ledger_transactions_read ON ledger_transactions FOR SELECT
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM ledger_entries e WHERE e.storefront_id = ledger_transactions.storefront_id AND e.transaction_id = ledger_transactions.id));
REVOKE INSERT, UPDATE, DELETE ON ledger_transactions, ledger_entries, ledger_balances FROM guildmart_app;

-- Append-only, for the owner too.
CREATE FUNCTION gm_ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: post a reversing transaction' USING ERRCODE = 'GML01';
END
$$;
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION gm_ledger_immutable();
CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION gm_ledger_immutable();

-- Every statement that writes entries must leave each transaction it touches summing to
-- zero in one currency (posting functions write a transaction in one statement); it
-- also folds the entries into the balances.
CREATE FUNCTION gm_ledger_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
  INSERT INTO ledger_balances AS b (storefront_id, party_kind, party_id, account, currency, consortium_id, member_id, balance)
  SELECT n.storefront_id, n.party_kind, n.party_id, n.account, n.currency, min(n.consortium_id::text)::uuid,
         min(n.member_id::text)::uuid, sum(n.amount)
  FROM new_entries n GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (storefront_id, party_kind, party_id, account, currency)
  DO UPDATE SET balance = b.balance + excluded.balance, updated_at = now();
  RETURN NULL;
END
$$;
CREATE TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION gm_ledger_after_insert();

-- ---------------------------------------------------------------------------------------
-- Referral: a member who brought a storefront's customers gets share_bps of the
-- storefront's positive margin on each line.
CREATE TABLE storefront_referrals (
  storefront_id uuid PRIMARY KEY REFERENCES storefronts (id),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL, -- the seller
  referrer_id   uuid NOT NULL,
  share_bps     integer NOT NULL CHECK (share_bps BETWEEN 0 AND 10000),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (consortium_id, referrer_id) REFERENCES members (consortium_id, id)
);
ALTER TABLE storefront_referrals ENABLE ROW LEVEL SECURITY;
CREATE POLICY storefront_referrals_all ON storefront_referrals FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

-- ---------------------------------------------------------------------------------------
-- Payments: one invoice per order (what the customer owes, when), and the payments
-- against it (invoice payments recorded by the seller, card payments through Stripe).
CREATE TABLE invoices (
  storefront_id uuid NOT NULL,
  order_id      uuid NOT NULL,
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  customer_id   uuid,
  method        text NOT NULL DEFAULT 'INVOICE' CHECK (method IN ('INVOICE', 'CARD')),
  amount        bigint NOT NULL CHECK (amount >= 0),
  paid          bigint NOT NULL DEFAULT 0 CHECK (paid >= 0),
  currency      char(3) NOT NULL,
  due_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'PAID')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, order_id),
  FOREIGN KEY (storefront_id, order_id) REFERENCES orders (storefront_id, id),
  CHECK (paid <= amount),
  CHECK ((status = 'PAID') = (paid = amount))
);
CREATE INDEX invoices_due_idx ON invoices (consortium_id, member_id, due_at) WHERE status = 'OPEN';
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoices_read ON invoices FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront()) OR
    (app_role() = 'customer' AND storefront_id = app_storefront() AND customer_id = app_customer())));

CREATE TABLE payments (
  storefront_id            uuid NOT NULL,
  id                       uuid NOT NULL DEFAULT gen_random_uuid(),
  order_id                 uuid NOT NULL,
  consortium_id            uuid NOT NULL,
  member_id                uuid NOT NULL,
  method                   text NOT NULL CHECK (method IN ('INVOICE', 'CARD')),
  status                   text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  amount                   bigint NOT NULL CHECK (amount > 0),
  currency                 char(3) NOT NULL,
  stripe_payment_intent_id text,
  note                     text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  FOREIGN KEY (storefront_id, order_id) REFERENCES invoices (storefront_id, order_id)
);
CREATE INDEX payments_order_idx ON payments (storefront_id, order_id);
-- Stripe's ids are global; the tenant key leads so the index is enforceable per shard on Citus.
CREATE UNIQUE INDEX payments_intent_key ON payments (storefront_id, stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
CREATE INDEX payments_intent_idx ON payments (stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL;
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY payments_read ON payments FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront())));
REVOKE INSERT, UPDATE, DELETE ON invoices, payments FROM guildmart_app;

-- Stripe webhook events already handled (idempotency by event id).
CREATE TABLE stripe_events (
  id          text PRIMARY KEY,
  type        text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE stripe_events ENABLE ROW LEVEL SECURITY; -- no policy: only gm_stripe_event writes it
REVOKE INSERT, UPDATE, DELETE ON stripe_events FROM guildmart_app;

-- Members' Stripe connected accounts (payout destination).
CREATE TABLE member_payout_accounts (
  consortium_id     uuid NOT NULL,
  member_id         uuid NOT NULL,
  stripe_account_id text NOT NULL CHECK (stripe_account_id ~ '^acct_[A-Za-z0-9]+$'),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, member_id),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
ALTER TABLE member_payout_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY member_payout_accounts_all ON member_payout_accounts FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() IN ('system', 'operator') OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

-- ---------------------------------------------------------------------------------------
-- Posting. May the caller post for this order? Its storefront, its seller, the system,
-- or who ships one of its fulfilment orders (a supplier, the operator for a warehouse).
CREATE FUNCTION gm_ledger_may_post(p_storefront uuid, p_order uuid, p_consortium uuid, p_seller uuid)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p_consortium = app_consortium() AND (
    app_role() = 'system' OR
    (app_role() IN ('storefront', 'shopper', 'customer') AND p_storefront = app_storefront()) OR
    (app_role() = 'member' AND p_seller = app_member()) OR
    EXISTS (SELECT 1 FROM fulfillment_orders f WHERE f.storefront_id = p_storefront AND f.order_id = p_order
              AND ((app_role() = 'member' AND f.kind = 'SUPPLIER' AND f.supplier_id = app_member()) OR
                   (app_role() = 'operator' AND f.kind = 'WAREHOUSE'))))
$$;

-- The order-placed transaction: per line, the customer owes retail; the supplier earns
-- the effective wholesale; the consortium its fee (fee_bps of the retail or the wholesale
-- amount per the consortium's fee_basis, rounded half up on the order's total and spread
-- over the lines by largest remainder, ties by line position); a referrer share_bps of
-- the positive margin (rounded down); the storefront keeps the rest, which may be
-- negative when the fee exceeds the markup. Also opens the order's invoice, due after
-- the customer group's payment terms. Idempotent: returns NULL if already posted.
CREATE FUNCTION gm_ledger_post_order(p_order uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
  v_tx uuid := gen_random_uuid();
  v_bps integer;
  v_basis text;
  v_terms integer;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium();
  IF NOT FOUND OR NOT gm_ledger_may_post(o.storefront_id, o.id, o.consortium_id, o.member_id) THEN
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

  SELECT g.payment_terms_days INTO v_terms
  FROM customers c JOIN customer_groups g ON g.storefront_id = c.storefront_id AND g.id = c.customer_group_id
  WHERE c.storefront_id = o.storefront_id AND c.id = o.customer_id;
  INSERT INTO invoices (storefront_id, order_id, consortium_id, member_id, customer_id, amount, paid, currency, due_at, status)
  VALUES (o.storefront_id, o.id, o.consortium_id, o.member_id, o.customer_id, o.subtotal, 0, o.currency,
          o.created_at + make_interval(days => coalesce(v_terms, 0)), CASE WHEN o.subtotal = 0 THEN 'PAID' ELSE 'OPEN' END)
  ON CONFLICT DO NOTHING;
  RETURN v_tx;
END
$$;

-- Brings the order's ledger up to date with its fulfilment: shipped units make the
-- supplier's payable due (unit cost × quantity shipped), cancelled units reverse their
-- share of the order-placed entries (each account's amount × cancelled / quantity,
-- truncated; the storefront's margin takes what rounding leaves, so a fully cancelled
-- line reverses exactly). Idempotent and set-based: it posts only the difference between
-- what should be and what is, at most one LINE_SHIPPED and one LINE_CANCELLED transaction.
-- Returns how many transactions it posted.
CREATE FUNCTION gm_ledger_sync_order(p_order uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
  v_tx uuid;
  v_n integer := 0;
BEGIN
  -- The lock serializes syncs of one order, so two cannot post the same difference.
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium() FOR UPDATE;
  IF NOT FOUND OR NOT gm_ledger_may_post(o.storefront_id, o.id, o.consortium_id, o.member_id) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.storefront_id = o.storefront_id AND t.event_key = 'order_placed:' || o.id) THEN
    RETURN 0;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS gm_ledger_delta (order_line_id uuid, party_kind text, party_id uuid, account text, amount bigint) ON COMMIT DROP;
  TRUNCATE gm_ledger_delta;

  -- Shipped: payable becomes due.
  INSERT INTO gm_ledger_delta
  WITH target AS (
    SELECT fl.order_line_id, fl.supplier_id, sum(fl.quantity_shipped * fl.unit_cost)::bigint AS due
    FROM fulfillment_order_lines fl WHERE fl.storefront_id = o.storefront_id AND fl.order_id = o.id
    GROUP BY 1, 2
  ), done AS (
    SELECT e.order_line_id, e.party_id, (-sum(e.amount))::bigint AS due
    FROM ledger_entries e
    WHERE e.storefront_id = o.storefront_id AND e.order_id = o.id AND e.kind = 'LINE_SHIPPED' AND e.account = 'PAYABLE_DUE'
    GROUP BY 1, 2
  ), d AS (
    SELECT t.order_line_id, t.supplier_id, t.due - coalesce(done.due, 0) AS delta
    FROM target t LEFT JOIN done ON done.order_line_id = t.order_line_id AND done.party_id = t.supplier_id
  )
  SELECT d.order_line_id, 'SUPPLIER', d.supplier_id, x.acct, x.amt
  FROM d CROSS JOIN LATERAL (VALUES ('PAYABLE', d.delta), ('PAYABLE_DUE', -d.delta)) AS x (acct, amt)
  WHERE d.delta <> 0;
  IF FOUND THEN
    v_tx := gen_random_uuid();
    INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, currency)
    VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'LINE_SHIPPED', o.currency);
    INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind,
                                party_kind, party_id, account, amount, currency)
    SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, d.order_line_id, 'LINE_SHIPPED', d.party_kind,
           d.party_id, d.account, d.amount, o.currency FROM gm_ledger_delta d;
    v_n := v_n + 1;
    TRUNCATE gm_ledger_delta;
  END IF;

  -- Cancelled: reverse the cancelled share of each placed account.
  INSERT INTO gm_ledger_delta
  WITH acct AS (
    SELECT e.order_line_id, e.party_kind, e.party_id, e.account,
           (sum(e.amount) FILTER (WHERE e.kind = 'ORDER_PLACED'))::bigint AS placed,
           coalesce(sum(e.amount) FILTER (WHERE e.kind = 'LINE_CANCELLED'), 0)::bigint AS reversed
    FROM ledger_entries e
    WHERE e.storefront_id = o.storefront_id AND e.order_id = o.id AND e.kind IN ('ORDER_PLACED', 'LINE_CANCELLED')
    GROUP BY 1, 2, 3, 4
  ), d AS (
    SELECT a.order_line_id, a.party_kind, a.party_id, a.account,
           -(coalesce(a.placed, 0) * ol.quantity_cancelled / ol.quantity) - a.reversed AS delta
    FROM acct a JOIN order_lines ol ON ol.storefront_id = o.storefront_id AND ol.id = a.order_line_id
    WHERE a.account <> 'MARGIN'
  ), rest AS (
    SELECT d.order_line_id, (-sum(d.delta))::bigint AS delta FROM d GROUP BY 1
  )
  SELECT d.order_line_id, d.party_kind, d.party_id, d.account, d.delta FROM d WHERE d.delta <> 0
  UNION ALL
  SELECT rest.order_line_id, 'STOREFRONT', o.storefront_id, 'MARGIN', rest.delta FROM rest WHERE rest.delta <> 0;
  IF FOUND THEN
    v_tx := gen_random_uuid();
    INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, currency)
    VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'LINE_CANCELLED', o.currency);
    INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, order_line_id, kind,
                                party_kind, party_id, account, amount, currency)
    SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, d.order_line_id, 'LINE_CANCELLED', d.party_kind,
           d.party_id, d.account, d.amount, o.currency FROM gm_ledger_delta d;
    v_n := v_n + 1;
    -- What the customer no longer owes comes off the open invoice.
    UPDATE invoices i SET amount = greatest(i.paid, i.amount + x.amt), updated_at = now(),
                          status = CASE WHEN i.paid >= i.amount + x.amt THEN 'PAID' ELSE 'OPEN' END
    FROM (SELECT sum(d.amount)::bigint AS amt FROM gm_ledger_delta d WHERE d.account = 'RECEIVABLE') x
    WHERE i.storefront_id = o.storefront_id AND i.order_id = o.id AND x.amt IS NOT NULL;
  END IF;
  RETURN v_n;
END
$$;

-- Records a payment against an order's invoice: the collector's cash (the storefront's
-- for an invoice, the platform's for a card) against the customer's receivable. p_amount
-- must not exceed what is still open. Returns the payment id; raises GML04 when it does.
CREATE FUNCTION gm_payment_record(p_order uuid, p_amount bigint, p_method text, p_intent text, p_note text, p_key text)
RETURNS uuid LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  i invoices%ROWTYPE;
  o orders%ROWTYPE;
  v_pay uuid := gen_random_uuid();
  v_tx uuid := gen_random_uuid();
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium();
  IF NOT FOUND OR NOT (app_role() = 'system' OR (app_role() = 'member' AND o.member_id = app_member()) OR
                       (app_role() = 'storefront' AND o.storefront_id = app_storefront())) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  SELECT * INTO i FROM invoices WHERE storefront_id = o.storefront_id AND order_id = o.id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  IF p_amount <= 0 OR p_amount > i.amount - i.paid THEN
    RAISE EXCEPTION 'amount exceeds what is open' USING ERRCODE = 'GML04';
  END IF;
  INSERT INTO payments (storefront_id, id, order_id, consortium_id, member_id, method, status, amount, currency, stripe_payment_intent_id, note)
  VALUES (o.storefront_id, v_pay, o.id, o.consortium_id, o.member_id, p_method, 'SUCCEEDED', p_amount, o.currency, p_intent, coalesce(p_note, ''));
  UPDATE invoices SET paid = paid + p_amount, status = CASE WHEN paid + p_amount = amount THEN 'PAID' ELSE 'OPEN' END, updated_at = now()
  WHERE storefront_id = o.storefront_id AND order_id = o.id;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'PAYMENT', 'payment:' || coalesce(p_key, v_pay::text), o.currency);
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, kind, party_kind, party_id, account, amount, currency)
  SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'PAYMENT', e.pk, e.pid, e.acct, e.amt, o.currency
  FROM (VALUES
    (CASE WHEN p_method = 'CARD' THEN 'CONSORTIUM' ELSE 'STOREFRONT' END,
     CASE WHEN p_method = 'CARD' THEN o.consortium_id ELSE o.storefront_id END, 'CASH', p_amount),
    ('CUSTOMER', coalesce(o.customer_id, o.id), 'RECEIVABLE', -p_amount)) AS e (pk, pid, acct, amt);
  RETURN v_pay;
END
$$;

REVOKE ALL ON FUNCTION gm_ledger_post_order(uuid), gm_ledger_sync_order(uuid), gm_payment_record(uuid, bigint, text, text, text, text),
  gm_ledger_may_post(uuid, uuid, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_ledger_post_order(uuid), gm_ledger_sync_order(uuid), gm_payment_record(uuid, bigint, text, text, text, text),
  gm_ledger_may_post(uuid, uuid, uuid, uuid) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Card payments through Stripe. gm_card_intent records the PaymentIntent created for an
-- order's open amount (a PENDING payment; the invoice's method becomes CARD);
-- gm_stripe_event applies a verified webhook event once per event id: a succeeded intent
-- marks its payment SUCCEEDED, pays the invoice and posts the ledger (the platform's cash
-- against the customer's receivable); a failed one marks it FAILED. Returns false for an
-- event id already handled.
CREATE FUNCTION gm_card_intent(p_order uuid, p_intent text, p_amount bigint) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
  v_pay uuid;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium();
  IF NOT FOUND OR NOT gm_ledger_may_post(o.storefront_id, o.id, o.consortium_id, o.member_id) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  INSERT INTO payments (storefront_id, order_id, consortium_id, member_id, method, status, amount, currency, stripe_payment_intent_id)
  VALUES (o.storefront_id, o.id, o.consortium_id, o.member_id, 'CARD', 'PENDING', p_amount, o.currency, p_intent)
  ON CONFLICT (storefront_id, stripe_payment_intent_id) WHERE stripe_payment_intent_id IS NOT NULL DO UPDATE SET updated_at = now()
  RETURNING id INTO v_pay;
  UPDATE invoices SET method = 'CARD', updated_at = now() WHERE storefront_id = o.storefront_id AND order_id = o.id;
  RETURN v_pay;
END
$$;

CREATE FUNCTION gm_stripe_event(p_event text, p_type text, p_intent text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  pay payments%ROWTYPE;
  o orders%ROWTYPE;
  v_tx uuid := gen_random_uuid();
BEGIN
  IF app_role() IS DISTINCT FROM 'system' THEN
    RAISE EXCEPTION 'stripe events are applied by the system' USING ERRCODE = '42501';
  END IF;
  INSERT INTO stripe_events (id, type) VALUES (p_event, p_type) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  SELECT * INTO pay FROM payments WHERE stripe_payment_intent_id = p_intent FOR UPDATE;
  IF NOT FOUND OR pay.status <> 'PENDING' THEN
    RETURN true; -- not ours, or already settled by an earlier event
  END IF;
  IF p_type = 'payment_intent.payment_failed' THEN
    UPDATE payments SET status = 'FAILED', updated_at = now() WHERE storefront_id = pay.storefront_id AND id = pay.id;
    RETURN true;
  END IF;
  IF p_type <> 'payment_intent.succeeded' THEN
    RETURN true;
  END IF;
  SELECT * INTO o FROM orders WHERE storefront_id = pay.storefront_id AND id = pay.order_id;
  UPDATE payments SET status = 'SUCCEEDED', updated_at = now() WHERE storefront_id = pay.storefront_id AND id = pay.id;
  UPDATE invoices SET paid = paid + pay.amount, status = CASE WHEN paid + pay.amount = amount THEN 'PAID' ELSE 'OPEN' END, updated_at = now()
  WHERE storefront_id = pay.storefront_id AND order_id = pay.order_id;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'PAYMENT', 'stripe:' || p_intent, o.currency);
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, kind, party_kind, party_id, account, amount, currency)
  SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'PAYMENT', e.pk, e.pid, e.acct, e.amt, o.currency
  FROM (VALUES ('CONSORTIUM', o.consortium_id, 'CASH', pay.amount),
               ('CUSTOMER', coalesce(o.customer_id, o.id), 'RECEIVABLE', -pay.amount)) AS e (pk, pid, acct, amt);
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION gm_card_intent(uuid, text, bigint), gm_stripe_event(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_card_intent(uuid, text, bigint), gm_stripe_event(text, text, text) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Payouts through Stripe Connect. gm_payouts_due lists payables that became due (the
-- credit entries of LINE_SHIPPED on PAYABLE_DUE) and were not paid out yet, for suppliers
-- with a connected account, across consortia (the payout job acts for the system);
-- gm_payout_post records one transfer: supplier PAYABLE_DUE debited, the platform's CASH
-- credited, once per source entry.
CREATE FUNCTION gm_payouts_due(p_limit integer)
RETURNS TABLE (consortium_id uuid, storefront_id uuid, entry_id uuid, order_id uuid, supplier_id uuid, amount bigint,
               currency char(3), stripe_account_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT e.consortium_id, e.storefront_id, e.id, e.order_id, e.party_id, -e.amount, e.currency, a.stripe_account_id
  FROM ledger_entries e
  JOIN member_payout_accounts a ON a.consortium_id = e.consortium_id AND a.member_id = e.party_id
  WHERE app_role() = 'system' AND e.kind = 'LINE_SHIPPED' AND e.account = 'PAYABLE_DUE' AND e.party_kind = 'SUPPLIER' AND e.amount < 0
    AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.storefront_id = e.storefront_id AND t.event_key = 'payout:' || e.id)
  ORDER BY e.seq LIMIT p_limit
$$;

CREATE FUNCTION gm_payout_post(p_storefront uuid, p_entry uuid, p_transfer text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  e ledger_entries%ROWTYPE;
  v_tx uuid := gen_random_uuid();
BEGIN
  IF app_role() IS DISTINCT FROM 'system' THEN
    RAISE EXCEPTION 'payouts are posted by the system' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO e FROM ledger_entries WHERE storefront_id = p_storefront AND id = p_entry AND account = 'PAYABLE_DUE' AND amount < 0;
  IF NOT FOUND THEN
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
  FROM (VALUES ('SUPPLIER', e.party_id, 'PAYABLE_DUE', -e.amount), ('CONSORTIUM', e.consortium_id, 'CASH', e.amount)) AS x (pk, pid, acct, amt);
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION gm_payouts_due(integer), gm_payout_post(uuid, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_payouts_due(integer), gm_payout_post(uuid, uuid, text) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Refunds. After cancellations the customer's receivable on an order can turn negative
-- (it paid for units that will not ship): gm_refund_quote says how much is owed back and
-- through which card payment; gm_refund_post records the refund: the collector's CASH
-- credited, the receivable debited back to zero, the invoice's paid and amount reduced.
CREATE FUNCTION gm_refund_quote(p_order uuid) RETURNS TABLE (owed bigint, method text, intent text, refunded bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium();
  IF NOT FOUND OR NOT (app_role() = 'system' OR (app_role() = 'member' AND o.member_id = app_member()) OR
                       (app_role() = 'storefront' AND o.storefront_id = app_storefront())) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'GML03';
  END IF;
  RETURN QUERY
  SELECT greatest(0, -coalesce(sum(e.amount) FILTER (WHERE e.account = 'RECEIVABLE'), 0))::bigint,
         coalesce((SELECT i.method FROM invoices i WHERE i.storefront_id = o.storefront_id AND i.order_id = o.id), 'INVOICE'),
         (SELECT p.stripe_payment_intent_id FROM payments p WHERE p.storefront_id = o.storefront_id AND p.order_id = o.id
            AND p.method = 'CARD' AND p.status = 'SUCCEEDED' ORDER BY p.created_at DESC LIMIT 1),
         coalesce(sum(e.amount) FILTER (WHERE e.kind = 'REFUND' AND e.account = 'RECEIVABLE'), 0)::bigint
  FROM ledger_entries e WHERE e.storefront_id = o.storefront_id AND e.order_id = o.id;
END
$$;

CREATE FUNCTION gm_refund_post(p_order uuid, p_amount bigint, p_refund text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  o orders%ROWTYPE;
  q record;
  v_tx uuid := gen_random_uuid();
BEGIN
  SELECT * INTO o FROM orders WHERE id = p_order AND consortium_id = app_consortium() FOR UPDATE;
  SELECT * INTO q FROM gm_refund_quote(p_order);
  IF p_amount <= 0 OR p_amount > q.owed THEN
    RAISE EXCEPTION 'amount exceeds what is owed back' USING ERRCODE = 'GML04';
  END IF;
  INSERT INTO ledger_transactions (storefront_id, id, consortium_id, member_id, order_id, kind, event_key, currency)
  VALUES (o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'REFUND', 'refund:' || coalesce(p_refund, v_tx::text), o.currency);
  INSERT INTO ledger_entries (storefront_id, transaction_id, consortium_id, member_id, order_id, kind, party_kind, party_id, account, amount, currency)
  SELECT o.storefront_id, v_tx, o.consortium_id, o.member_id, o.id, 'REFUND', x.pk, x.pid, x.acct, x.amt, o.currency
  FROM (VALUES ('CUSTOMER', coalesce(o.customer_id, o.id), 'RECEIVABLE', p_amount),
               (CASE WHEN q.method = 'CARD' THEN 'CONSORTIUM' ELSE 'STOREFRONT' END,
                CASE WHEN q.method = 'CARD' THEN o.consortium_id ELSE o.storefront_id END, 'CASH', -p_amount)) AS x (pk, pid, acct, amt);
  UPDATE invoices SET paid = paid - p_amount, amount = amount - p_amount, updated_at = now()
  WHERE storefront_id = o.storefront_id AND order_id = o.id;
  RETURN v_tx;
END
$$;
REVOKE ALL ON FUNCTION gm_refund_quote(uuid), gm_refund_post(uuid, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_refund_quote(uuid), gm_refund_post(uuid, bigint, text) TO guildmart_app;
