-- The shared catalog (公域货源): suppliers' offers and variants, the operator's category
-- tree and warehouses, who may see what, sourcing agreements, the change log that later
-- propagates into listings, and bulk import jobs. Every table leads with consortium_id.

-- Supplier-wide settings a supplier manages itself (members rows are operator-only).
CREATE TABLE supplier_profiles (
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  agreement_required boolean NOT NULL DEFAULT false,
  show_brand         boolean NOT NULL DEFAULT true, -- may storefronts show who supplies
  display_name       text NOT NULL DEFAULT '',
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, member_id),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
ALTER TABLE supplier_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY supplier_profiles_read ON supplier_profiles FOR SELECT
  USING (consortium_id = app_consortium() AND app_role() IN ('operator', 'member', 'system'));
CREATE POLICY supplier_profiles_write ON supplier_profiles FOR ALL
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));

-- Operator-managed category tree; path is the chain of handles ("home/kitchen/knives")
-- so "category and its descendants" is a prefix match.
CREATE TABLE categories (
  consortium_id uuid NOT NULL REFERENCES consortia (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  parent_id     uuid,
  handle        text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  path          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT categories_path_key UNIQUE (consortium_id, path),
  FOREIGN KEY (consortium_id, parent_id) REFERENCES categories (consortium_id, id)
);
CREATE INDEX categories_path_prefix_idx ON categories (consortium_id, path text_pattern_ops);
ALTER TABLE categories ENABLE ROW LEVEL SECURITY;
CREATE POLICY categories_read ON categories FOR SELECT
  USING (consortium_id = app_consortium());
CREATE POLICY categories_write ON categories FOR ALL
  USING (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'))
  WITH CHECK (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'));

-- Consortium warehouses (the checkout issue adds stock); catalog needs them for consignment.
CREATE TABLE warehouses (
  consortium_id  uuid NOT NULL REFERENCES consortia (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  handle         text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  latitude       double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude      double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  region         text NOT NULL,
  regions_served text[] NOT NULL DEFAULT '{}',
  handling_days  integer NOT NULL DEFAULT 1 CHECK (handling_days BETWEEN 0 AND 60),
  status         text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CLOSED')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT warehouses_handle_key UNIQUE (consortium_id, handle)
);
ALTER TABLE warehouses ENABLE ROW LEVEL SECURITY;
CREATE POLICY warehouses_read ON warehouses FOR SELECT USING (consortium_id = app_consortium());
CREATE POLICY warehouses_write ON warehouses FOR ALL
  USING (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'))
  WITH CHECK (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'));

CREATE TABLE offers (
  consortium_id uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  supplier_id   uuid NOT NULL,
  handle        text NOT NULL CHECK (handle ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$'), -- supplier's own key (imports group rows by it)
  title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  brand         text NOT NULL DEFAULT '' CHECK (length(brand) <= 200),
  category_id   uuid,
  images        text[] NOT NULL DEFAULT '{}',
  attributes    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
  status        text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'ACTIVE', 'DISCONTINUED')),
  visibility    text NOT NULL DEFAULT 'CONSORTIUM' CHECK (visibility IN ('CONSORTIUM', 'ALLOW_LIST')),
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  search        tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
                  setweight(to_tsvector('simple', coalesce(brand, '')), 'B') ||
                  setweight(to_tsvector('simple', coalesce(description, '')), 'C')) STORED,
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT offers_handle_key UNIQUE (consortium_id, supplier_id, handle),
  FOREIGN KEY (consortium_id, supplier_id) REFERENCES members (consortium_id, id),
  FOREIGN KEY (consortium_id, category_id) REFERENCES categories (consortium_id, id)
);
CREATE INDEX offers_search_idx ON offers USING gin (search);
CREATE INDEX offers_title_trgm_idx ON offers USING gin (title gin_trgm_ops);
CREATE INDEX offers_supplier_idx ON offers (consortium_id, supplier_id);
CREATE INDEX offers_category_idx ON offers (consortium_id, category_id);
CREATE INDEX offers_brand_idx ON offers (consortium_id, brand);

-- Allow-list of members who may see an ALLOW_LIST offer.
CREATE TABLE offer_visibility (
  consortium_id uuid NOT NULL,
  offer_id      uuid NOT NULL,
  member_id     uuid NOT NULL,
  PRIMARY KEY (consortium_id, offer_id, member_id),
  FOREIGN KEY (consortium_id, offer_id) REFERENCES offers (consortium_id, id) ON DELETE CASCADE,
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
CREATE INDEX offer_visibility_member_idx ON offer_visibility (consortium_id, member_id);

CREATE TABLE sourcing_agreements (
  consortium_id uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  supplier_id   uuid NOT NULL,
  seller_id     uuid NOT NULL,
  status        text NOT NULL DEFAULT 'REQUESTED' CHECK (status IN ('REQUESTED', 'APPROVED', 'DECLINED', 'REVOKED')),
  discount_bps  integer NOT NULL DEFAULT 0 CHECK (discount_bps BETWEEN 0 AND 9999),
  message       text NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
  created_at    timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT sourcing_agreements_pair_key UNIQUE (consortium_id, supplier_id, seller_id),
  FOREIGN KEY (consortium_id, supplier_id) REFERENCES members (consortium_id, id),
  FOREIGN KEY (consortium_id, seller_id) REFERENCES members (consortium_id, id),
  CHECK (supplier_id <> seller_id)
);
CREATE INDEX sourcing_agreements_seller_idx ON sourcing_agreements (consortium_id, seller_id);
CREATE INDEX sourcing_agreements_created_idx ON sourcing_agreements (consortium_id, created_at DESC, id DESC);
ALTER TABLE sourcing_agreements ENABLE ROW LEVEL SECURITY;
-- Both parties see an agreement; the seller requests, the supplier decides (the
-- application checks which column each may change).
CREATE POLICY sourcing_agreements_all ON sourcing_agreements
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR
         (app_role() = 'member' AND app_member() IN (supplier_id, seller_id))))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR
         (app_role() = 'member' AND app_member() IN (supplier_id, seller_id))));

-- May member m see offer o? ACTIVE or DISCONTINUED (so listings can show "unavailable"),
-- visible to the whole consortium or allow-listed, and, when the supplier requires it,
-- with an APPROVED agreement. STABLE SQL so the planner inlines it into policies.
CREATE FUNCTION offer_entitled(p_consortium uuid, p_offer uuid, p_supplier uuid, p_status text, p_visibility text, p_member uuid)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p_member IS NOT NULL AND p_status <> 'DRAFT'
     AND (p_visibility = 'CONSORTIUM' OR EXISTS (
           SELECT 1 FROM offer_visibility v WHERE v.consortium_id = p_consortium AND v.offer_id = p_offer AND v.member_id = p_member))
     AND (NOT coalesce((SELECT sp.agreement_required FROM supplier_profiles sp
                        WHERE sp.consortium_id = p_consortium AND sp.member_id = p_supplier), false)
          OR EXISTS (SELECT 1 FROM sourcing_agreements a WHERE a.consortium_id = p_consortium
                     AND a.supplier_id = p_supplier AND a.seller_id = p_member AND a.status = 'APPROVED'))
$$;

ALTER TABLE offers ENABLE ROW LEVEL SECURITY;
CREATE POLICY offers_read ON offers FOR SELECT
  USING (consortium_id = app_consortium() AND (
    app_role() IN ('operator', 'system') OR
    (app_role() = 'member' AND (supplier_id = app_member() OR
      offer_entitled(consortium_id, id, supplier_id, status, visibility, app_member())))));
CREATE POLICY offers_write ON offers FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));
CREATE POLICY offers_update ON offers FOR UPDATE
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));
CREATE POLICY offers_delete ON offers FOR DELETE
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));

