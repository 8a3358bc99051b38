-- Search speed (issue 4), filtered searches: "in stock, ships to FR, 10–200 EUR" read
-- every offer of the consortium, one heap row (with its title) at a time, under the
-- policy. This index holds, in order of stock and list price, every column a filtered
-- search, its facets and offer_search_read read, so such a search reads only the index
-- range of its stock and price filters and never the table (an index-only scan; the
-- bounds are on plain columns, which row-level security lets bound an index scan).
-- catalog/search bounds the list price from the caller's price range and largest
-- discount.
-- offer_id is a key column so that the index is in the order of a price sort (price, then
-- id): an in-stock search sorted by price walks it for its page instead of sorting every
-- match.
CREATE INDEX offer_search_stock_price_idx ON offer_search (consortium_id, in_stock, wholesale, offer_id)
  INCLUDE (supplier_id, status, visibility, category_id, brand, ships_direct, in_warehouse, regions,
           suggested_retail, created_at);

-- offer_visibility_all again, with the scope read once per query instead of once per row
-- (the same rule). Every member search reads the caller's allow-list entries through it,
-- up to three times (the policy of offer_search, the search's own test, the hits); a
-- seller on 2,500 allow-lists spent 2.5 ms on each.
ALTER POLICY offer_visibility_all ON offer_visibility
  USING (consortium_id = (SELECT app_consortium()) AND ((SELECT app_role() IN ('operator', 'system')) OR
    ((SELECT app_role() = 'member') AND (member_id = (SELECT app_member()) OR EXISTS (
      SELECT 1 FROM offers o WHERE o.consortium_id = offer_visibility.consortium_id AND o.id = offer_visibility.offer_id
        AND o.supplier_id = (SELECT app_member()))))))
  WITH CHECK (consortium_id = (SELECT app_consortium()) AND ((SELECT app_role() = 'system') OR ((SELECT app_role() = 'member') AND EXISTS (
      SELECT 1 FROM offers o WHERE o.consortium_id = offer_visibility.consortium_id AND o.id = offer_visibility.offer_id
        AND o.supplier_id = (SELECT app_member())))));

-- An index-only scan reads a row from the table when its page is not marked all-visible,
-- which only vacuum does: after an import or a reindex, vacuum offer_search once 2 % of
-- its rows have been written rather than the default 20 %, so filtered searches are
-- back to the index alone soon.
ALTER TABLE offer_search SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02);
