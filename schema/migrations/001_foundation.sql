-- Foundation: tenants, people, API keys, and the row-level security every later table follows.
-- The owner (who runs migrations) owns every table; the application connects as a role in
-- guildmart_app, which owns nothing and has no BYPASSRLS. Policies read the per-transaction
-- settings app.* through the functions below; an unset setting is NULL and matches nothing.

DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guildmart_app') THEN
    CREATE ROLE guildmart_app NOLOGIN NOBYPASSRLS;
  END IF;
END $$;

CREATE EXTENSION IF NOT EXISTS pg_trgm;

GRANT USAGE ON SCHEMA public TO guildmart_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO guildmart_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO guildmart_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO guildmart_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO guildmart_app;

CREATE FUNCTION app_consortium() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.consortium_id', true), '')::uuid $$;
CREATE FUNCTION app_member() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.member_id', true), '')::uuid $$;
CREATE FUNCTION app_storefront() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.storefront_id', true), '')::uuid $$;
CREATE FUNCTION app_customer() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.customer_id', true), '')::uuid $$;
CREATE FUNCTION app_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT NULLIF(current_setting('app.role', true), '') $$;

-- Reference table (small, global; a Citus reference table).
CREATE TABLE currencies (
  code     char(3) PRIMARY KEY,
  exponent smallint NOT NULL CHECK (exponent BETWEEN 0 AND 4),
  name     text NOT NULL
);
INSERT INTO currencies (code, exponent, name) VALUES
  ('USD', 2, 'US dollar'), ('EUR', 2, 'Euro'), ('GBP', 2, 'Pound sterling'), ('CNY', 2, 'Renminbi'),
  ('HKD', 2, 'Hong Kong dollar'), ('SGD', 2, 'Singapore dollar'), ('AUD', 2, 'Australian dollar'),
  ('CAD', 2, 'Canadian dollar'), ('CHF', 2, 'Swiss franc'), ('SEK', 2, 'Swedish krona'),
  ('NOK', 2, 'Norwegian krone'), ('DKK', 2, 'Danish krone'), ('PLN', 2, 'Zloty'),
  ('JPY', 0, 'Yen'), ('KRW', 0, 'Won');

