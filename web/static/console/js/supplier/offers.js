// Supplier: its offers and their variants (prices, floor, availability, warehouses).
import { gql } from '../api.js';
import { h, clear, money, table, badge, field, pager, errorBox, onSubmit } from '../ui.js';

const OFFER = `id handle title brand status visibility category { path }
  variants { id sku gtin status options { key value } wholesalePrice { amount currencyCode } suggestedRetailPrice { amount currencyCode }
    minimumResalePrice { amount currencyCode } priceTiers { minQuantity price { amount } } availability quantity leadTimeDays
    shipsDirect { region shipsTo leadTimeDays } warehouses { handle } }`;
const Q = `query($status: OfferStatus, $after: String) { offers(first: 25, after: $after, status: $status) {
  edges { node { ${OFFER} } } pageInfo { hasNextPage endCursor } } }`;
const BY_SKU = `query($sku: String!) { offerVariant(sku: $sku) { offer { ${OFFER} } } }`;

export async function render({ page, error }) {
  const sel = field('Status', 'status', { id: 'offer-status', options: [['', 'All'], ['ACTIVE', 'Active'], ['DRAFT', 'Draft'], ['DISCONTINUED', 'Discontinued']] });
  const body = h('div');
  const find = h('form', { id: 'offer-find', class: 'row', role: 'search' },
    field('Find by SKU', 'sku', { id: 'offer-find-sku', attrs: { autocomplete: 'off' } }), h('button', { type: 'submit' }, 'Find'), errorBox());
  onSubmit(find, async (fd) => {
    const sku = fd.get('sku').trim();
    if (!sku) { await show(); return; }
    const d = await gql(BY_SKU, { sku });
    if (!d.offerVariant) throw new Error(`You have no variant with SKU "${sku}".`);
    draw([d.offerVariant.offer], null);
  });
  clear(page, h('p', {}, 'Add or change offers in bulk with a ', h('a', { href: '/console/imports' }, 'CSV import'), '; update stock under ', h('a', { href: '/console/availability' }, 'Availability'), '.'),
    h('div', { class: 'row' }, sel, find), body);
  const show = async (after = null) => {
    const d = await gql(Q, { status: sel.querySelector('select').value || null, after });
    draw(d.offers.edges.map((e) => e.node), d.offers.pageInfo);
  };
  const draw = (offers, pageInfo) => {
    const rows = offers.flatMap((o) => o.variants.map((v, i) => ({ o, v, first: i === 0 })));
    clear(body,
      table('offers', 'Your offers and variants', ['Offer', 'SKU', 'Options', 'Wholesale', 'Suggested retail', 'Minimum resale', 'Availability', 'Ships'], rows, ({ o, v, first }) =>
        h('tr', { dataset: { sku: v.sku, offerId: o.id } },
          h('td', {}, first ? [h('strong', {}, o.title), ' ', badge(o.status), h('div', { class: 'muted' }, [o.handle, o.brand, o.category?.path, o.visibility === 'ALLOW_LIST' ? 'allow-list only' : null].filter(Boolean).join(' · '))] : ''),
          h('td', {}, v.sku, v.status !== 'ACTIVE' ? [' ', badge(v.status)] : null),
          h('td', {}, v.options.map((x) => `${x.key}: ${x.value}`).join(', ')),
          h('td', { class: 'num' }, money(v.wholesalePrice), v.priceTiers.length ? h('div', { class: 'muted' }, v.priceTiers.map((t) => `${t.minQuantity}+: ${t.price.amount}`).join(', ')) : null),
          h('td', { class: 'num' }, money(v.suggestedRetailPrice)),
          h('td', { class: 'num' }, money(v.minimumResalePrice)),
          h('td', { class: 'availability' }, badge(v.availability), v.availability === 'IN_STOCK' ? ` ${v.quantity}` : v.availability === 'MADE_TO_ORDER' ? ` ${v.leadTimeDays} days` : '',
            ' ', h('a', { href: `/console/availability?sku=${encodeURIComponent(v.sku)}`, 'aria-label': `Update availability of ${v.sku}` }, 'update')),
          h('td', {}, [v.shipsDirect ? `direct from ${v.shipsDirect.region} to ${v.shipsDirect.shipsTo.join(', ')}` : null, v.warehouses.length ? `warehouses ${v.warehouses.map((w) => w.handle).join(', ')}` : null].filter(Boolean).join('; '))),
        'No offers yet: import a CSV file to publish some.'),
      pager(pageInfo, (c) => show(c).catch(error)));
  };
  sel.querySelector('select').addEventListener('change', () => show().catch(error));
  await show();
}
