-- Bulk offer import (catalog/imports). A job's rows are validated in Go, COPYed a chunk at a
-- time into two temporary tables cloned from the empty templates below, and merged into
-- offers, offer_variants, variant_price_tiers and variant_warehouses with set-based
-- statements under the supplier's own RLS scope.

-- Job bookkeeping the worker needs beyond 002's columns.
ALTER TABLE import_jobs
  -- who uploaded (the actor of the offer_changes rows the job writes)
  ADD COLUMN created_by text NOT NULL DEFAULT '',
  ADD COLUMN payload_bytes bigint NOT NULL DEFAULT 0;
-- Stored uncompressed so the worker can stream the file with substring() a slice at a time
-- instead of detoasting up to 64 MiB per read.
ALTER TABLE import_jobs ALTER COLUMN payload SET STORAGE EXTERNAL;
-- importJobs lists newest first, per supplier (members) or per consortium (operator).
CREATE INDEX import_jobs_supplier_idx ON import_jobs (consortium_id, supplier_id, created_at DESC, id DESC);
CREATE INDEX import_jobs_created_idx ON import_jobs (consortium_id, created_at DESC, id DESC);

-- The chunks of a job already written, each marked in the chunk's own transaction: a
-- retried job skips them (exact counts), and two runs of one job never write a chunk twice.
CREATE TABLE import_job_chunks (
  consortium_id uuid NOT NULL,
  job_id        uuid NOT NULL,
  chunk         integer NOT NULL,
  last_row      integer NOT NULL,
  PRIMARY KEY (consortium_id, job_id, chunk),
  FOREIGN KEY (consortium_id, job_id) REFERENCES import_jobs (consortium_id, id) ON DELETE CASCADE
);
ALTER TABLE import_job_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_job_chunks_all ON import_job_chunks
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_chunks.consortium_id AND j.id = import_job_chunks.job_id))
  WITH CHECK (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_chunks.consortium_id AND j.id = import_job_chunks.job_id));

-- Staging templates: never written, only cloned per chunk with
--   CREATE TEMP TABLE import_offers_stage (LIKE import_offers_template INCLUDING DEFAULTS) ON COMMIT DROP
-- Temporary tables are private to the session, need no RLS and leave no bloat behind.
-- NULL in offer_status/visibility means "keep the current value" (the default for new offers).
CREATE UNLOGGED TABLE import_offers_template (
  handle      text PRIMARY KEY,
  row_number  integer NOT NULL,
  title       text NOT NULL,
  description text NOT NULL,
  brand       text NOT NULL,
  category_id uuid,
  images      text[] NOT NULL,
  status      text,
  visibility  text,
  id          uuid,              -- filled by the merge: the offer's id
  created     boolean NOT NULL DEFAULT false
);
CREATE UNLOGGED TABLE import_variants_template (
  sku                    text PRIMARY KEY,
  row_number             integer NOT NULL,
  offer_handle           text NOT NULL,
  gtin                   text,
  options                jsonb NOT NULL,
  weight_grams           integer NOT NULL,
  wholesale_price        bigint NOT NULL,
  suggested_retail_price bigint NOT NULL,
  minimum_resale_price   bigint,
  tier_quantities        integer[] NOT NULL,  -- sorted ascending, parallel to tier_prices
  tier_prices            bigint[] NOT NULL,
  availability           text NOT NULL,
  available_quantity     integer NOT NULL,
  made_to_order_days     integer NOT NULL,
  ships_direct           boolean NOT NULL,
  ship_from_latitude     double precision,
  ship_from_longitude    double precision,
  ship_from_region       text,
  ships_to_regions       text[] NOT NULL,
  direct_lead_time_days  integer NOT NULL,
  direct_shipping_cost   bigint NOT NULL,
  warehouse_ids          uuid[] NOT NULL,     -- sorted, distinct
  id                     uuid,                -- filled by the merge: the variant's id
  created                boolean NOT NULL DEFAULT false,
  tiers_changed          boolean NOT NULL DEFAULT false,
  warehouses_changed     boolean NOT NULL DEFAULT false
);
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON import_offers_template, import_variants_template FROM guildmart_app;

-- One entry of an offer_changes.changes object, {"old": …, "new": …}, or NULL when the
-- value did not change. The keys and JSON shapes are catalog's (catalog/changes.go).
CREATE FUNCTION import_change(old_value anyelement, new_value anyelement) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN old_value IS DISTINCT FROM new_value
              THEN jsonb_build_object('old', to_jsonb(old_value), 'new', to_jsonb(new_value)) END
$$;

-- Price tiers as catalog's change log spells them: [[minQuantity, price], …].
CREATE FUNCTION import_tiers_json(quantities integer[], prices bigint[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_array(q, p) ORDER BY q), '[]'::jsonb)
    FROM unnest(quantities, prices) AS t(q, p)
$$;

-- The changes object from (key, change) pairs, dropping unchanged keys (NULL); NULL when
-- nothing changed. (jsonb_strip_nulls would also strip the "old": null of new values.)
CREATE FUNCTION import_changes(VARIADIC pairs jsonb[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_object_agg(p ->> 0, p -> 1) FROM unnest(pairs) AS p WHERE p -> 1 <> 'null'::jsonb
$$;

-- A bulk load outruns autovacuum: without fresh statistics the planner takes a new
-- supplier's thousands of rows for one and reads the key lookups of the next chunk through
-- the wrong index, or scans every variant (with its RLS check) to update five. The import
-- refreshes the statistics of the key columns after its first chunk and whenever the rows
-- it wrote quadrupled; a small sample (target 10) is enough for these columns and keeps it
-- cheap. The app role does not own the tables, hence SECURITY DEFINER (it can do nothing
-- else).
CREATE FUNCTION import_analyze() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public SET default_statistics_target = 10 AS $$
  ANALYZE offers (consortium_id, supplier_id, handle),
          offer_variants (consortium_id, supplier_id, sku, offer_id),
          variant_price_tiers (consortium_id, variant_id),
          variant_warehouses (consortium_id, variant_id);
$$;
REVOKE ALL ON FUNCTION import_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION import_analyze() TO guildmart_app;