ALTER TABLE offer_visibility ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_visibility_all ON offer_visibility
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR
    (app_role() = 'member' AND (member_id = app_member() OR EXISTS (
      SELECT 1 FROM offers o WHERE o.consortium_id = offer_visibility.consortium_id AND o.id = offer_visibility.offer_id AND o.supplier_id = app_member())))))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND EXISTS (
      SELECT 1 FROM offers o WHERE o.consortium_id = offer_visibility.consortium_id AND o.id = offer_visibility.offer_id AND o.supplier_id = app_member()))));

CREATE TABLE offer_variants (
  consortium_id          uuid NOT NULL,
  id                     uuid NOT NULL DEFAULT gen_random_uuid(),
  offer_id               uuid NOT NULL,
  supplier_id            uuid NOT NULL,
  sku                    text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$'),
  gtin                   text CHECK (gtin ~ '^[0-9]{8}$|^[0-9]{12,14}$'),
  options                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(options) = 'object'),
  weight_grams           integer NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
  currency               char(3) NOT NULL REFERENCES currencies (code),
  wholesale_price        bigint NOT NULL CHECK (wholesale_price > 0),
  suggested_retail_price bigint NOT NULL CHECK (suggested_retail_price > 0),
  minimum_resale_price   bigint CHECK (minimum_resale_price IS NULL OR
                           (minimum_resale_price >= wholesale_price AND minimum_resale_price <= suggested_retail_price)),
  availability           text NOT NULL DEFAULT 'IN_STOCK' CHECK (availability IN ('IN_STOCK', 'MADE_TO_ORDER', 'OUT_OF_STOCK')),
  available_quantity     integer NOT NULL DEFAULT 0 CHECK (available_quantity >= 0),
  made_to_order_days     integer NOT NULL DEFAULT 0 CHECK (made_to_order_days BETWEEN 0 AND 365),
  ships_direct           boolean NOT NULL DEFAULT false,
  ship_from_latitude     double precision CHECK (ship_from_latitude BETWEEN -90 AND 90),
  ship_from_longitude    double precision CHECK (ship_from_longitude BETWEEN -180 AND 180),
  ship_from_region       text,
  ships_to_regions       text[] NOT NULL DEFAULT '{}',
  direct_lead_time_days  integer NOT NULL DEFAULT 0 CHECK (direct_lead_time_days BETWEEN 0 AND 365),
  direct_shipping_cost   bigint NOT NULL DEFAULT 0 CHECK (direct_shipping_cost >= 0),
  status                 text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISCONTINUED')),
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT offer_variants_sku_key UNIQUE (consortium_id, supplier_id, sku),
  FOREIGN KEY (consortium_id, offer_id) REFERENCES offers (consortium_id, id) ON DELETE CASCADE,
  FOREIGN KEY (consortium_id, supplier_id) REFERENCES members (consortium_id, id),
  CHECK (suggested_retail_price >= wholesale_price),
  CHECK (NOT ships_direct OR (ship_from_latitude IS NOT NULL AND ship_from_longitude IS NOT NULL AND ship_from_region IS NOT NULL))
) WITH (fillfactor = 80); -- room on each page so the frequent availability updates stay HOT
CREATE INDEX offer_variants_offer_idx ON offer_variants (consortium_id, offer_id);
CREATE INDEX offer_variants_gtin_idx ON offer_variants (consortium_id, gtin) WHERE gtin IS NOT NULL;
CREATE INDEX offer_variants_sku_trgm_idx ON offer_variants USING gin (sku gin_trgm_ops);
ALTER TABLE offer_variants ENABLE ROW LEVEL SECURITY;
-- A variant is visible exactly when its offer is (the subquery runs the offers policy).
CREATE POLICY offer_variants_read ON offer_variants FOR SELECT
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offers o WHERE o.consortium_id = offer_variants.consortium_id AND o.id = offer_variants.offer_id));
CREATE POLICY offer_variants_write ON offer_variants FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));
CREATE POLICY offer_variants_update ON offer_variants FOR UPDATE
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));
CREATE POLICY offer_variants_delete ON offer_variants FOR DELETE
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));

