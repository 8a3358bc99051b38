-- Federation (私域): a seller republishes entitled offers into its own storefronts as
-- listings, priced by its own rules. Listings REFERENCE offers and variants; they never
-- copy the supplier's prices or availability. What shoppers read — the computed sell
-- price, compare-at, stock level, effective status and the listing's presentation — is
-- materialized on storefront-owned rows and kept current by statement-level triggers on
-- the catalog tables, set-based, in the transaction of the change. Shoppers therefore
-- never need (and never get) read access to catalog rows: wholesale never leaves rows a
-- storefront cannot read, and pricing rules (from which wholesale could be derived) are
-- readable by the seller only.
--
-- Every table leads with storefront_id (Citus distribution key for storefront data) and
-- carries consortium_id and member_id (the seller) for the policies.

-- A pricing rule; exactly one holder (storefront default, collection, listing or customer
-- group) points at it. The price rule itself is gm_listing_price below (mirrored in Go
-- by federation.Price; a property test keeps the two equal).
CREATE TABLE pricing_rules (
  storefront_id  uuid NOT NULL REFERENCES storefronts (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id  uuid NOT NULL,
  member_id      uuid NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('MARKUP_PERCENT', 'MARKUP_FIXED', 'FIXED_PRICE', 'SUGGESTED_RETAIL')),
  percent_bps    integer NOT NULL DEFAULT 0 CHECK (percent_bps BETWEEN 0 AND 1000000),
  amount         bigint NOT NULL DEFAULT 0 CHECK (amount BETWEEN 0 AND 1000000000000),
  rounding       text NOT NULL DEFAULT 'NONE' CHECK (rounding IN ('NONE', 'CHARM_99', 'WHOLE')),
  basis_quantity integer NOT NULL DEFAULT 1 CHECK (basis_quantity BETWEEN 1 AND 1000000),
  min_margin_bps integer CHECK (min_margin_bps BETWEEN 0 AND 9000),
  clamp_to_floor boolean NOT NULL DEFAULT false,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CHECK (kind <> 'FIXED_PRICE' OR amount > 0)
);

-- The storefront-wide default rule (a row exists once a default was set).
CREATE TABLE storefront_pricing (
  storefront_id uuid PRIMARY KEY REFERENCES storefronts (id),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  rule_id       uuid,
  FOREIGN KEY (storefront_id, rule_id) REFERENCES pricing_rules (storefront_id, id)
);

CREATE TABLE storefront_collections (
  storefront_id uuid NOT NULL REFERENCES storefronts (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  handle        text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
  title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  rule_id       uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT storefront_collections_handle_key UNIQUE (storefront_id, handle),
  FOREIGN KEY (storefront_id, rule_id) REFERENCES pricing_rules (storefront_id, id)
);
CREATE INDEX storefront_collections_id_idx ON storefront_collections (id);

CREATE TABLE listings (
  storefront_id        uuid NOT NULL REFERENCES storefronts (id),
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id        uuid NOT NULL,
  member_id            uuid NOT NULL,           -- the seller
  offer_id             uuid NOT NULL,
  handle               text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{0,127}$'),
  title_override       text CHECK (length(title_override) BETWEEN 1 AND 300),
  description_override text CHECK (length(description_override) <= 20000),
  collection_id        uuid,
  rule_id              uuid,
  status               text NOT NULL DEFAULT 'PUBLISHED' CHECK (status IN ('PUBLISHED', 'UNPUBLISHED')),
  all_variants         boolean NOT NULL DEFAULT true, -- variants the supplier adds later join the listing
  -- Presentation materialized from the offer (the override when set); brand and vendor
  -- only when the supplier lets storefronts show who supplies (supplier_profiles.show_brand).
  title                text NOT NULL,
  description          text NOT NULL DEFAULT '',
  images               text[] NOT NULL DEFAULT '{}',
  brand                text NOT NULL DEFAULT '',
  vendor               text NOT NULL DEFAULT '',
  category_id          uuid,
  search               tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('simple', coalesce(title, '')), 'A') ||
                         setweight(to_tsvector('simple', coalesce(brand, '')), 'B') ||
                         setweight(to_tsvector('simple', coalesce(description, '')), 'C')) STORED,
  published_at         timestamptz NOT NULL DEFAULT now(),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT listings_handle_key UNIQUE (storefront_id, handle),
  CONSTRAINT listings_offer_key UNIQUE (storefront_id, offer_id),
  FOREIGN KEY (consortium_id, offer_id) REFERENCES offers (consortium_id, id),
  FOREIGN KEY (storefront_id, collection_id) REFERENCES storefront_collections (storefront_id, id),
  FOREIGN KEY (storefront_id, rule_id) REFERENCES pricing_rules (storefront_id, id)
);
CREATE INDEX listings_id_idx ON listings (id); -- node(id) and loaders know only the id
CREATE INDEX listings_offer_idx ON listings (consortium_id, offer_id);
CREATE INDEX listings_member_idx ON listings (consortium_id, member_id);
CREATE INDEX listings_published_idx ON listings (storefront_id, published_at DESC, id DESC);
CREATE INDEX listings_collection_idx ON listings (storefront_id, collection_id);
CREATE INDEX listings_search_idx ON listings USING gin (search);

