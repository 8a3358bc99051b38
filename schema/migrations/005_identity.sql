-- People's identities (Ory Kratos): users and customers are linked to a Kratos identity
-- by identity_id. Kratos only says who a person is; these rows decide what they may do.

-- One identity is at most one user per member (or one operator user per consortium) and
-- at most one customer per storefront; the same person may be both, and may be a
-- customer of many storefronts (one customers row each).
CREATE UNIQUE INDEX users_identity_key ON users
  (consortium_id, coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid), identity_id)
  WHERE identity_id IS NOT NULL;
CREATE UNIQUE INDEX customers_identity_key ON customers (storefront_id, identity_id) WHERE identity_id IS NOT NULL;

-- Session sign-in runs before any scope is known, like gm_api_key_auth: it returns the
-- person's memberships (operator or member users that are not removed). The first
-- sign-in of an invited user makes it ACTIVE.
CREATE FUNCTION gm_user_by_identity(p_identity uuid)
RETURNS TABLE (consortium_id uuid, user_id uuid, member_id uuid, member_handle text, role text, member_status text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
  UPDATE users SET status = 'ACTIVE', updated_at = now() WHERE identity_id = p_identity AND status = 'INVITED';
  SELECT u.consortium_id, u.id, u.member_id, m.handle, u.role, m.status
    FROM users u
    LEFT JOIN members m ON m.consortium_id = u.consortium_id AND m.id = u.member_id
   WHERE u.identity_id = p_identity AND u.status = 'ACTIVE'
   ORDER BY u.created_at, u.id;
$$;

-- The storefront with handle and, if the person is one of its customers, that customer.
CREATE FUNCTION gm_customer_by_identity(p_handle text, p_identity uuid)
RETURNS TABLE (storefront_id uuid, consortium_id uuid, member_id uuid, customer_id uuid, status text, member_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.id, s.consortium_id, s.member_id, c.id, s.status, m.status
    FROM storefronts s
    JOIN members m ON m.consortium_id = s.consortium_id AND m.id = s.member_id
    LEFT JOIN customers c ON c.storefront_id = s.id AND c.identity_id = p_identity
   WHERE s.handle = p_handle;
$$;

REVOKE ALL ON FUNCTION gm_user_by_identity(uuid), gm_customer_by_identity(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gm_user_by_identity(uuid), gm_customer_by_identity(text, uuid) TO guildmart_app;