-- Quantity price tiers: from min_quantity units on, the unit wholesale price is price.
CREATE TABLE variant_price_tiers (
  consortium_id uuid NOT NULL,
  variant_id    uuid NOT NULL,
  min_quantity  integer NOT NULL CHECK (min_quantity >= 2),
  price         bigint NOT NULL CHECK (price > 0),
  PRIMARY KEY (consortium_id, variant_id, min_quantity),
  FOREIGN KEY (consortium_id, variant_id) REFERENCES offer_variants (consortium_id, id) ON DELETE CASCADE
);
ALTER TABLE variant_price_tiers ENABLE ROW LEVEL SECURITY;
CREATE POLICY variant_price_tiers_all ON variant_price_tiers
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offer_variants v WHERE v.consortium_id = variant_price_tiers.consortium_id AND v.id = variant_price_tiers.variant_id))
  WITH CHECK (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offer_variants v WHERE v.consortium_id = variant_price_tiers.consortium_id AND v.id = variant_price_tiers.variant_id
      AND (app_role() = 'system' OR v.supplier_id = app_member())));

-- Which warehouses hold a variant on consignment (stock quantities: checkout issue).
CREATE TABLE variant_warehouses (
  consortium_id uuid NOT NULL,
  variant_id    uuid NOT NULL,
  warehouse_id  uuid NOT NULL,
  PRIMARY KEY (consortium_id, variant_id, warehouse_id),
  FOREIGN KEY (consortium_id, variant_id) REFERENCES offer_variants (consortium_id, id) ON DELETE CASCADE,
  FOREIGN KEY (consortium_id, warehouse_id) REFERENCES warehouses (consortium_id, id)
);
CREATE INDEX variant_warehouses_warehouse_idx ON variant_warehouses (consortium_id, warehouse_id);
ALTER TABLE variant_warehouses ENABLE ROW LEVEL SECURITY;
CREATE POLICY variant_warehouses_all ON variant_warehouses
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offer_variants v WHERE v.consortium_id = variant_warehouses.consortium_id AND v.id = variant_warehouses.variant_id))
  WITH CHECK (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offer_variants v WHERE v.consortium_id = variant_warehouses.consortium_id AND v.id = variant_warehouses.variant_id
      AND (app_role() = 'system' OR v.supplier_id = app_member())));