CREATE TABLE listing_variants (
  storefront_id uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  listing_id    uuid NOT NULL,
  variant_id    uuid NOT NULL,
  position      integer NOT NULL DEFAULT 0,
  fixed_price   bigint CHECK (fixed_price > 0),   -- the seller's own price for this variant
  -- Materialized by gm_federation_refresh from the live variant and the rule:
  options       jsonb NOT NULL DEFAULT '{}',
  currency      char(3) NOT NULL,
  price         bigint NOT NULL DEFAULT 0,
  compare_at    bigint,
  stock_level   text NOT NULL DEFAULT 'OUT_OF_STOCK' CHECK (stock_level IN ('IN_STOCK', 'LOW', 'OUT_OF_STOCK')),
  status        text NOT NULL DEFAULT 'UNPUBLISHED'
                CHECK (status IN ('ACTIVE', 'OUT_OF_STOCK', 'PRICE_HELD', 'UNAVAILABLE', 'UNPUBLISHED')),
  status_reason text,
  computed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT listing_variants_variant_key UNIQUE (storefront_id, listing_id, variant_id),
  FOREIGN KEY (storefront_id, listing_id) REFERENCES listings (storefront_id, id) ON DELETE CASCADE,
  FOREIGN KEY (consortium_id, variant_id) REFERENCES offer_variants (consortium_id, id)
) WITH (fillfactor = 70); -- propagation rewrites price/status (unindexed): room for HOT updates
CREATE INDEX listing_variants_variant_idx ON listing_variants (consortium_id, variant_id);

-- B2B buyers: a storefront's customer groups, each with an optional own rule, a minimum
-- order value and payment terms (read by checkout and payments).
CREATE TABLE customer_groups (
  storefront_id      uuid NOT NULL REFERENCES storefronts (id),
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  rule_id            uuid,
  min_order_value    bigint NOT NULL DEFAULT 0 CHECK (min_order_value >= 0),
  payment_terms_days integer NOT NULL DEFAULT 0 CHECK (payment_terms_days BETWEEN 0 AND 365),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id),
  CONSTRAINT customer_groups_name_key UNIQUE (storefront_id, name),
  FOREIGN KEY (storefront_id, rule_id) REFERENCES pricing_rules (storefront_id, id)
);
CREATE INDEX customer_groups_id_idx ON customer_groups (id);

-- Quantity breaks a group gets on top of its price: from min_quantity units on,
-- discount_bps off the unit price (never under the supplier's floor; checkout applies it).
CREATE TABLE customer_group_tiers (
  storefront_id uuid NOT NULL,
  group_id      uuid NOT NULL,
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  min_quantity  integer NOT NULL CHECK (min_quantity >= 2),
  discount_bps  integer NOT NULL CHECK (discount_bps BETWEEN 1 AND 9999),
  PRIMARY KEY (storefront_id, group_id, min_quantity),
  FOREIGN KEY (storefront_id, group_id) REFERENCES customer_groups (storefront_id, id) ON DELETE CASCADE
);

-- The customer's group (tenants owns customers; this one column belongs to federation).
ALTER TABLE customers ADD COLUMN customer_group_id uuid;
ALTER TABLE customers ADD CONSTRAINT customers_group_fkey FOREIGN KEY (storefront_id, customer_group_id)
  REFERENCES customer_groups (storefront_id, id) ON DELETE SET NULL (customer_group_id);

-- A group's price of a listing variant, materialized like listing_variants' default price:
-- a row exists for every listing variant of a group that has its own rule, and for every
-- price-list entry (fixed_price) of a group. No row: the group pays the default price.
CREATE TABLE listing_variant_prices (
  storefront_id      uuid NOT NULL,
  group_id           uuid NOT NULL,
  listing_variant_id uuid NOT NULL,
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  fixed_price        bigint CHECK (fixed_price > 0),
  price              bigint NOT NULL DEFAULT 0,
  compare_at         bigint,
  status             text NOT NULL DEFAULT 'UNPUBLISHED'
                     CHECK (status IN ('ACTIVE', 'OUT_OF_STOCK', 'PRICE_HELD', 'UNAVAILABLE', 'UNPUBLISHED')),
  status_reason      text,
  computed_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, group_id, listing_variant_id),
  FOREIGN KEY (storefront_id, group_id) REFERENCES customer_groups (storefront_id, id) ON DELETE CASCADE,
  FOREIGN KEY (storefront_id, listing_variant_id) REFERENCES listing_variants (storefront_id, id) ON DELETE CASCADE
) WITH (fillfactor = 70);
CREATE INDEX listing_variant_prices_lv_idx ON listing_variant_prices (storefront_id, listing_variant_id);

-- The seller's feed: every change of a listing variant's default price, compare-at,
-- status or status reason, whatever caused it (supplier edit, import, agreement, the seller's own rule).
CREATE TABLE listing_changes (
  storefront_id      uuid NOT NULL,
  id                 bigint GENERATED ALWAYS AS IDENTITY,
  consortium_id      uuid NOT NULL,
  member_id          uuid NOT NULL,
  listing_id         uuid NOT NULL,
  listing_variant_id uuid NOT NULL,
  old_price          bigint,
  new_price          bigint NOT NULL,
  old_status         text,
  new_status         text NOT NULL,
  reason             text,
  at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id)
);

-- Row-level security. Sellers (member role) see and write their own storefronts' rows;
-- the system role everything of its consortium. A storefront's frontends (storefront key,
-- shopper, customer) read only what a shop window needs: published listings, sellable
-- variants, collections, and (customers) their own group and its prices. Rules, the feed
-- and groups' settings are the seller's.
ALTER TABLE pricing_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE storefront_pricing ENABLE ROW LEVEL SECURITY;
ALTER TABLE storefront_collections ENABLE ROW LEVEL SECURITY;
ALTER TABLE listings ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_group_tiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_variant_prices ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_changes ENABLE ROW LEVEL SECURITY;

