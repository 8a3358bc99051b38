// Seller: the storefront's listings with each variant's price, status and the reason a
// price is held; unpublish and republish; the recent price and status changes.
import { gql, mutate } from '../api.js';
import { h, clear, money, when, table, badge, reason, field, pager } from '../ui.js';
import { ruleText } from './rule.js';

const Q = `query($h: String!, $status: ListingStatus, $after: String) { storefront(handle: $h) {
  listings(first: 25, after: $after, status: $status, sort: NEWEST) {
    edges { node { id handle title status publishedAt collection { title }
      pricingRule { kind markupBps amount { amount currencyCode } rounding minMarginBps clampToFloor }
      variants { id selectedOptions { name value } price { amount currencyCode } compareAt { amount currencyCode } availability status statusReason } } }
    pageInfo { hasNextPage endCursor } }
  listingChanges(first: 10) { edges { node { listing { title } oldPrice { amount currencyCode } newPrice { amount currencyCode } oldStatus newStatus reason at } } }
} }`;
const UPDATE = `mutation($in: ListingUpdateInput!) { listingUpdate(input: $in) { listing { id status } userErrors { field message code } } }`;
const UNPUBLISH = `mutation($in: ListingUnpublishInput!) { listingUnpublish(input: $in) { listing { id status } userErrors { field message code } } }`;

export async function render({ page, storefront, error }) {
  if (!storefront) { clear(page, h('p', {}, 'You have no storefront yet.')); return; }
  const filter = field('Show', 'status', { id: 'listing-status', options: [['', 'All listings'], ['PUBLISHED', 'Published'], ['UNPUBLISHED', 'Unpublished']] });
  const body = h('div');
  clear(page, h('p', {}, `Storefront `, h('strong', {}, storefront.name), ` (${storefront.handle}). `, h('a', { href: '/console/catalog' }, 'Publish more from the catalog')), filter, body);
  const show = async (after = null) => {
    const status = filter.querySelector('select').value || null;
    const d = await gql(Q, { h: storefront.handle, status, after });
    const sf = d.storefront;
    const rows = sf.listings.edges.flatMap((e) => e.node.variants.map((v, i) => ({ l: e.node, v, first: i === 0 })));
    clear(body,
      table('listings', `Listings of ${storefront.name}`, ['Listing', 'Variant', 'Price', 'Status', 'Why', 'Rule', ''], rows, ({ l, v, first }) =>
        h('tr', { dataset: { listingHandle: l.handle, listingId: l.id } },
          h('td', {}, first ? [h('strong', {}, l.title), h('div', { class: 'muted' }, [l.handle, l.collection?.title].filter(Boolean).join(' · '))] : ''),
          h('td', {}, v.selectedOptions.map((o) => `${o.name}: ${o.value}`).join(', ') || 'default'),
          h('td', { class: 'num price' }, money(v.price), v.compareAt ? h('div', { class: 'muted' }, h('s', {}, money(v.compareAt))) : null),
          h('td', { class: 'status' }, badge(v.status)),
          h('td', { class: 'reason' }, reason(v.statusReason)),
          h('td', { class: 'rule' }, first ? ruleText(l.pricingRule) : ''),
          h('td', {}, first ? actionButton(l, () => show().catch(error), error) : '')),
        'No listings yet. Publish offers from the shared catalog.'),
      pager(sf.listings.pageInfo, (c) => show(c).catch(error)),
      table('listing-changes', 'Recent price and status changes', ['When', 'Listing', 'Price', 'Status', 'Why'], sf.listingChanges.edges.map((e) => e.node), (c) => [
        when(c.at), c.listing?.title ?? '—', `${c.oldPrice ? money(c.oldPrice) + ' → ' : ''}${money(c.newPrice)}`,
        `${c.oldStatus ? c.oldStatus.toLowerCase() + ' → ' : ''}${c.newStatus.toLowerCase()}`, reason(c.reason)], 'No changes yet.'));
  };
  filter.querySelector('select').addEventListener('change', () => show().catch(error));
  await show();
}

function actionButton(l, refresh, error) {
  const publish = l.status !== 'PUBLISHED';
  return h('button', {
    type: 'button', 'aria-label': `${publish ? 'Republish' : 'Unpublish'} ${l.title}`,
    onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        if (publish) await mutate('listingUpdate', UPDATE, { in: { id: l.id, status: 'PUBLISHED' } });
        else await mutate('listingUnpublish', UNPUBLISH, { in: { id: l.id } });
        await refresh();
      } catch (e) { error(e); ev.target.disabled = false; }
    },
  }, publish ? 'Republish' : 'Unpublish');
}
