// Seller: the storefront's orders, each line's route (warehouse or supplier) and the
// reason, the fulfilment orders and shipments, the invoice, and the order's margin as
// the settlement ledger records it.
import { gql, mutate } from '../api.js';
import { h, clear, money, when, table, badge, field, pager } from '../ui.js';

const Q = `query($sf: ID, $status: OrderStatus, $after: String) {
  orders(storefrontId: $sf, status: $status, first: 20, after: $after) {
    edges { node { id number name status email createdAt routingPolicy subtotal { amount currencyCode }
      shippingAddress { name city postalCode region country }
      lines { id title quantity status quantityFulfilled quantityCancelled unitPrice { amount currencyCode } total { amount currencyCode }
        selectedOptions { name value } routingReason
        routing { kind warehouse { handle name } supplier { handle } sku distanceKm days } }
      fulfillmentOrders { id reference kind status reason warehouse { handle } }
      shipments { carrier trackingNumber trackingUrl status shippedAt }
      invoice { method status amount { amount currencyCode } outstanding { amount currencyCode } dueAt }
      margin { amount currencyCode } } }
    pageInfo { hasNextPage endCursor } } }`;
const PAID = `mutation($in: OrderMarkPaidInput!) { orderMarkPaid(input: $in) { invoice { status } userErrors { field message code } } }`;

function routeText(l) {
  const r = l.routing;
  if (!r) return '—';
  if (r.kind === 'WAREHOUSE') return `warehouse ${r.warehouse?.handle ?? ''}`;
  if (r.kind === 'SUPPLIER') return `supplier ${r.supplier?.handle ?? ''} (drop-ship)`;
  return 'not routed';
}

export async function render({ page, storefront, viewer, error }) {
  const statusSel = field('Status', 'status', { id: 'order-status', options: [['', 'All orders'], 'UNFULFILLED', 'PARTIALLY_FULFILLED', 'FULFILLED', 'DELIVERED', 'CANCELLED'] });
  const list = h('div', { id: 'orders' });
  clear(page, statusSel, list);
  const show = async (after = null) => {
    const sf = viewer.kind === 'STOREFRONT' ? null : storefront?.id ?? null;
    const d = await gql(Q, { sf, status: statusSel.querySelector('select').value || null, after });
    const orders = d.orders.edges.map((e) => e.node);
    clear(list,
      orders.length ? null : h('p', {}, 'No orders yet.'),
      orders.map((o) => orderCard(o, () => show().catch(error), error)),
      pager(d.orders.pageInfo, (c) => show(c).catch(error)));
  };
  statusSel.querySelector('select').addEventListener('change', () => show().catch(error));
  await show();
}

function orderCard(o, refresh, error) {
  const a = o.shippingAddress;
  return h('article', { class: 'order', dataset: { orderName: o.name, orderId: o.id }, 'aria-labelledby': `o-${o.number}` },
    h('header', {},
      h('h2', { id: `o-${o.number}` }, `Order ${o.name}`),
      h('span', { class: 'order-status' }, badge(o.status)),
      h('span', {}, when(o.createdAt)),
      h('span', {}, `Subtotal ${money(o.subtotal)}`),
      h('span', { class: 'order-margin' }, o.margin ? `Margin ${money(o.margin)}` : 'Margin: not in the ledger yet')),
    h('p', { class: 'muted' }, `${o.email} · ship to ${a.name}, ${a.postalCode} ${a.city}, ${a.region || a.country} · routing ${o.routingPolicy.replaceAll('_', ' ').toLowerCase()}`),
    table(null, 'Lines', ['Item', 'Qty', 'Total', 'Status', 'Route', 'Why'], o.lines, (l) => h('tr', { dataset: { lineId: l.id } },
      h('td', {}, l.title, l.selectedOptions.length ? h('div', { class: 'muted' }, l.selectedOptions.map((s) => `${s.name}: ${s.value}`).join(', ')) : null),
      h('td', { class: 'num' }, `${l.quantity}`, l.quantityFulfilled ? h('div', { class: 'muted' }, `${l.quantityFulfilled} shipped`) : null, l.quantityCancelled ? h('div', { class: 'muted' }, `${l.quantityCancelled} cancelled`) : null),
      h('td', { class: 'num' }, money(l.total)),
      h('td', {}, badge(l.status)),
      h('td', { class: 'route' }, routeText(l)),
      h('td', { class: 'routing-reason' }, l.routingReason || l.routing?.reason || '—'))),
    o.fulfillmentOrders.length ? h('p', { class: 'fos' }, 'Fulfilment: ', o.fulfillmentOrders.map((f, i) => [i ? '; ' : '',
      `${f.reference} (${f.kind === 'WAREHOUSE' ? 'warehouse ' + (f.warehouse?.handle ?? '') : 'supplier'}) `, badge(f.status), f.reason ? ` — ${f.reason}` : ''])) : null,
    o.shipments.length ? h('p', { class: 'shipments' }, 'Shipments: ', o.shipments.map((s, i) => [i ? '; ' : '', `${s.carrier} `,
      s.trackingUrl ? h('a', { href: s.trackingUrl, rel: 'noopener', target: '_blank' }, s.trackingNumber) : s.trackingNumber, ` (${s.status.toLowerCase()})`])) : null,
    o.invoice ? h('p', { class: 'invoice' }, `Invoice: ${money(o.invoice.amount)}, `, badge(o.invoice.status),
      o.invoice.status === 'OPEN' ? [` — ${money(o.invoice.outstanding)} due ${when(o.invoice.dueAt)} `,
        h('button', {
          type: 'button', 'aria-label': `Mark order ${o.name} paid`,
          onclick: async (ev) => {
            ev.target.disabled = true;
            try { await mutate('orderMarkPaid', PAID, { in: { orderId: o.id, idempotencyKey: `console-paid-${o.id}` } }); await refresh(); } catch (e) { error(e); ev.target.disabled = false; }
          },
        }, 'Mark paid')] : null) : null);
}
