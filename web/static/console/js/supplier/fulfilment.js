// Supplier: drop-ship fulfilment orders to accept, reject (with a reason) or ship (with
// carrier and tracking). Blind: only SKUs, quantities, wholesale cost and ship-to.
import { gql, mutate } from '../api.js';
import { h, clear, money, when, table, badge, field, errorBox, onSubmit, pager } from '../ui.js';

const Q = `query($status: FulfillmentOrderStatus, $after: String) { fulfillmentOrders(status: $status, first: 20, after: $after) {
  edges { node { id reference kind status storefrontName slaDueAt reason createdAt
    shipTo { name line1 line2 city postalCode region country }
    lines { id sku title quantity quantityShipped quantityRemoved status reason unitCost { amount currencyCode } }
    wholesaleTotal { amount currencyCode } shipments { carrier trackingNumber trackingUrl status shippedAt } } }
  pageInfo { hasNextPage endCursor } } }`;
const FO = 'fulfillmentOrder { id status } userErrors { field message code }';
const ACCEPT = `mutation($in: FulfillmentOrderIdInput!) { fulfillmentOrderAccept(input: $in) { ${FO} } }`;
const REJECT = `mutation($in: FulfillmentOrderRejectInput!) { fulfillmentOrderReject(input: $in) { ${FO} } }`;
const SHIP = `mutation($in: FulfillmentOrderShipInput!) { fulfillmentOrderShip(input: $in) { ${FO} } }`;
const DELIVER = `mutation($in: FulfillmentOrderIdInput!) { fulfillmentOrderDeliver(input: $in) { ${FO} } }`;

const statuses = [['', 'All'], ['NEW', 'New (to answer)'], ['ACCEPTED', 'Accepted (to ship)'], ['PARTIALLY_SHIPPED', 'Partially shipped'], ['SHIPPED', 'Shipped'], ['DELIVERED', 'Delivered'], ['REJECTED', 'Rejected'], ['CANCELLED', 'Cancelled']];

export async function render({ page, error }) {
  const sel = field('Show', 'status', { id: 'fo-filter', options: statuses });
  const list = h('div', { id: 'fulfilment-orders' });
  clear(page, sel, list);
  const show = async (after = null) => {
    const d = await gql(Q, { status: sel.querySelector('select').value || null, after });
    const fos = d.fulfillmentOrders.edges.map((e) => e.node);
    clear(list, fos.length ? null : h('p', {}, 'No fulfilment orders here.'),
      fos.map((fo) => card(fo, () => show().catch(error))),
      pager(d.fulfillmentOrders.pageInfo, (c) => show(c).catch(error)));
  };
  sel.querySelector('select').addEventListener('change', () => show().catch(error));
  await show();
}

function card(fo, refresh) {
  const a = fo.shipTo;
  const msg = errorBox();
  const panel = h('div', { class: 'fo-panel' });
  const open = fo.lines.some((l) => l.status === 'OPEN' || l.status === 'PARTIALLY_SHIPPED');
  const act = async (button, run) => {
    button.disabled = true;
    try { await run(); await refresh(); } catch (e) { msg.hidden = false; msg.textContent = e.message; button.disabled = false; }
  };
  const buttons = h('div', { class: 'actions' },
    fo.status === 'NEW' ? h('button', { type: 'button', class: 'primary', onclick: (ev) => act(ev.target, () => mutate('fulfillmentOrderAccept', ACCEPT, { in: { id: fo.id } })) }, 'Accept') : null,
    (fo.status === 'NEW' || fo.status === 'ACCEPTED') && open ? h('button', { type: 'button', class: 'danger', onclick: () => clear(panel, rejectForm(fo, refresh)) }, 'Reject') : null,
    (fo.status === 'ACCEPTED' || fo.status === 'PARTIALLY_SHIPPED' || fo.status === 'NEW') && open ? h('button', { type: 'button', onclick: () => clear(panel, shipForm(fo, refresh)) }, 'Ship') : null,
    fo.status === 'SHIPPED' ? h('button', { type: 'button', onclick: (ev) => act(ev.target, () => mutate('fulfillmentOrderDeliver', DELIVER, { in: { id: fo.id } })) }, 'Mark delivered') : null);
  return h('article', { class: 'fo', dataset: { reference: fo.reference, id: fo.id }, 'aria-label': `Fulfilment order ${fo.reference}` },
    h('header', {},
      h('h2', {}, fo.reference),
      h('span', { class: 'fo-status' }, badge(fo.status)),
      h('span', {}, `for ${fo.storefrontName}`),
      h('span', {}, `wholesale ${money(fo.wholesaleTotal)}`),
      fo.status === 'NEW' && fo.slaDueAt ? h('span', { class: 'muted' }, `answer by ${when(fo.slaDueAt)}`) : null),
    h('p', { class: 'ship-to' }, `Ship to: ${a.name}, ${a.line1}${a.line2 ? ', ' + a.line2 : ''}, ${a.postalCode} ${a.city}, ${a.region || ''} ${a.country}`),
    fo.reason ? h('p', { class: 'muted' }, `Reason: ${fo.reason}`) : null,
    table(null, null, ['SKU', 'Item', 'Qty', 'Shipped', 'Unit cost', 'Status'], fo.lines, (l) => [
      l.sku, l.title, String(l.quantity), String(l.quantityShipped), h('td', { class: 'num' }, money(l.unitCost)), [badge(l.status), l.reason ? ` ${l.reason}` : '']]),
    fo.shipments.length ? h('p', { class: 'shipments' }, 'Shipments: ', fo.shipments.map((s, i) => [i ? '; ' : '', `${s.carrier} ${s.trackingNumber} (${s.status.toLowerCase()}, ${when(s.shippedAt)})`])) : null,
    buttons, msg, panel);
}

function rejectForm(fo, refresh) {
  const f = h('form', { class: 'reject-form' },
    h('div', { class: 'row' },
      field('Reason', 'reason', { id: `rej-${fo.id}`, required: true, attrs: { placeholder: 'e.g. out of stock' } }),
      h('button', { type: 'submit', class: 'danger' }, 'Confirm rejection')),
    h('p', { class: 'hint' }, 'Rejected lines go to a consortium warehouse holding them, or are cancelled and refunded.'),
    errorBox());
  onSubmit(f, async (fd) => {
    await mutate('fulfillmentOrderReject', REJECT, { in: { id: fo.id, reason: fd.get('reason') } });
    await refresh();
  });
  setTimeout(() => f.querySelector('input').focus());
  return f;
}

function shipForm(fo, refresh) {
  const f = h('form', { class: 'ship-form' },
    h('div', { class: 'row' },
      field('Carrier', 'carrier', { id: `car-${fo.id}`, required: true, attrs: { placeholder: 'DHL' } }),
      field('Tracking number', 'trackingNumber', { id: `trk-${fo.id}`, required: true }),
      field('Tracking URL', 'trackingUrl', { id: `url-${fo.id}`, type: 'url', attrs: { placeholder: 'https://…' } }),
      h('button', { type: 'submit', class: 'primary' }, 'Confirm shipment')),
    h('p', { class: 'hint' }, 'Ships everything still open in one parcel.'),
    errorBox());
  onSubmit(f, async (fd) => {
    const s = { carrier: fd.get('carrier').trim(), trackingNumber: fd.get('trackingNumber').trim() };
    if (fd.get('trackingUrl')) s.trackingUrl = fd.get('trackingUrl').trim();
    await mutate('fulfillmentOrderShip', SHIP, { in: { id: fo.id, shipments: [s] } });
    await refresh();
  });
  setTimeout(() => f.querySelector('input').focus());
  return f;
}