CREATE POLICY pricing_rules_seller ON pricing_rules
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY storefront_pricing_seller ON storefront_pricing
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY customer_group_tiers_seller ON customer_group_tiers
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY customer_group_tiers_storefront ON customer_group_tiers FOR SELECT
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND (app_role() = 'storefront' OR
    (app_role() = 'customer' AND group_id = (SELECT c.customer_group_id FROM customers c
                                              WHERE c.storefront_id = app_storefront() AND c.id = app_customer()))));
CREATE POLICY listing_changes_seller ON listing_changes
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY listing_changes_storefront ON listing_changes FOR SELECT
  USING (consortium_id = app_consortium() AND app_role() = 'storefront' AND storefront_id = app_storefront());

CREATE POLICY storefront_collections_seller ON storefront_collections
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY storefront_collections_window ON storefront_collections FOR SELECT
  USING (consortium_id = app_consortium() AND app_role() IN ('storefront', 'shopper', 'customer') AND storefront_id = app_storefront());

CREATE POLICY listings_seller ON listings
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY listings_window ON listings FOR SELECT
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND
         (app_role() = 'storefront' OR (app_role() IN ('shopper', 'customer') AND status = 'PUBLISHED')));

CREATE POLICY listing_variants_seller ON listing_variants
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY listing_variants_window ON listing_variants FOR SELECT
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND
         (app_role() = 'storefront' OR (app_role() IN ('shopper', 'customer') AND status IN ('ACTIVE', 'OUT_OF_STOCK'))));

CREATE POLICY customer_groups_seller ON customer_groups
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY customer_groups_window ON customer_groups FOR SELECT
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND (app_role() = 'storefront' OR
    (app_role() = 'customer' AND id = (SELECT c.customer_group_id FROM customers c
                                        WHERE c.storefront_id = app_storefront() AND c.id = app_customer()))));

CREATE POLICY listing_variant_prices_seller ON listing_variant_prices
  USING (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() = 'system' OR (app_role() = 'member' AND member_id = app_member())));
CREATE POLICY listing_variant_prices_window ON listing_variant_prices FOR SELECT
  USING (consortium_id = app_consortium() AND storefront_id = app_storefront() AND (app_role() = 'storefront' OR
    (app_role() = 'customer' AND group_id = (SELECT c.customer_group_id FROM customers c
                                        WHERE c.storefront_id = app_storefront() AND c.id = app_customer()))));

