-- Search speed (issue 4), searches filtered by the region an offer ships to: "in stock,
-- ships to FR, 10–200 EUR" read the whole stock and price range of
-- offer_search_stock_price_idx (012), about 50,000 entries on 100,000 offers, and threw
-- away the 40 % that do not reach FR, one region array at a time. A region is not an
-- index key of offer_search: regions is an array, and an array's operators are not
-- leakproof, so under row-level security they may not bound an index scan.
--
-- offer_search_regions holds one row per offer and region it ships to (direct or from a
-- holding warehouse), with the columns such a search filters, counts and sorts on, so its
-- index reads only the matches' region, stock and price range. catalog/search reads it
-- for a search with a region filter and no text, category, brand or supplier filter
-- (those have narrower indexes of their own on offer_search).
--
-- It follows offer_search in the same statement: triggers on offer_search rewrite the
-- rows of every offer whose row arrived, left or changed (an unchanged row, as a full
-- reindex writes for most offers, is left alone). Nothing else writes it.
CREATE TABLE offer_search_regions (
  consortium_id    uuid NOT NULL,
  offer_id         uuid NOT NULL,
  region           text NOT NULL,
  supplier_id      uuid NOT NULL,
  status           text NOT NULL,
  visibility       text NOT NULL,
  category_id      uuid,
  brand            text NOT NULL,
  wholesale        bigint NOT NULL,
  suggested_retail bigint NOT NULL,
  ships_direct     boolean NOT NULL,
  in_warehouse     boolean NOT NULL,
  in_stock         boolean NOT NULL,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (consortium_id, offer_id, region)
);
-- In order of region, stock and list price, with every column the search reads: a
-- filtered search reads only this index (an index-only scan), and an in-stock search
-- sorted by price walks it for its page (as 012's index).
CREATE INDEX offer_search_regions_stock_price_idx ON offer_search_regions (consortium_id, region, in_stock, wholesale, offer_id)
  INCLUDE (supplier_id, status, visibility, category_id, brand, ships_direct, in_warehouse, suggested_retail, created_at);
ALTER TABLE offer_search_regions SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);

ALTER TABLE offer_search_regions ENABLE ROW LEVEL SECURITY;
-- offer_search_read, word for word: a row is readable exactly when its offer's row is.
CREATE POLICY offer_search_regions_read ON offer_search_regions FOR SELECT
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
-- No write policy: written only by the triggers below, as the owner.

-- Applies one statement's change on offer_search, set-based: the rows of offers that left
-- or whose copied columns changed are deleted, then those of offers that arrived or
-- changed are inserted, one per distinct region. An update that changes none of them (a
-- full reindex rewrites every offer's row) leaves the offer's rows alone.
CREATE FUNCTION offer_search_regions_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO offer_search_regions (consortium_id, offer_id, region, supplier_id, status, visibility, category_id, brand,
                                      wholesale, suggested_retail, ships_direct, in_warehouse, in_stock, created_at)
    SELECT n.consortium_id, n.offer_id, r.region, n.supplier_id, n.status, n.visibility, n.category_id, n.brand,
           n.wholesale, n.suggested_retail, n.ships_direct, n.in_warehouse, n.in_stock, n.created_at
    FROM new_rows n CROSS JOIN LATERAL (SELECT DISTINCT u AS region FROM unnest(n.regions) u) r;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM offer_search_regions g USING old_rows o
    WHERE g.consortium_id = o.consortium_id AND g.offer_id = o.offer_id;
  ELSE
    -- Row versions that differ, by EXCEPT (hashed): a join of the two transition tables
    -- on the offer was planned as a nested loop, quadratic in a full reindex.
    DELETE FROM offer_search_regions g USING (
        SELECT consortium_id, offer_id, regions, supplier_id, status, visibility, category_id, brand, wholesale, suggested_retail,
                   ships_direct, in_warehouse, in_stock, created_at FROM old_rows
        EXCEPT
        SELECT consortium_id, offer_id, regions, supplier_id, status, visibility, category_id, brand, wholesale, suggested_retail,
                   ships_direct, in_warehouse, in_stock, created_at FROM new_rows) o
    WHERE g.consortium_id = o.consortium_id AND g.offer_id = o.offer_id;
    INSERT INTO offer_search_regions (consortium_id, offer_id, region, supplier_id, status, visibility, category_id, brand,
                                      wholesale, suggested_retail, ships_direct, in_warehouse, in_stock, created_at)
    SELECT n.consortium_id, n.offer_id, r.region, n.supplier_id, n.status, n.visibility, n.category_id, n.brand,
           n.wholesale, n.suggested_retail, n.ships_direct, n.in_warehouse, n.in_stock, n.created_at
    FROM (SELECT consortium_id, offer_id, regions, supplier_id, status, visibility, category_id, brand, wholesale, suggested_retail,
                   ships_direct, in_warehouse, in_stock, created_at FROM new_rows
          EXCEPT
          SELECT consortium_id, offer_id, regions, supplier_id, status, visibility, category_id, brand, wholesale, suggested_retail,
                   ships_direct, in_warehouse, in_stock, created_at FROM old_rows) n
      CROSS JOIN LATERAL (SELECT DISTINCT u AS region FROM unnest(n.regions) u) r;
  END IF;
  RETURN NULL;
END
$fn$;
-- Transition tables allow one event per trigger.
CREATE TRIGGER offer_search_regions_insert AFTER INSERT ON offer_search
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_regions_apply();
CREATE TRIGGER offer_search_regions_update AFTER UPDATE ON offer_search
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_regions_apply();
CREATE TRIGGER offer_search_regions_delete AFTER DELETE ON offer_search
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION offer_search_regions_apply();

-- Offers indexed before this migration.
INSERT INTO offer_search_regions (consortium_id, offer_id, region, supplier_id, status, visibility, category_id, brand,
                                  wholesale, suggested_retail, ships_direct, in_warehouse, in_stock, created_at)
SELECT s.consortium_id, s.offer_id, r.region, s.supplier_id, s.status, s.visibility, s.category_id, s.brand,
       s.wholesale, s.suggested_retail, s.ships_direct, s.in_warehouse, s.in_stock, s.created_at
FROM offer_search s CROSS JOIN LATERAL (SELECT DISTINCT u AS region FROM unnest(s.regions) u) r;
