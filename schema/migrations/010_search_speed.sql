-- Search speed (issue 4): broad queries read every match to count, facet and sort by the
-- caller's own discounted price. Three changes make them read little:
--
-- 1. offer_search_text carries the narrow columns of offer_search, so a text search gets
--    its candidates with everything the count, the facets, the filters and the sort need
--    from one index scan, instead of one primary-key lookup (and policy check) per match.
-- 2. offer_search_counts holds per-supplier counts of searchable offers by category and
--    brand, kept in step with offer_search by statement triggers in the same transaction.
--    A browse without text or filters sums the rows of the suppliers the caller is
--    entitled to (plus its allow-listed offers, counted live) instead of scanning them all.
-- 3. Indexes on list price and list margin let price and margin sorts walk an index for
--    the suppliers whose price the caller pays undiscounted; the few suppliers that give
--    the caller a discount are sorted live and merged.
-- 4. offer_search_read tests the caller's role once per query, not once per row.

-- 1. The text table's copy of the searchable row. The indexing job writes both rows in
-- one statement; offer_search_sync_access (replaced below) copies status and visibility
-- to both the moment they change.
ALTER TABLE offer_search_text
  ADD COLUMN supplier_id      uuid,
  ADD COLUMN status           text,
  ADD COLUMN visibility       text,
  ADD COLUMN category_id      uuid,
  ADD COLUMN brand            text,
  ADD COLUMN wholesale        bigint,
  ADD COLUMN suggested_retail bigint,
  ADD COLUMN ships_direct     boolean,
  ADD COLUMN in_warehouse     boolean,
  ADD COLUMN regions          text[],
  ADD COLUMN in_stock         boolean,
  ADD COLUMN created_at       timestamptz;
UPDATE offer_search_text t SET supplier_id = s.supplier_id, status = s.status, visibility = s.visibility,
  category_id = s.category_id, brand = s.brand, wholesale = s.wholesale, suggested_retail = s.suggested_retail,
  ships_direct = s.ships_direct, in_warehouse = s.in_warehouse, regions = s.regions, in_stock = s.in_stock,
  created_at = s.created_at
FROM offer_search s WHERE s.consortium_id = t.consortium_id AND s.offer_id = t.offer_id;
ALTER TABLE offer_search_text
  ALTER COLUMN supplier_id SET NOT NULL, ALTER COLUMN status SET NOT NULL, ALTER COLUMN visibility SET NOT NULL,
  ALTER COLUMN brand SET NOT NULL, ALTER COLUMN wholesale SET NOT NULL, ALTER COLUMN suggested_retail SET NOT NULL,
  ALTER COLUMN ships_direct SET NOT NULL, ALTER COLUMN in_warehouse SET NOT NULL, ALTER COLUMN regions SET NOT NULL,
  ALTER COLUMN in_stock SET NOT NULL, ALTER COLUMN created_at SET NOT NULL;

CREATE OR REPLACE FUNCTION offer_search_sync_access() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE offer_search SET status = NEW.status, visibility = NEW.visibility
  WHERE consortium_id = NEW.consortium_id AND offer_id = NEW.id;
  UPDATE offer_search_text SET status = NEW.status, visibility = NEW.visibility
  WHERE consortium_id = NEW.consortium_id AND offer_id = NEW.id;
  RETURN NULL;
END
$$;

