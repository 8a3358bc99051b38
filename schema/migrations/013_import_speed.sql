-- Import speed (issue 4) and one isolation gap closed on the way.
--
-- 1. Two trigram indexes nothing reads any more: search reads offer_search and
--    offer_search_text (004, 010), and no query filters offers.title or
--    offer_variants.sku by similarity. Each cost every offer and variant written a GIN
--    entry per trigram (an import of 100,000 rows spent about 1.4 s of its 17 s of
--    database time on them).
DROP INDEX offers_title_trgm_idx;
DROP INDEX offer_variants_sku_trgm_idx;

-- 2. A variant belongs to its offer's supplier. The write policy of offer_variants only
--    checked that supplier_id is the writing member, and the foreign key only that the
--    offer exists: a member could attach a variant of its own to another supplier's
--    offer. The foreign key now carries supplier_id, so the variant's supplier is its
--    offer's; the key to members it replaces is implied (offers reference members), and
--    a written variant now costs one key check fewer.
ALTER TABLE offers ADD CONSTRAINT offers_supplier_key UNIQUE (consortium_id, id, supplier_id);
ALTER TABLE offer_variants
  DROP CONSTRAINT offer_variants_consortium_id_offer_id_fkey,
  DROP CONSTRAINT offer_variants_consortium_id_supplier_id_fkey,
  ADD CONSTRAINT offer_variants_offer_fkey FOREIGN KEY (consortium_id, offer_id, supplier_id)
    REFERENCES offers (consortium_id, id, supplier_id) ON DELETE CASCADE;

-- 3. Tiers and warehouse links carry their variant's supplier the same way, so their write
--    policies test a column instead of reading the variant under its own read policy
--    (which reads the offer under its policy): a tier or link written cost about 10 µs of
--    policy, and an import writes two per variant. Reads keep the rule that these rows
--    are visible exactly when their variant is.
ALTER TABLE offer_variants ADD CONSTRAINT offer_variants_supplier_key UNIQUE (consortium_id, id, supplier_id);

DO $$
DECLARE
  t text;
  own text := $w$consortium_id = (SELECT app_consortium()) AND ((SELECT app_role() = 'system') OR
    ((SELECT app_role() = 'member') AND supplier_id = (SELECT app_member())))$w$;
BEGIN
  FOREACH t IN ARRAY ARRAY['variant_price_tiers', 'variant_warehouses'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN supplier_id uuid', t);
    EXECUTE format('UPDATE %I x SET supplier_id = v.supplier_id FROM offer_variants v
      WHERE v.consortium_id = x.consortium_id AND v.id = x.variant_id', t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN supplier_id SET NOT NULL, DROP CONSTRAINT %I,
      ADD CONSTRAINT %I FOREIGN KEY (consortium_id, variant_id, supplier_id)
      REFERENCES offer_variants (consortium_id, id, supplier_id) ON DELETE CASCADE',
      t, t || '_consortium_id_variant_id_fkey', t || '_variant_fkey');
    EXECUTE format('DROP POLICY %I ON %I', t || '_all', t);
    EXECUTE format($p$CREATE POLICY %I ON %I FOR SELECT USING (consortium_id = app_consortium() AND EXISTS (
      SELECT 1 FROM offer_variants v WHERE v.consortium_id = %I.consortium_id AND v.id = %I.variant_id))$p$, t || '_read', t, t, t);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (%s)', t || '_insert', t, own);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (%s) WITH CHECK (%s)', t || '_update', t, own, own);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING (%s)', t || '_delete', t, own);
  END LOOP;

  -- 4. The write policies of offers and offer_variants again, with the scope read once
  --    per statement instead of once per row (the same rules; as 012 did for
  --    offer_visibility).
  FOREACH t IN ARRAY ARRAY['offers', 'offer_variants'] LOOP
    EXECUTE format('ALTER POLICY %I ON %I WITH CHECK (%s)', t || '_write', t, own);
    EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)', t || '_update', t, own, own);
    EXECUTE format('ALTER POLICY %I ON %I USING (%s)', t || '_delete', t, own);
  END LOOP;
END
$$;

-- 5. The same patterns without bounded repetition. PostgreSQL's regular expressions
--    expand "{0,127}" into a machine with a state per repetition, and checking one key
--    took 4–7 µs, ten times the unbounded pattern plus a length test (which is what the
--    bound said: every allowed character is one byte).
ALTER TABLE offers DROP CONSTRAINT offers_handle_check,
  ADD CONSTRAINT offers_handle_check CHECK (handle ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' AND length(handle) <= 128);
ALTER TABLE offer_variants DROP CONSTRAINT offer_variants_sku_check,
  ADD CONSTRAINT offer_variants_sku_check CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]*$' AND length(sku) <= 64),
  DROP CONSTRAINT offer_variants_gtin_check,
  ADD CONSTRAINT offer_variants_gtin_check CHECK (gtin ~ '^[0-9]+$' AND length(gtin) IN (8, 12, 13, 14));
ALTER TABLE listings DROP CONSTRAINT listings_handle_check,
  ADD CONSTRAINT listings_handle_check CHECK (handle ~ '^[a-z0-9][a-z0-9-]*$' AND length(handle) <= 128);

-- 6. import_analyze also samples the ids. Every foreign key check of a written row (a
--    variant's offer, a tier's variant) is a lookup by id that PostgreSQL plans once per
--    connection and then reuses only if the reusable plan looks no dearer than a fresh
--    one; without statistics on id it guessed 129 rows for the unique lookup, so it planned
--    every check afresh. Into a catalog that already held other suppliers' offers, a
--    100,000-row import took 11–16 s instead of 7 s, a quarter of it planning key checks.
CREATE OR REPLACE FUNCTION import_analyze() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public SET default_statistics_target = 10 AS $$
  ANALYZE offers (consortium_id, id, supplier_id, handle),
          offer_variants (consortium_id, id, supplier_id, sku, offer_id),
          variant_price_tiers (consortium_id, variant_id),
          variant_warehouses (consortium_id, variant_id);
$$;

-- 7. An uploaded file is stored in parts of up to 4 MiB instead of one value of up to
--    64 MiB: the upload sends it a part at a time (the client library built a 64 MiB
--    protocol message for the single value, half a second of CPU and twice the file's
--    memory for a 50 MB file) and the worker reads it back a part at a time. Uncompressed,
--    as before: compressing would cost more CPU than the storage it saves for a file that
--    is deleted when its job ends.
CREATE TABLE import_job_files (
  consortium_id uuid NOT NULL,
  job_id        uuid NOT NULL,
  part          integer NOT NULL CHECK (part >= 0),  -- 0, 1, …: the file is their data in order
  data          bytea NOT NULL,
  PRIMARY KEY (consortium_id, job_id, part),
  FOREIGN KEY (consortium_id, job_id) REFERENCES import_jobs (consortium_id, id) ON DELETE CASCADE
);
ALTER TABLE import_job_files ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE import_job_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_job_files_all ON import_job_files
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_files.consortium_id AND j.id = import_job_files.job_id))
  WITH CHECK (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_files.consortium_id AND j.id = import_job_files.job_id));
INSERT INTO import_job_files (consortium_id, job_id, part, data)
SELECT j.consortium_id, j.id, p, substring(j.payload FROM p * 4194304 + 1 FOR 4194304)
  FROM import_jobs j, generate_series(0, (length(j.payload) - 1) / 4194304) AS p
 WHERE j.payload IS NOT NULL AND length(j.payload) > 0;
ALTER TABLE import_jobs DROP COLUMN payload;