-- Every change that matters to listings: who, when, what (field -> {old, new}).
CREATE TABLE offer_changes (
  consortium_id uuid NOT NULL,
  id            bigint GENERATED ALWAYS AS IDENTITY,
  offer_id      uuid NOT NULL,
  variant_id    uuid,
  supplier_id   uuid NOT NULL,
  version       integer NOT NULL,
  actor         text NOT NULL,
  changes       jsonb NOT NULL,
  changed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id)
);
CREATE INDEX offer_changes_offer_idx ON offer_changes (consortium_id, offer_id, id);
ALTER TABLE offer_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY offer_changes_read ON offer_changes FOR SELECT
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM offers o WHERE o.consortium_id = offer_changes.consortium_id AND o.id = offer_changes.offer_id));
CREATE POLICY offer_changes_insert ON offer_changes FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));

CREATE TABLE import_jobs (
  consortium_id uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  supplier_id   uuid NOT NULL,
  format        text NOT NULL CHECK (format IN ('CSV', 'JSONL')),
  status        text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
  total_rows    integer NOT NULL DEFAULT 0,
  processed     integer NOT NULL DEFAULT 0,
  created       integer NOT NULL DEFAULT 0,
  updated       integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  error         text,
  payload       bytea,            -- the uploaded file, cleared when the job ends
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  PRIMARY KEY (consortium_id, id),
  FOREIGN KEY (consortium_id, supplier_id) REFERENCES members (consortium_id, id)
);
ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_jobs_all ON import_jobs
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND supplier_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND supplier_id = app_member())));

CREATE TABLE import_job_errors (
  consortium_id uuid NOT NULL,
  job_id        uuid NOT NULL,
  row_number    integer NOT NULL,
  field         text NOT NULL DEFAULT '',
  message       text NOT NULL,
  PRIMARY KEY (consortium_id, job_id, row_number, field),
  FOREIGN KEY (consortium_id, job_id) REFERENCES import_jobs (consortium_id, id) ON DELETE CASCADE
);
ALTER TABLE import_job_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_job_errors_all ON import_job_errors
  USING (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_errors.consortium_id AND j.id = import_job_errors.job_id))
  WITH CHECK (consortium_id = app_consortium() AND EXISTS (
    SELECT 1 FROM import_jobs j WHERE j.consortium_id = import_job_errors.consortium_id AND j.id = import_job_errors.job_id));