-- The search's columns of the ACTIVE offers the caller may source, for the matches of a
-- text search. This function runs as the owner (the match operators are not leakproof,
-- so under row-level security their indexes would be unusable) and therefore applies
-- the rule of offer_search_read itself, for the caller of the transaction's scope: the
-- operator and the system see every offer of the consortium, a member its own and the
-- entitled ones. The search applies the same rule again to what it returns, and reads
-- the hits it shows from offer_search, under its policy.
--
-- p_query set: the full-text matches (ranked only when p_rank: ranking reads every
-- match's positions). Otherwise the typo fallback, trigram word similarity of p_text to
-- titles (the threshold is 004's: one typo in a 7-letter word passes; a session that has not used
-- pg_trgm yet may not set it, hence show_trgm first). Dynamic so each call is planned
-- for its own text.
SELECT show_trgm('');
CREATE FUNCTION offer_search_candidates(p_query tsquery, p_text text, p_rank boolean)
RETURNS TABLE (consortium_id uuid, offer_id uuid, rank real, supplier_id uuid, status text, visibility text,
  category_id uuid, brand text, wholesale bigint, suggested_retail bigint, ships_direct boolean,
  in_warehouse boolean, regions text[], in_stock boolean, created_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET pg_trgm.word_similarity_threshold = 0.52 ROWS 500 AS $fn$
BEGIN
  RETURN QUERY EXECUTE format($q$
    SELECT s.consortium_id, s.offer_id, %s::real, s.supplier_id, s.status, s.visibility, s.category_id, s.brand,
           s.wholesale, s.suggested_retail, s.ships_direct, s.in_warehouse, s.regions, s.in_stock, s.created_at
    FROM %s s
    WHERE %s AND s.consortium_id = (SELECT app_consortium()) AND s.status = 'ACTIVE'
      AND ((SELECT app_role() IN ('operator', 'system')) OR
        ((SELECT app_role() = 'member') AND (s.supplier_id = (SELECT app_member()) OR (
          (s.visibility = 'CONSORTIUM' OR s.offer_id IN (
                SELECT v.offer_id FROM offer_visibility v
                WHERE v.consortium_id = app_consortium() AND v.member_id = app_member()))
          AND s.supplier_id NOT IN (
                SELECT sp.member_id FROM supplier_profiles sp
                WHERE sp.consortium_id = app_consortium() AND sp.agreement_required
                  AND NOT EXISTS (SELECT 1 FROM sourcing_agreements a
                                  WHERE a.consortium_id = sp.consortium_id AND a.supplier_id = sp.member_id
                                    AND a.seller_id = app_member() AND a.status = 'APPROVED'))))))
  $q$,
    CASE WHEN p_query IS NULL THEN 'word_similarity($2, s.title)' WHEN p_rank THEN 'ts_rank_cd(s.document, $1)' ELSE '0' END,
    CASE WHEN p_query IS NULL THEN 'offer_search' ELSE 'offer_search_text' END,
    CASE WHEN p_query IS NULL THEN '$2 <% s.title' ELSE 's.document @@ $1' END)
  USING p_query, p_text;
END
$fn$;
-- They return ids only, which the search no longer reads.
DROP FUNCTION offer_search_match(tsquery, boolean);
DROP FUNCTION offer_search_fuzzy(text);

-- 2. Counts of ACTIVE offers per supplier, allow-list or not, category and brand (an offer
-- without a category counts under the nil uuid, which no category has). Who may read a
-- row is decided per supplier, as offer_search_read decides per offer: a member reads its
-- own rows and the consortium-wide rows of suppliers whose offers it may source; offers
-- on allow-lists are counted live from offer_search, per caller.
CREATE TABLE offer_search_counts (
  consortium_id uuid NOT NULL,
  supplier_id   uuid NOT NULL,
  allow_list    boolean NOT NULL,
  category_id   uuid NOT NULL,
  brand         text NOT NULL,
  n             bigint NOT NULL,   -- offers
  direct        bigint NOT NULL,   -- of which ship supplier-direct
  warehouse     bigint NOT NULL,   -- of which are consigned to a warehouse
  PRIMARY KEY (consortium_id, supplier_id, allow_list, category_id, brand)
);
ALTER TABLE offer_search_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_search_counts_read ON offer_search_counts FOR SELECT
  USING (consortium_id = (SELECT app_consortium()) AND (
    (SELECT app_role() IN ('operator', 'system')) OR
    ((SELECT app_role() = 'member') AND (supplier_id = (SELECT app_member()) OR (
      NOT allow_list
      AND supplier_id NOT IN (
            SELECT sp.member_id FROM supplier_profiles sp
            WHERE sp.consortium_id = app_consortium() AND sp.agreement_required
              AND NOT EXISTS (SELECT 1 FROM sourcing_agreements a
                              WHERE a.consortium_id = sp.consortium_id AND a.supplier_id = sp.member_id
                                AND a.seller_id = app_member() AND a.status = 'APPROVED')))))));
-- Written only by the triggers below, as the owner.

-- Applies the change of one statement on offer_search to the counts, set-based: rows
-- leaving (old) count -1, rows arriving (new) +1, per key; keys in order so concurrent
-- writers lock them in the same order. Rows that fall to zero stay (one per key ever
-- used); readers skip them.
CREATE FUNCTION offer_search_counts_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  EXECUTE format($q$
    INSERT INTO offer_search_counts AS c (consortium_id, supplier_id, allow_list, category_id, brand, n, direct, warehouse)
    SELECT r.consortium_id, r.supplier_id, r.visibility = 'ALLOW_LIST',
           coalesce(r.category_id, '00000000-0000-0000-0000-000000000000'), r.brand,
           sum(r.d), coalesce(sum(r.d) FILTER (WHERE r.ships_direct), 0), coalesce(sum(r.d) FILTER (WHERE r.in_warehouse), 0)
    FROM (%s) r
    WHERE r.status = 'ACTIVE'
    GROUP BY 1, 2, 3, 4, 5
    HAVING sum(r.d) <> 0 OR sum(r.d) FILTER (WHERE r.ships_direct) <> 0 OR sum(r.d) FILTER (WHERE r.in_warehouse) <> 0
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (consortium_id, supplier_id, allow_list, category_id, brand) DO UPDATE
      SET n = c.n + EXCLUDED.n, direct = c.direct + EXCLUDED.direct, warehouse = c.warehouse + EXCLUDED.warehouse
  $q$, CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT n.*, 1 AS d FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT o.*, -1 AS d FROM old_rows o'
    ELSE 'SELECT n.*, 1 AS d FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o' END);
  RETURN NULL;
END
$fn$;
-- Transition tables allow one event per trigger.
CREATE TRIGGER offer_search_counts_insert AFTER INSERT ON offer_search
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_counts_apply();
CREATE TRIGGER offer_search_counts_update AFTER UPDATE ON offer_search
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_counts_apply();
CREATE TRIGGER offer_search_counts_delete AFTER DELETE ON offer_search
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_counts_apply();
-- Offers indexed before this migration.
INSERT INTO offer_search_counts (consortium_id, supplier_id, allow_list, category_id, brand, n, direct, warehouse)
SELECT consortium_id, supplier_id, visibility = 'ALLOW_LIST', coalesce(category_id, '00000000-0000-0000-0000-000000000000'),
       brand, count(*), count(*) FILTER (WHERE ships_direct), count(*) FILTER (WHERE in_warehouse)
FROM offer_search WHERE status = 'ACTIVE' GROUP BY 1, 2, 3, 4, 5;

-- Allow-listed offers, which every member's browse counts live.
CREATE INDEX offer_search_allow_list_idx ON offer_search (consortium_id, offer_id) WHERE visibility = 'ALLOW_LIST';

-- 3. Sorts at list price: the orders of orderBy in catalog/search for a caller without
-- discount. The margins are stored columns rather than index expressions: the bigint
-- arithmetic is not leakproof, so under row-level security a range on an expression
-- could not bound an index scan, while a range on a column can.
ALTER TABLE offer_search
  ADD COLUMN list_margin bigint GENERATED ALWAYS AS (suggested_retail - wholesale) STORED,
  ADD COLUMN list_margin_bps bigint GENERATED ALWAYS AS ((suggested_retail - wholesale) * 10000 / suggested_retail) STORED;
CREATE INDEX offer_search_price_idx ON offer_search (consortium_id, wholesale, offer_id);
CREATE INDEX offer_search_price_desc_idx ON offer_search (consortium_id, wholesale DESC, offer_id);
CREATE INDEX offer_search_margin_idx ON offer_search (consortium_id, list_margin DESC, offer_id);
CREATE INDEX offer_search_margin_bps_idx ON offer_search (consortium_id, list_margin_bps DESC, list_margin DESC, offer_id);

-- 4. offer_search_read again, with the role tests as booleans computed once per query
-- instead of text comparisons on every row (the same rule; a browse tests it on every
-- offer of the consortium).
DROP POLICY offer_search_read ON offer_search;
CREATE POLICY offer_search_read ON offer_search FOR SELECT
  USING (consortium_id = (SELECT app_consortium()) AND (
    (SELECT app_role() IN ('operator', 'system')) OR
    ((SELECT app_role() = 'member') AND (supplier_id = (SELECT app_member()) OR (
      status <> 'DRAFT'
      AND (visibility = 'CONSORTIUM' OR offer_id IN (
            SELECT v.offer_id FROM offer_visibility v
            WHERE v.consortium_id = app_consortium() AND v.member_id = app_member()))
      AND supplier_id NOT IN (
            SELECT sp.member_id FROM supplier_profiles sp
            WHERE sp.consortium_id = app_consortium() AND sp.agreement_required
              AND NOT EXISTS (SELECT 1 FROM sourcing_agreements a
                              WHERE a.consortium_id = sp.consortium_id AND a.supplier_id = sp.member_id
                                AND a.seller_id = app_member() AND a.status = 'APPROVED')))))));
