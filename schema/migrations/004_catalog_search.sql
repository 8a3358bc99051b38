-- Search index of the PostgreSQL search backend (catalog/search): one narrow row per
-- searchable offer (ACTIVE, with at least one ACTIVE variant), summarised from its variants
-- by the IndexOffers job that catalog writes enqueue in their own transaction.
--
-- What is per caller stays live and out of this table: the allow-list (offer_visibility),
-- agreement requirements and approvals, and agreement discounts are joined at query time,
-- so a new agreement or a revoked one takes effect at once. Status and visibility are
-- copied by a trigger the moment they change on offers, so an offer pulled back is never
-- found in the gap before its job runs. Only the searchable content (text, prices,
-- fulfilment, availability) waits for the job.

CREATE TABLE offer_search (
  consortium_id    uuid NOT NULL,
  offer_id         uuid NOT NULL,
  supplier_id      uuid NOT NULL,
  status           text NOT NULL,
  visibility       text NOT NULL,
  category_id      uuid,
  brand            text NOT NULL,
  title            text NOT NULL,
  currency         char(3) NOT NULL,
  -- The lead variant: the cheapest ACTIVE one (then lowest suggested retail, then SKU).
  -- Prices, margins and their filters and sorts are the lead variant's.
  wholesale        bigint NOT NULL,    -- list price, before any agreement discount
  suggested_retail bigint NOT NULL,
  ships_direct     boolean NOT NULL,   -- some ACTIVE variant ships supplier-direct
  in_warehouse     boolean NOT NULL,   -- some ACTIVE variant is consigned to an ACTIVE warehouse
  regions          text[] NOT NULL,    -- regions reachable direct or from a holding warehouse
  in_stock         boolean NOT NULL,   -- some ACTIVE variant is IN_STOCK with a quantity
  created_at       timestamptz NOT NULL,
  indexed_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, offer_id),
  FOREIGN KEY (consortium_id, offer_id) REFERENCES offers (consortium_id, id) ON DELETE CASCADE
);
CREATE INDEX offer_search_title_trgm_idx ON offer_search USING gin (title gin_trgm_ops);
-- Selective filters without text. Equality on uuid and text is leakproof, so unlike the
-- text operators these indexes stay usable under row-level security.
CREATE INDEX offer_search_category_idx ON offer_search (consortium_id, category_id);
CREATE INDEX offer_search_brand_idx ON offer_search (consortium_id, brand);
CREATE INDEX offer_search_supplier_idx ON offer_search (consortium_id, supplier_id);
-- The first page of the default browse (NEWEST) walks this instead of sorting everything.
-- Price and margin orders depend on each caller's discounts: those sort.
CREATE INDEX offer_search_newest_idx ON offer_search (consortium_id, created_at DESC, offer_id);

-- The text documents, apart: a browse reads every visible row of offer_search, and the
-- tsvectors were two thirds of its bytes. The application cannot read this table at all
-- (no read policy); it reaches it only through offer_search_match, which returns ids.
CREATE TABLE offer_search_text (
  consortium_id uuid NOT NULL,
  offer_id      uuid NOT NULL,
  document      tsvector NOT NULL,  -- title, SKUs, GTINs (A), brand (B), description (C)
  PRIMARY KEY (consortium_id, offer_id),
  FOREIGN KEY (consortium_id, offer_id) REFERENCES offer_search (consortium_id, offer_id) ON DELETE CASCADE
);
CREATE INDEX offer_search_text_document_idx ON offer_search_text USING gin (document);
ALTER TABLE offer_search_text ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_search_text_write ON offer_search_text FOR ALL
  USING (consortium_id = (SELECT app_consortium()) AND (SELECT app_role()) = 'system')
  WITH CHECK (consortium_id = (SELECT app_consortium()) AND (SELECT app_role()) = 'system');

