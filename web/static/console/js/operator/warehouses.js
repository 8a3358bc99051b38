// Operator: the consortium's warehouses and the consigned stock they hold.
import { gql, mutate } from '../api.js';
import { h, clear, when, table, badge, field, errorBox, onSubmit, pager } from '../ui.js';

const Q = `query($wh: ID, $after: String) { warehouses { id handle name region regionsServed handlingDays status }
  warehouseStock(warehouseId: $wh, first: 50, after: $after) { edges { node { warehouse { handle } variantId sku onHand reserved available updatedAt } } pageInfo { hasNextPage endCursor } } }`;
const CREATE = `mutation($in: WarehouseCreateInput!) { warehouseCreate(input: $in) { warehouse { id handle } userErrors { field message code } } }`;
const ADJUST = `mutation($in: StockAdjustInput!) { stockAdjust(input: $in) { stock { onHand available } userErrors { field message code } } }`;

export async function render(ctx) {
  const { page, error } = ctx;
  const whSel = h('select', { id: 'stock-warehouse' });
  const body = h('div');
  const show = async (after = null) => {
    const d = await gql(Q, { wh: whSel.value || null, after });
    if (!whSel.options.length) {
      whSel.append(h('option', { value: '' }, 'All warehouses'), ...d.warehouses.map((w) => h('option', { value: w.id }, `${w.name} (${w.handle})`)));
    }
    const byHandle = Object.fromEntries(d.warehouses.map((w) => [w.handle, w.id]));
    clear(body,
      table('warehouses', 'Warehouses', ['Handle', 'Name', 'Region', 'Serves', 'Handling', 'Status'], d.warehouses,
        (w) => [w.handle, w.name, w.region, w.regionsServed.join(', '), `${w.handlingDays} days`, badge(w.status)], 'No warehouses yet.'),
      h('div', { class: 'field' }, h('label', { for: 'stock-warehouse' }, 'Stock of'), whSel),
      table('stock', 'Consigned stock', ['Warehouse', 'SKU', 'On hand', 'Reserved', 'Available', 'Updated', 'Correct'], d.warehouseStock.edges.map((e) => e.node), (s) =>
        h('tr', { dataset: { sku: s.sku } }, h('td', {}, s.warehouse?.handle ?? ''), h('td', {}, s.sku), h('td', { class: 'num' }, String(s.onHand)), h('td', { class: 'num' }, String(s.reserved)),
          h('td', { class: 'num' }, String(s.available)), h('td', {}, when(s.updatedAt)), h('td', {}, adjust(s, byHandle[s.warehouse?.handle]))),
      'No stock recorded: suppliers book receipts of consigned goods.'),
      pager(d.warehouseStock.pageInfo, (c) => show(c).catch(error)));
  };
  const adjust = (s, whID) => {
    const f = h('form', { class: 'row' },
      h('label', { class: 'visually-hidden', for: `adj-${whID}-${s.variantId}` }, `Change of ${s.sku}`),
      h('input', { id: `adj-${whID}-${s.variantId}`, name: 'delta', type: 'number', placeholder: '±', required: true }),
      h('label', { class: 'visually-hidden', for: `adr-${whID}-${s.variantId}` }, `Reason for ${s.sku}`),
      h('input', { id: `adr-${whID}-${s.variantId}`, name: 'reason', placeholder: 'reason', required: true, size: 10 }),
      h('button', { type: 'submit' }, 'Adjust'), errorBox());
    onSubmit(f, async (fd) => {
      await mutate('stockAdjust', ADJUST, { in: { warehouseId: whID, variantId: s.variantId, delta: Number(fd.get('delta')), reason: fd.get('reason') } });
      await show();
    });
    return f;
  };
  whSel.addEventListener('change', () => show().catch(error));
  const form = h('form', { id: 'warehouse-create', class: 'card' },
    h('h2', {}, 'Add a warehouse'),
    h('div', { class: 'row' },
      field('Handle', 'handle', { id: 'wh-handle', required: true }),
      field('Name', 'name', { id: 'wh-name', required: true }),
      field('Region', 'region', { id: 'wh-region', required: true, attrs: { placeholder: 'DE-BE', size: 6 } }),
      field('Regions served', 'regionsServed', { id: 'wh-served', attrs: { placeholder: 'DE AT PL' } }),
      field('Latitude', 'latitude', { id: 'wh-lat', type: 'number', required: true, attrs: { step: 'any' } }),
      field('Longitude', 'longitude', { id: 'wh-lng', type: 'number', required: true, attrs: { step: 'any' } }),
      field('Handling days', 'handlingDays', { id: 'wh-days', type: 'number', attrs: { min: 0 } }),
      h('button', { type: 'submit', class: 'primary' }, 'Add warehouse')),
    errorBox());
  onSubmit(form, async (fd) => {
    const input = { handle: fd.get('handle'), name: fd.get('name'), region: fd.get('region').trim().toUpperCase(), latitude: Number(fd.get('latitude')), longitude: Number(fd.get('longitude')) };
    const served = fd.get('regionsServed').trim();
    if (served) input.regionsServed = served.split(/[\s,|]+/).map((x) => x.toUpperCase());
    if (fd.get('handlingDays')) input.handlingDays = Number(fd.get('handlingDays'));
    await mutate('warehouseCreate', CREATE, { in: input });
    whSel.replaceChildren();
    await show();
    form.reset();
  });
  clear(page, body, form);
  await show();
}