-- ---------------------------------------------------------------------------------------
-- The price rule, once (federation.Price mirrors it; TestPriceMatchesSQL compares them on
-- thousands of random inputs). Integer minor units throughout; numeric only to avoid
-- overflow in intermediate products.
--
--   cost      effective wholesale for the seller: the variant's tier price for the rule's
--             basis quantity (1 unless set; tiers start at 2, so normally the list
--             wholesale), less the seller's APPROVED agreement discount rounded down
--             (catalog.ApplyDiscount).
--   raw       MARKUP_PERCENT: cost + round_half_up(cost × percent_bps / 10000)
--             MARKUP_FIXED:   cost + amount
--             FIXED_PRICE:    the fixed price (listing variant's own, else the rule's amount)
--             SUGGESTED_RETAIL: the suggested retail price
--   margin    formula kinds only: raised to at least ceil(cost × 10000 / (10000 − min_margin_bps))
--             (min_margin_bps is gross margin on the sell price)
--   rounding  formula kinds only: CHARM_99 → the next amount ending in 99 minor units at or
--             above (x.99); WHOLE → the next multiple of one major unit at or above
--   floor     under the supplier's minimum resale price: raised to it with clamp_to_floor,
--             else PRICE_HELD (BELOW_MINIMUM_RESALE_PRICE)
--   then      under cost → PRICE_HELD (BELOW_COST); FIXED_PRICE under the minimum margin →
--             PRICE_HELD (BELOW_MINIMUM_MARGIN)
--   status    UNPUBLISHED > UNAVAILABLE (offer/variant discontinued or draft, access
--             revoked) > PRICE_HELD > OUT_OF_STOCK > ACTIVE
--   compare_at the suggested retail price when above the price, else NULL
--   stock     OUT_OF_STOCK; LOW when IN_STOCK with ≤ 5 units; else IN_STOCK
CREATE FUNCTION gm_listing_price(
  p_kind text, p_percent_bps integer, p_amount bigint, p_rounding text, p_min_margin_bps integer,
  p_clamp boolean, p_fixed bigint, p_cost bigint, p_suggested bigint, p_floor bigint, p_exponent integer,
  p_published boolean, p_entitled boolean, p_offer_status text, p_variant_status text,
  p_availability text, p_quantity integer,
  OUT price bigint, OUT compare_at bigint, OUT status text, OUT reason text, OUT stock_level text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  kind text := CASE WHEN p_fixed IS NOT NULL THEN 'FIXED_PRICE' ELSE p_kind END;
  cost numeric := p_cost;
  p numeric;
  min_margin numeric;
  unit numeric := power(10::numeric, p_exponent);
  clamped boolean := false;
  held text;
  unavailable text;
BEGIN
  p := CASE kind
         WHEN 'MARKUP_PERCENT' THEN cost + div(cost * p_percent_bps + 5000, 10000)
         WHEN 'MARKUP_FIXED' THEN cost + p_amount
         WHEN 'FIXED_PRICE' THEN coalesce(p_fixed, p_amount)
         ELSE p_suggested END;
  IF p_min_margin_bps IS NOT NULL THEN
    min_margin := div(cost * 10000 + (10000 - p_min_margin_bps) - 1, 10000 - p_min_margin_bps);
  END IF;
  IF kind <> 'FIXED_PRICE' THEN
    IF min_margin IS NOT NULL AND p < min_margin THEN
      p := min_margin;
    END IF;
    IF p_rounding = 'CHARM_99' THEN
      p := p + mod(99 - mod(p, 100) + 100, 100);
    ELSIF p_rounding = 'WHOLE' THEN
      p := p + mod(unit - mod(p, unit), unit);
    END IF;
  END IF;
  IF p_floor IS NOT NULL AND p < p_floor AND p_clamp THEN
    p := p_floor;
    clamped := true;
  END IF;
  held := CASE WHEN p_floor IS NOT NULL AND p < p_floor THEN 'BELOW_MINIMUM_RESALE_PRICE'
               WHEN p < cost THEN 'BELOW_COST'
               WHEN kind = 'FIXED_PRICE' AND min_margin IS NOT NULL AND p < min_margin THEN 'BELOW_MINIMUM_MARGIN' END;
  unavailable := CASE WHEN p_offer_status = 'DISCONTINUED' THEN 'OFFER_DISCONTINUED'
                      WHEN p_offer_status <> 'ACTIVE' THEN 'OFFER_NOT_ACTIVE'
                      WHEN NOT p_entitled THEN 'ACCESS_REVOKED'
                      WHEN p_variant_status <> 'ACTIVE' THEN 'VARIANT_DISCONTINUED' END;
  price := p;
  compare_at := CASE WHEN p_suggested > p THEN p_suggested END;
  IF NOT p_published THEN
    status := 'UNPUBLISHED'; reason := 'UNPUBLISHED';
  ELSIF unavailable IS NOT NULL THEN
    status := 'UNAVAILABLE'; reason := unavailable;
  ELSIF held IS NOT NULL THEN
    status := 'PRICE_HELD'; reason := held;
  ELSIF p_availability = 'OUT_OF_STOCK' THEN
    status := 'OUT_OF_STOCK'; reason := 'SUPPLIER_OUT_OF_STOCK';
  ELSE
    status := 'ACTIVE'; reason := CASE WHEN clamped THEN 'CLAMPED_TO_MINIMUM_RESALE_PRICE' END;
  END IF;
  stock_level := CASE WHEN p_availability = 'OUT_OF_STOCK' THEN 'OUT_OF_STOCK'
                      WHEN p_availability = 'IN_STOCK' AND p_quantity <= 5 THEN 'LOW'
                      ELSE 'IN_STOCK' END;
END
$$;

-- Effective wholesale for a seller (see "cost" above). catalog.ApplyDiscount semantics.
CREATE FUNCTION gm_effective_wholesale(p_consortium uuid, p_variant uuid, p_wholesale bigint, p_basis integer, p_discount_bps integer)
RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (w - div(w::numeric * p_discount_bps, 10000))::bigint
  FROM (SELECT coalesce((SELECT t.price FROM variant_price_tiers t
                          WHERE t.consortium_id = p_consortium AND t.variant_id = p_variant AND t.min_quantity <= p_basis
                          ORDER BY t.min_quantity DESC LIMIT 1), p_wholesale) AS w) x
$$;

-- A listing handle from a title: lower-case words joined by '-', plus 8 hex digits of the
-- offer's id so two offers with the same title get distinct handles.
CREATE FUNCTION gm_listing_handle(p_title text, p_offer uuid) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(nullif(left(trim(both '-' from regexp_replace(lower(p_title), '[^a-z0-9]+', '-', 'g')), 100), ''), 'listing')
         || '-' || left(replace(p_offer::text, '-', ''), 8)
$$;

-- Recompute the listing variants (and group prices) selected by p_target, in one
-- statement, and append a listing_changes row for each default price/status change. Runs
-- as the owner: it must see every storefront's rows and catalog rows the seller may no
-- longer see (an offer whose access was revoked). Not callable by the application; the
-- catalog triggers and gm_federation_refresh_listings (which checks the caller) call it.
--   p_target: 'variant' (p_ids = variant ids), 'offer' (offer ids), 'listing' (listing ids
--   of storefront p_storefront), 'storefront' (p_storefront), 'pair' (p_supplier's offers
--   in p_seller's listings), 'supplier' (p_supplier's offers). p_consortium scopes all.
CREATE FUNCTION gm_federation_refresh(p_target text, p_consortium uuid, p_ids uuid[],
  p_storefront uuid, p_supplier uuid, p_seller uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  -- the listing variant columns the recompute reads, selected once by the target query
  cols constant text := 'lv.storefront_id, lv.id, lv.listing_id, lv.consortium_id, lv.member_id, lv.variant_id, lv.fixed_price,
    lv.price, lv.compare_at, lv.status, lv.status_reason, lv.stock_level, lv.options';
  target text;
  n integer;
BEGIN
  target := 'SELECT ' || cols || CASE p_target
    WHEN 'variant' THEN ' FROM listing_variants lv WHERE lv.consortium_id = $1 AND lv.variant_id = ANY($2)'
    WHEN 'offer' THEN ' FROM listings l JOIN listing_variants lv ON lv.storefront_id = l.storefront_id AND lv.listing_id = l.id
                       WHERE l.consortium_id = $1 AND l.offer_id = ANY($2)'
    WHEN 'listing' THEN ' FROM listing_variants lv WHERE lv.storefront_id = $3 AND lv.consortium_id = $1 AND lv.listing_id = ANY($2)'
    WHEN 'storefront' THEN ' FROM listing_variants lv WHERE lv.storefront_id = $3 AND lv.consortium_id = $1'
    WHEN 'pair' THEN ' FROM listings l JOIN offers o ON o.consortium_id = l.consortium_id AND o.id = l.offer_id
                       JOIN listing_variants lv ON lv.storefront_id = l.storefront_id AND lv.listing_id = l.id
                      WHERE l.consortium_id = $1 AND l.member_id = $5 AND o.supplier_id = $4'
    WHEN 'supplier' THEN ' FROM listings l JOIN offers o ON o.consortium_id = l.consortium_id AND o.id = l.offer_id
                       JOIN listing_variants lv ON lv.storefront_id = l.storefront_id AND lv.listing_id = l.id
                      WHERE l.consortium_id = $1 AND o.supplier_id = $4'
  END;
  IF target IS NULL THEN
    RAISE EXCEPTION 'gm_federation_refresh: unknown target %', p_target;
  END IF;

  -- Presentation first (title, images, brand... from the offer), for the listings concerned.
  IF p_target IN ('offer', 'listing', 'supplier', 'pair', 'storefront') THEN
    EXECUTE format($q$
      UPDATE listings l SET
        title = coalesce(l.title_override, o.title),
        description = coalesce(l.description_override, o.description),
        images = o.images,
        brand = CASE WHEN coalesce(sp.show_brand, true) THEN o.brand ELSE '' END,
        vendor = CASE WHEN coalesce(sp.show_brand, true) THEN coalesce(nullif(sp.display_name, ''), m.legal_name) ELSE '' END,
        category_id = o.category_id,
        updated_at = now()
      FROM offers o
      JOIN members m ON m.consortium_id = o.consortium_id AND m.id = o.supplier_id
      LEFT JOIN supplier_profiles sp ON sp.consortium_id = o.consortium_id AND sp.member_id = o.supplier_id
      WHERE o.consortium_id = l.consortium_id AND o.id = l.offer_id
        AND (l.storefront_id, l.id) IN (SELECT x.storefront_id, x.listing_id FROM (%s) x)
        AND (l.title, l.description, l.images, l.brand, l.vendor, l.category_id) IS DISTINCT FROM
            (coalesce(l.title_override, o.title), coalesce(l.description_override, o.description), o.images,
             CASE WHEN coalesce(sp.show_brand, true) THEN o.brand ELSE '' END,
             CASE WHEN coalesce(sp.show_brand, true) THEN coalesce(nullif(sp.display_name, ''), m.legal_name) ELSE '' END,
             o.category_id)$q$, target)
    USING p_consortium, p_ids, p_storefront, p_supplier, p_seller;
  END IF;

  EXECUTE format($q$
    WITH t AS (%s),
    base0 AS (
      SELECT lv.storefront_id, lv.id, lv.listing_id, lv.consortium_id, lv.member_id, lv.variant_id, lv.fixed_price,
             lv.price AS old_price, lv.compare_at AS old_compare_at, lv.status AS old_status,
             lv.status_reason AS old_reason, lv.stock_level AS old_stock, lv.options AS old_options,
             l.status = 'PUBLISHED' AS published,
             coalesce(l.rule_id, c.rule_id, spr.rule_id) AS rule_id,
             v.wholesale_price, v.suggested_retail_price, v.minimum_resale_price, v.availability,
             v.available_quantity, v.status AS variant_status, v.options, cur.exponent,
             o.id AS offer_id, o.supplier_id, o.status AS offer_status, o.visibility
      FROM t lv
      JOIN listings l ON l.storefront_id = lv.storefront_id AND l.id = lv.listing_id
      JOIN offer_variants v ON v.consortium_id = lv.consortium_id AND v.id = lv.variant_id
      JOIN offers o ON o.consortium_id = v.consortium_id AND o.id = v.offer_id
      JOIN currencies cur ON cur.code = v.currency
      LEFT JOIN storefront_collections c ON c.storefront_id = l.storefront_id AND c.id = l.collection_id
      LEFT JOIN storefront_pricing spr ON spr.storefront_id = l.storefront_id
    ),
    -- Access and agreement discount once per (offer, seller), not once per listing.
    access AS MATERIALIZED (
      SELECT p.*, (p.supplier_id = p.member_id OR
                   offer_entitled(p.consortium_id, p.offer_id, p.supplier_id, p.offer_status, p.visibility, p.member_id)) AS entitled,
             coalesce((SELECT a.discount_bps FROM sourcing_agreements a WHERE a.consortium_id = p.consortium_id
                         AND a.supplier_id = p.supplier_id AND a.seller_id = p.member_id AND a.status = 'APPROVED'), 0) AS discount_bps
      FROM (SELECT DISTINCT consortium_id, offer_id, supplier_id, offer_status, visibility, member_id FROM base0) p
    ),
    base AS (
      SELECT b.*, x.entitled, x.discount_bps
      FROM base0 b JOIN access x ON x.consortium_id = b.consortium_id AND x.offer_id = b.offer_id AND x.member_id = b.member_id
    ),
    inputs AS (
      SELECT b.*, coalesce(r.kind, 'SUGGESTED_RETAIL') AS r_kind, coalesce(r.percent_bps, 0) AS r_pct, coalesce(r.amount, 0) AS r_amount,
             coalesce(r.rounding, 'NONE') AS r_rounding, coalesce(r.min_margin_bps, -1) AS r_margin,
             coalesce(r.clamp_to_floor, false) AS r_clamp, coalesce(r.basis_quantity, 1) AS r_basis
      FROM base b LEFT JOIN pricing_rules r ON r.storefront_id = b.storefront_id AND r.id = b.rule_id
    ),
    -- Cost once per (variant, basis quantity, discount); the price once per distinct set
    -- of inputs: 10,000 listings of one variant under a few rules cost a few calls.
    costs AS MATERIALIZED (
      SELECT k.*, gm_effective_wholesale(k.consortium_id, k.variant_id, k.wholesale_price, k.r_basis, k.discount_bps) AS cost
      FROM (SELECT DISTINCT consortium_id, variant_id, wholesale_price, r_basis, discount_bps FROM inputs) k
    ),
    keyed AS (
      SELECT i.*, c.cost, coalesce(i.fixed_price, -1) AS k_fixed, coalesce(i.minimum_resale_price, -1) AS k_floor
      FROM inputs i JOIN costs c ON c.consortium_id = i.consortium_id AND c.variant_id = i.variant_id
                                AND c.r_basis = i.r_basis AND c.discount_bps = i.discount_bps
    ),
    prices AS MATERIALIZED (
      SELECT d.*, p.price, p.compare_at, p.status, p.reason, p.stock_level
      FROM (SELECT DISTINCT r_kind, r_pct, r_amount, r_rounding, r_margin, r_clamp, k_fixed, cost, suggested_retail_price,
                   k_floor, exponent, published, entitled, offer_status, variant_status, availability, available_quantity FROM keyed) d
      CROSS JOIN LATERAL gm_listing_price(d.r_kind, d.r_pct, d.r_amount, d.r_rounding, nullif(d.r_margin, -1), d.r_clamp,
          nullif(d.k_fixed, -1), d.cost, d.suggested_retail_price, nullif(d.k_floor, -1), d.exponent, d.published, d.entitled,
          d.offer_status, d.variant_status, d.availability, d.available_quantity) p
    ),
    priced AS (
      SELECT k.*, p.price, p.compare_at, p.status, p.reason, p.stock_level
      FROM keyed k JOIN prices p ON (p.r_kind, p.r_pct, p.r_amount, p.r_rounding, p.r_margin, p.r_clamp, p.k_fixed, p.cost,
          p.suggested_retail_price, p.k_floor, p.exponent, p.published, p.entitled, p.offer_status, p.variant_status,
          p.availability, p.available_quantity)
        = (k.r_kind, k.r_pct, k.r_amount, k.r_rounding, k.r_margin, k.r_clamp, k.k_fixed, k.cost,
          k.suggested_retail_price, k.k_floor, k.exponent, k.published, k.entitled, k.offer_status, k.variant_status,
          k.availability, k.available_quantity)
    ),
    upd AS (
      UPDATE listing_variants lv SET price = p.price, compare_at = p.compare_at, status = p.status,
             status_reason = p.reason, stock_level = p.stock_level, options = p.options, computed_at = now()
      FROM priced p
      WHERE lv.storefront_id = p.storefront_id AND lv.id = p.id
        AND (p.old_price, p.old_compare_at, p.old_status, p.old_reason, p.old_stock, p.old_options)
            IS DISTINCT FROM (p.price, p.compare_at, p.status, p.reason, p.stock_level, p.options)
      RETURNING lv.id
    ),
    feed AS (
      INSERT INTO listing_changes (storefront_id, consortium_id, member_id, listing_id, listing_variant_id,
                                   old_price, new_price, old_status, new_status, reason)
      SELECT p.storefront_id, p.consortium_id, p.member_id, p.listing_id, p.id,
             p.old_price, p.price, p.old_status, p.status, p.reason
      FROM priced p
      WHERE (p.old_price, p.old_compare_at, p.old_status, p.old_reason) IS DISTINCT FROM (p.price, p.compare_at, p.status, p.reason)
    ),
    gpriced AS (
      SELECT lvp.storefront_id, lvp.group_id, lvp.listing_variant_id,
             lvp.price AS old_price, lvp.compare_at AS old_compare_at, lvp.status AS old_status, lvp.status_reason AS old_reason,
             p.price, p.compare_at, p.status, p.reason
      FROM base b
      JOIN listing_variant_prices lvp ON lvp.storefront_id = b.storefront_id AND lvp.listing_variant_id = b.id
      JOIN customer_groups g ON g.storefront_id = lvp.storefront_id AND g.id = lvp.group_id
      LEFT JOIN pricing_rules r ON r.storefront_id = b.storefront_id AND r.id = coalesce(g.rule_id, b.rule_id)
      CROSS JOIN LATERAL gm_listing_price(coalesce(r.kind, 'SUGGESTED_RETAIL'), coalesce(r.percent_bps, 0), coalesce(r.amount, 0),
          coalesce(r.rounding, 'NONE'), r.min_margin_bps, coalesce(r.clamp_to_floor, false),
          coalesce(lvp.fixed_price, CASE WHEN g.rule_id IS NULL THEN b.fixed_price END),
          gm_effective_wholesale(b.consortium_id, b.variant_id, b.wholesale_price, coalesce(r.basis_quantity, 1), b.discount_bps),
          b.suggested_retail_price, b.minimum_resale_price, b.exponent, b.published, b.entitled, b.offer_status,
          b.variant_status, b.availability, b.available_quantity) p
    ),
    gupd AS (
      UPDATE listing_variant_prices lvp SET price = g.price, compare_at = g.compare_at, status = g.status,
             status_reason = g.reason, computed_at = now()
      FROM gpriced g
      WHERE lvp.storefront_id = g.storefront_id AND lvp.group_id = g.group_id AND lvp.listing_variant_id = g.listing_variant_id
        AND (g.old_price, g.old_compare_at, g.old_status, g.old_reason) IS DISTINCT FROM (g.price, g.compare_at, g.status, g.reason)
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM upd)::integer + (SELECT count(*) FROM gupd)::integer$q$, target)
  INTO n
  USING p_consortium, p_ids, p_storefront, p_supplier, p_seller;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION gm_federation_refresh(text, uuid, uuid[], uuid, uuid, uuid) FROM PUBLIC, guildmart_app;

-- The application's entry point after a seller's own change (publish, rule, collection,
-- group): refresh listings of one storefront the calling member owns.
CREATE FUNCTION gm_federation_refresh_storefront(p_storefront uuid, p_listing_ids uuid[]) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM storefronts s WHERE s.id = p_storefront AND s.consortium_id = app_consortium()
                 AND ((app_role() = 'member' AND s.member_id = app_member()) OR app_role() = 'system')) THEN
    RAISE EXCEPTION 'storefront not writable in this scope' USING ERRCODE = '42501';
  END IF;
  IF p_listing_ids IS NULL THEN
    RETURN gm_federation_refresh('storefront', app_consortium(), NULL, p_storefront, NULL, NULL);
  END IF;
  RETURN gm_federation_refresh('listing', app_consortium(), p_listing_ids, p_storefront, NULL, NULL);
END
$$;
REVOKE ALL ON FUNCTION gm_federation_refresh_storefront(uuid, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_federation_refresh_storefront(uuid, uuid[]) TO guildmart_app;

-- ---------------------------------------------------------------------------------------
-- Propagation: statement-level triggers on the catalog tables. Whatever path changed the
-- catalog (GraphQL, bulk import, ERP availability updates, the operator) the listings
-- that reference it are recomputed in the same transaction, in one statement per
-- consortium touched (normally one).

CREATE FUNCTION gm_federation_variants_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT n.consortium_id, array_agg(n.id) AS ids
             FROM fed_new n JOIN fed_old o ON o.consortium_id = n.consortium_id AND o.id = n.id
            WHERE (n.wholesale_price, n.suggested_retail_price, n.minimum_resale_price, n.availability,
                   n.available_quantity, n.status, n.options, n.currency)
                  IS DISTINCT FROM (o.wholesale_price, o.suggested_retail_price, o.minimum_resale_price, o.availability,
                   o.available_quantity, o.status, o.options, o.currency)
            GROUP BY n.consortium_id LOOP
    PERFORM gm_federation_refresh('variant', r.consortium_id, r.ids, NULL, NULL, NULL);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER offer_variants_federation AFTER UPDATE ON offer_variants
  REFERENCING OLD TABLE AS fed_old NEW TABLE AS fed_new
  FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_variants_changed();

-- A variant added to an offer joins the listings that sell all of the offer's variants.
CREATE FUNCTION gm_federation_variants_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  FOR r IN WITH ins AS (
             INSERT INTO listing_variants (storefront_id, consortium_id, member_id, listing_id, variant_id, position, currency)
             SELECT l.storefront_id, l.consortium_id, l.member_id, l.id, n.id,
                    coalesce((SELECT max(lv.position) FROM listing_variants lv WHERE lv.storefront_id = l.storefront_id AND lv.listing_id = l.id), 0)
                      + row_number() OVER (PARTITION BY l.storefront_id, l.id ORDER BY n.created_at, n.sku),
                    n.currency
             FROM fed_new n
             JOIN listings l ON l.consortium_id = n.consortium_id AND l.offer_id = n.offer_id AND l.all_variants
             JOIN storefronts s ON s.id = l.storefront_id AND s.currency = n.currency
             WHERE n.status = 'ACTIVE'
             ON CONFLICT DO NOTHING
             RETURNING storefront_id, id, consortium_id, member_id, variant_id),
           grp AS (
             INSERT INTO listing_variant_prices (storefront_id, group_id, listing_variant_id, consortium_id, member_id)
             SELECT ins.storefront_id, g.id, ins.id, ins.consortium_id, ins.member_id
             FROM ins JOIN customer_groups g ON g.storefront_id = ins.storefront_id AND g.rule_id IS NOT NULL)
           SELECT consortium_id, array_agg(DISTINCT variant_id) AS ids FROM ins GROUP BY 1 LOOP
    PERFORM gm_federation_refresh('variant', r.consortium_id, r.ids, NULL, NULL, NULL);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER offer_variants_federation_ins AFTER INSERT ON offer_variants
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_variants_added();

CREATE FUNCTION gm_federation_offers_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT n.consortium_id, array_agg(n.id) AS ids
             FROM fed_new n JOIN fed_old o ON o.consortium_id = n.consortium_id AND o.id = n.id
            WHERE (n.status, n.visibility, n.title, n.description, n.brand, n.category_id, n.images)
                  IS DISTINCT FROM (o.status, o.visibility, o.title, o.description, o.brand, o.category_id, o.images)
            GROUP BY n.consortium_id LOOP
    PERFORM gm_federation_refresh('offer', r.consortium_id, r.ids, NULL, NULL, NULL);
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER offers_federation AFTER UPDATE ON offers
  REFERENCING OLD TABLE AS fed_old NEW TABLE AS fed_new
  FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_offers_changed();

-- Tiers, visibility lists: INSERT and DELETE have one transition table each, UPDATE two;
-- one function per table reads whichever the operation has.
CREATE FUNCTION gm_federation_tiers_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT consortium_id, array_agg(DISTINCT variant_id) AS ids FROM fed_old GROUP BY 1 LOOP
      PERFORM gm_federation_refresh('variant', r.consortium_id, r.ids, NULL, NULL, NULL);
    END LOOP;
  ELSE
    FOR r IN SELECT consortium_id, array_agg(DISTINCT variant_id) AS ids FROM fed_new GROUP BY 1 LOOP
      PERFORM gm_federation_refresh('variant', r.consortium_id, r.ids, NULL, NULL, NULL);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER variant_price_tiers_federation_ins AFTER INSERT ON variant_price_tiers
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_tiers_changed();
CREATE TRIGGER variant_price_tiers_federation_upd AFTER UPDATE ON variant_price_tiers
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_tiers_changed();
CREATE TRIGGER variant_price_tiers_federation_del AFTER DELETE ON variant_price_tiers
  REFERENCING OLD TABLE AS fed_old FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_tiers_changed();

CREATE FUNCTION gm_federation_visibility_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT consortium_id, array_agg(DISTINCT offer_id) AS ids FROM fed_old GROUP BY 1 LOOP
      PERFORM gm_federation_refresh('offer', r.consortium_id, r.ids, NULL, NULL, NULL);
    END LOOP;
  ELSE
    FOR r IN SELECT consortium_id, array_agg(DISTINCT offer_id) AS ids FROM fed_new GROUP BY 1 LOOP
      PERFORM gm_federation_refresh('offer', r.consortium_id, r.ids, NULL, NULL, NULL);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER offer_visibility_federation_ins AFTER INSERT ON offer_visibility
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_visibility_changed();
CREATE TRIGGER offer_visibility_federation_del AFTER DELETE ON offer_visibility
  REFERENCING OLD TABLE AS fed_old FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_visibility_changed();

-- Agreements: status or discount of a (supplier, seller) pair.
CREATE FUNCTION gm_federation_agreements_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT DISTINCT consortium_id, supplier_id, seller_id FROM fed_old LOOP
      PERFORM gm_federation_refresh('pair', r.consortium_id, NULL, NULL, r.supplier_id, r.seller_id);
    END LOOP;
  ELSIF TG_OP = 'INSERT' THEN
    FOR r IN SELECT DISTINCT consortium_id, supplier_id, seller_id FROM fed_new WHERE status = 'APPROVED' LOOP
      PERFORM gm_federation_refresh('pair', r.consortium_id, NULL, NULL, r.supplier_id, r.seller_id);
    END LOOP;
  ELSE
    FOR r IN SELECT DISTINCT n.consortium_id, n.supplier_id, n.seller_id
               FROM fed_new n JOIN fed_old o ON o.consortium_id = n.consortium_id AND o.id = n.id
              WHERE (n.status, n.discount_bps, n.supplier_id, n.seller_id) IS DISTINCT FROM (o.status, o.discount_bps, o.supplier_id, o.seller_id) LOOP
      PERFORM gm_federation_refresh('pair', r.consortium_id, NULL, NULL, r.supplier_id, r.seller_id);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER sourcing_agreements_federation_ins AFTER INSERT ON sourcing_agreements
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_agreements_changed();
CREATE TRIGGER sourcing_agreements_federation_upd AFTER UPDATE ON sourcing_agreements
  REFERENCING OLD TABLE AS fed_old NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_agreements_changed();
CREATE TRIGGER sourcing_agreements_federation_del AFTER DELETE ON sourcing_agreements
  REFERENCING OLD TABLE AS fed_old FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_agreements_changed();

-- Supplier profiles: agreement_required changes who is entitled; show_brand and
-- display_name change what storefronts may show.
CREATE FUNCTION gm_federation_profiles_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR r IN SELECT consortium_id, member_id FROM fed_new LOOP
      PERFORM gm_federation_refresh('supplier', r.consortium_id, NULL, NULL, r.member_id, NULL);
    END LOOP;
  ELSE
    FOR r IN SELECT n.consortium_id, n.member_id
               FROM fed_new n JOIN fed_old o ON o.consortium_id = n.consortium_id AND o.member_id = n.member_id
              WHERE (n.agreement_required, n.show_brand, n.display_name) IS DISTINCT FROM (o.agreement_required, o.show_brand, o.display_name) LOOP
      PERFORM gm_federation_refresh('supplier', r.consortium_id, NULL, NULL, r.member_id, NULL);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER supplier_profiles_federation_ins AFTER INSERT ON supplier_profiles
  REFERENCING NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_profiles_changed();
CREATE TRIGGER supplier_profiles_federation_upd AFTER UPDATE ON supplier_profiles
  REFERENCING OLD TABLE AS fed_old NEW TABLE AS fed_new FOR EACH STATEMENT EXECUTE FUNCTION gm_federation_profiles_changed();

REVOKE ALL ON FUNCTION gm_federation_variants_changed(), gm_federation_variants_added(), gm_federation_offers_changed(), gm_federation_tiers_changed(),
  gm_federation_visibility_changed(), gm_federation_agreements_changed(), gm_federation_profiles_changed() FROM PUBLIC, guildmart_app;