ALTER TABLE offer_search ENABLE ROW LEVEL SECURITY;
-- The same rule as offers_read/offer_entitled, written for a scan over the whole catalog:
-- the scope settings are read once per query ((SELECT app_…()) is an init plan, not a
-- per-row call) and the allow-list and agreement lookups are uncorrelated subqueries the
-- planner hashes once, instead of a supplier_profiles lookup per offer.
CREATE POLICY offer_search_read ON offer_search FOR SELECT
  USING (consortium_id = (SELECT app_consortium()) AND (
    (SELECT app_role()) IN ('operator', 'system') OR
    ((SELECT app_role()) = 'member' AND (supplier_id = (SELECT app_member()) OR (
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
-- Only the indexing job (system scope) writes.
CREATE POLICY offer_search_write ON offer_search FOR ALL
  USING (consortium_id = (SELECT app_consortium()) AND (SELECT app_role()) = 'system')
  WITH CHECK (consortium_id = (SELECT app_consortium()) AND (SELECT app_role()) = 'system');

-- Text candidates. The match operators (@@, <%) are not leakproof, so under row-level
-- security the planner may not use their GIN indexes; these functions run as the owner,
-- use the indexes, and return only ids within the caller's consortium, which the search
-- then looks up in offer_search where the policy above applies.
CREATE FUNCTION offer_search_match(p_query tsquery, p_rank boolean)
RETURNS TABLE (offer_id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 500 AS $$
  -- Ranking reads every match's positions: only when the caller sorts by relevance.
  SELECT s.offer_id, CASE WHEN p_rank THEN ts_rank_cd(s.document, p_query) ELSE 0 END
  FROM offer_search_text s
  WHERE s.document @@ p_query AND s.consortium_id = app_consortium()
$$;

-- Typo-tolerant fallback over titles: word similarity of the query to the closest part of
-- the title. At 0.52 one typo in a 7-letter word passes ("damscus" ~ Damascus, 0.55); a
-- different short word does not ("cheap" ~ Chef, 0.50).
CREATE FUNCTION offer_search_fuzzy(p_text text)
RETURNS TABLE (offer_id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp SET pg_trgm.word_similarity_threshold = 0.52 ROWS 100 AS $$
  SELECT s.offer_id, word_similarity(p_text, s.title)
  FROM offer_search s
  WHERE p_text <% s.title AND s.consortium_id = app_consortium()
$$;

-- Copy status and visibility the moment they change (see the header).
CREATE FUNCTION offer_search_sync_access() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE offer_search SET status = NEW.status, visibility = NEW.visibility
  WHERE consortium_id = NEW.consortium_id AND offer_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER offers_search_sync_access AFTER UPDATE OF status, visibility ON offers
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.visibility IS DISTINCT FROM NEW.visibility)
  EXECUTE FUNCTION offer_search_sync_access();

-- The searchable summary of offers, computed from the catalog tables: the offer's own
-- fields, its lead variant's prices (cheapest ACTIVE variant, then lowest suggested
-- retail, then SKU), how it can be fulfilled, where it ships and whether it is in stock.
-- Both search backends index from it, so their numbers agree. p_offers NULL means the
-- whole consortium. Only the system scope (the indexing job) may call it.
--
-- Per-offer LATERAL aggregates over the variant indexes keep the cost linear whatever
-- the planner believes: joining derived sets of offers and variants went quadratic on
-- freshly imported tables without statistics (nested loops over CTE scans). It runs as
-- the owner so row-security filters do not blind the planner either.
CREATE FUNCTION offer_search_source(p_offers uuid[])
RETURNS TABLE (consortium_id uuid, offer_id uuid, supplier_id uuid, status text, visibility text,
  category_id uuid, brand text, title text, description text, document tsvector, currency text,
  wholesale bigint, suggested_retail bigint, ships_direct boolean, in_warehouse boolean, regions text[],
  in_stock boolean, skus text[], gtins text[], created_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1000 AS $fn$
DECLARE
  c uuid := app_consortium();
BEGIN
  IF c IS NULL OR app_role() IS DISTINCT FROM 'system' THEN
    RAISE EXCEPTION 'offer_search_source needs the system scope of a consortium' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Dynamic so each call is planned for its own offer list (or none).
  RETURN QUERY EXECUTE format($q$
    SELECT o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, o.category_id, o.brand, o.title,
           o.description,
           o.search || setweight(to_tsvector('simple', array_to_string(a.skus || a.gtins, ' ')), 'A'),
           a.currency, a.wholesale, a.suggested_retail, a.ships_direct, coalesce(f.in_warehouse, false),
           coalesce(f.regions, '{}'), a.in_stock, a.skus, a.gtins, o.created_at
    FROM offers o
    CROSS JOIN LATERAL (
      SELECT (array_agg(v.currency::text ORDER BY v.wholesale_price, v.suggested_retail_price, v.sku))[1] AS currency,
             (array_agg(v.wholesale_price ORDER BY v.wholesale_price, v.suggested_retail_price, v.sku))[1] AS wholesale,
             (array_agg(v.suggested_retail_price ORDER BY v.wholesale_price, v.suggested_retail_price, v.sku))[1] AS suggested_retail,
             bool_or(v.ships_direct) AS ships_direct,
             bool_or(v.availability = 'IN_STOCK' AND v.available_quantity > 0) AS in_stock,
             array_agg(v.sku ORDER BY v.sku) AS skus,
             coalesce(array_agg(v.gtin ORDER BY v.sku) FILTER (WHERE v.gtin IS NOT NULL), '{}') AS gtins
      FROM offer_variants v
      WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id AND v.status = 'ACTIVE'
    ) a
    CROSS JOIN LATERAL (
      SELECT bool_or(x.warehouse) AS in_warehouse, array_agg(DISTINCT x.region ORDER BY x.region) AS regions
      FROM (
        SELECT false AS warehouse, unnest(v.ships_to_regions) AS region
        FROM offer_variants v
        WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id AND v.status = 'ACTIVE' AND v.ships_direct
        UNION ALL
        SELECT true, unnest(CASE WHEN cardinality(w.regions_served) = 0 THEN ARRAY[w.region] ELSE w.regions_served END)
        FROM offer_variants v
        JOIN variant_warehouses vw ON vw.consortium_id = v.consortium_id AND vw.variant_id = v.id
        JOIN warehouses w ON w.consortium_id = vw.consortium_id AND w.id = vw.warehouse_id AND w.status = 'ACTIVE'
        WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id AND v.status = 'ACTIVE'
      ) x
    ) f
    WHERE o.consortium_id = $1 AND o.status = 'ACTIVE' %s AND a.wholesale IS NOT NULL
  $q$, CASE WHEN p_offers IS NULL THEN '' ELSE 'AND o.id = ANY($2)' END)
  USING c, p_offers;
END
$fn$;