CREATE TABLE consortia (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  handle      text NOT NULL UNIQUE CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  currency    char(3) NOT NULL REFERENCES currencies (code),
  fee_bps     integer NOT NULL CHECK (fee_bps BETWEEN 0 AND 10000),
  fee_basis   text NOT NULL DEFAULT 'RETAIL' CHECK (fee_basis IN ('RETAIL', 'WHOLESALE')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE consortia ENABLE ROW LEVEL SECURITY;
CREATE POLICY consortia_read ON consortia FOR SELECT USING (id = app_consortium());
CREATE POLICY consortia_write ON consortia FOR UPDATE
  USING (id = app_consortium() AND app_role() = 'operator')
  WITH CHECK (id = app_consortium() AND app_role() = 'operator');

CREATE TABLE members (
  consortium_id uuid NOT NULL REFERENCES consortia (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  handle        text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  legal_name    text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
  is_supplier   boolean NOT NULL DEFAULT false,
  is_seller     boolean NOT NULL DEFAULT false,
  status        text NOT NULL DEFAULT 'INVITED' CHECK (status IN ('INVITED', 'ACTIVE', 'SUSPENDED')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT members_handle_key UNIQUE (consortium_id, handle),
  CHECK (is_supplier OR is_seller)
);
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
-- Members of one consortium see each other (the association's directory); only the
-- operator admits, activates and suspends.
CREATE POLICY members_read ON members FOR SELECT
  USING (consortium_id = app_consortium() AND app_role() IN ('operator', 'member', 'system'));
CREATE POLICY members_insert ON members FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'));
CREATE POLICY members_update ON members FOR UPDATE
  USING (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'))
  WITH CHECK (consortium_id = app_consortium() AND app_role() IN ('operator', 'system'));

CREATE TABLE storefronts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  consortium_id  uuid NOT NULL REFERENCES consortia (id),
  member_id      uuid NOT NULL,
  handle         text NOT NULL CHECK (handle ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  currency       char(3) NOT NULL REFERENCES currencies (code),
  routing_policy text NOT NULL DEFAULT 'WAREHOUSE_FIRST' CHECK (routing_policy IN ('WAREHOUSE_FIRST', 'SUPPLIER_FIRST', 'FASTEST')),
  status         text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED', 'CLOSED')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT storefronts_handle_key UNIQUE (handle),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id)
);
CREATE INDEX storefronts_member_idx ON storefronts (consortium_id, member_id);
ALTER TABLE storefronts ENABLE ROW LEVEL SECURITY;
CREATE POLICY storefronts_read ON storefronts FOR SELECT
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR member_id = app_member() OR id = app_storefront()));
CREATE POLICY storefronts_insert ON storefronts FOR INSERT
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'member' AND member_id = app_member());
CREATE POLICY storefronts_update ON storefronts FOR UPDATE
  USING (consortium_id = app_consortium() AND app_role() = 'member' AND member_id = app_member())
  WITH CHECK (consortium_id = app_consortium() AND app_role() = 'member' AND member_id = app_member());

-- People who work for the operator (member_id NULL) or for a member.
CREATE TABLE users (
  consortium_id uuid NOT NULL REFERENCES consortia (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id     uuid,
  email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  name          text NOT NULL DEFAULT '',
  role          text NOT NULL CHECK (role IN ('OPERATOR', 'OWNER', 'ADMIN', 'STAFF', 'SUPPLIER_OPS')),
  status        text NOT NULL DEFAULT 'INVITED' CHECK (status IN ('INVITED', 'ACTIVE', 'REMOVED')),
  identity_id   uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, id),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id),
  CHECK ((member_id IS NULL) = (role = 'OPERATOR'))
);
CREATE UNIQUE INDEX users_email_key ON users (consortium_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(email));
CREATE INDEX users_identity_idx ON users (identity_id) WHERE identity_id IS NOT NULL;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_all ON users
  USING (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (app_role() IN ('operator', 'system') OR (app_role() = 'member' AND member_id = app_member())));

-- A storefront's customers: a shop or a consumer of exactly one storefront. The same
-- e-mail at two storefronts is two customers; the operator sees none of them.
CREATE TABLE customers (
  storefront_id uuid NOT NULL REFERENCES storefronts (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  consortium_id uuid NOT NULL,
  member_id     uuid NOT NULL,
  email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
  name          text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  company       text NOT NULL DEFAULT '' CHECK (length(company) <= 200),
  kind          text NOT NULL DEFAULT 'CONSUMER' CHECK (kind IN ('CONSUMER', 'BUSINESS')),
  identity_id   uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (storefront_id, id)
);
CREATE UNIQUE INDEX customers_email_key ON customers (storefront_id, lower(email));
CREATE INDEX customers_identity_idx ON customers (identity_id) WHERE identity_id IS NOT NULL;
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY customers_all ON customers
  USING (consortium_id = app_consortium() AND (
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() = 'storefront' AND storefront_id = app_storefront()) OR
    (app_role() = 'customer' AND storefront_id = app_storefront() AND id = app_customer())))
  WITH CHECK (consortium_id = app_consortium() AND (
    (app_role() = 'member' AND member_id = app_member()) OR
    (app_role() IN ('storefront', 'shopper') AND storefront_id = app_storefront()) OR
    (app_role() = 'customer' AND storefront_id = app_storefront() AND id = app_customer())));

-- API keys for machines: hashed at rest (SHA-256 of a 256-bit random secret), the
-- prefix is shown to help people tell keys apart.
CREATE TABLE api_keys (
  consortium_id uuid NOT NULL REFERENCES consortia (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  member_id     uuid,
  storefront_id uuid REFERENCES storefronts (id),
  role          text NOT NULL CHECK (role IN ('OPERATOR', 'OWNER', 'ADMIN', 'STAFF', 'SUPPLIER_OPS', 'STOREFRONT')),
  name          text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  prefix        text NOT NULL,
  secret_hash   bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  PRIMARY KEY (consortium_id, id),
  CONSTRAINT api_keys_secret_key UNIQUE (secret_hash),
  FOREIGN KEY (consortium_id, member_id) REFERENCES members (consortium_id, id),
  CHECK ((member_id IS NULL) = (role = 'OPERATOR')),
  CHECK ((storefront_id IS NULL) <> (role = 'STOREFRONT'))
);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY api_keys_all ON api_keys
  USING (consortium_id = app_consortium() AND (
    (app_role() IN ('operator', 'system') AND member_id IS NULL) OR (app_role() = 'member' AND member_id = app_member())))
  WITH CHECK (consortium_id = app_consortium() AND (
    (app_role() IN ('operator', 'system') AND member_id IS NULL) OR (app_role() = 'member' AND member_id = app_member())));

-- Authentication runs before any scope is known, so these few lookups are SECURITY
-- DEFINER functions that return only what authentication needs.
CREATE FUNCTION gm_api_key_auth(p_hash bytea)
RETURNS TABLE (consortium_id uuid, key_id uuid, member_id uuid, storefront_id uuid, role text,
               revoked boolean, member_status text, storefront_status text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE api_keys SET last_used_at = now()
   WHERE secret_hash = p_hash AND revoked_at IS NULL
     AND (last_used_at IS NULL OR last_used_at < now() - interval '30 seconds');
  SELECT k.consortium_id, k.id, k.member_id, k.storefront_id, k.role, k.revoked_at IS NOT NULL,
         m.status, s.status
    FROM api_keys k
    LEFT JOIN members m ON m.consortium_id = k.consortium_id AND m.id = k.member_id
    LEFT JOIN storefronts s ON s.id = k.storefront_id
   WHERE k.secret_hash = p_hash;
$$;

CREATE FUNCTION gm_storefront_by_handle(p_handle text)
RETURNS TABLE (storefront_id uuid, consortium_id uuid, member_id uuid, status text, member_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.id, s.consortium_id, s.member_id, s.status, m.status
    FROM storefronts s JOIN members m ON m.consortium_id = s.consortium_id AND m.id = s.member_id
   WHERE s.handle = p_handle;
$$;

CREATE FUNCTION gm_consortium_by_handle(p_handle text)
RETURNS TABLE (consortium_id uuid, handle text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id, handle FROM consortia WHERE p_handle = '' OR handle = p_handle ORDER BY created_at;
$$;

REVOKE ALL ON FUNCTION gm_api_key_auth(bytea), gm_storefront_by_handle(text), gm_consortium_by_handle(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_api_key_auth(bytea), gm_storefront_by_handle(text), gm_consortium_by_handle(text) TO guildmart_app;

-- Idempotency keys of creating mutations: the same party, operation and key return the
-- first result instead of creating twice, even under concurrent retries (the second
-- insert waits on the unique index until the first commits).
CREATE TABLE idempotency_keys (
  consortium_id uuid NOT NULL REFERENCES consortia (id),
  party         text NOT NULL,
  operation     text NOT NULL,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  result_id     uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consortium_id, party, operation, key)
);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_all ON idempotency_keys
  USING (consortium_id = app_consortium()) WITH CHECK (consortium_id = app_consortium());
