// Seller: search the shared catalog (full text, facets, sort by margin) and publish one
// or many offers into a storefront with a pricing rule.
import { gql, mutate, ApiError } from '../api.js';
import { h, clear, money, table, field, errorBox, showError, pager } from '../ui.js';
import { ruleFields, ruleInput } from './rule.js';

const SEARCH = `query($q: String, $f: CatalogSearchFilter, $sort: CatalogSort, $after: String) {
  catalogSearch(query: $q, filter: $f, sort: $sort, first: 25, after: $after) {
    totalCount
    edges { node { id title brand supplier { id handle } category { path } variants { sku } }
      effectiveWholesale { amount currencyCode } suggestedRetail { amount currencyCode }
      margin { amount currencyCode } marginPercent discountBps }
    pageInfo { hasNextPage endCursor }
    facets { category { value count } brand { value count } supplier { value count } fulfillmentMode { value count } }
  }
}`;
const MEMBERS = `{ members(first: 100) { edges { node { id handle legalName } } } }`;
const PUBLISH_BULK = `mutation($in: ListingsPublishBulkInput!) { listingsPublishBulk(input: $in) { count skipped listingIds userErrors { field message code } } }`;

const sorts = [['MARGIN_DESC', 'Margin (highest first)'], ['MARGIN_PERCENT_DESC', 'Margin % (highest first)'], ['RELEVANCE', 'Relevance'], ['NEWEST', 'Newest'], ['PRICE_ASC', 'Wholesale price (lowest first)'], ['PRICE_DESC', 'Wholesale price (highest first)']];
const modeWords = { DIRECT: 'Supplier drop-ship', WAREHOUSE: 'Consortium warehouse' };
const CHUNK = 50;

let memberNames = null;

export async function render({ page, storefronts, storefront, error }) {
  if (!memberNames) {
    const d = await gql(MEMBERS);
    memberNames = Object.fromEntries(d.members.edges.map((e) => [e.node.id, e.node.handle]));
  }
  const state = { sel: { category: '', brand: new Set(), supplier: new Set(), fulfillmentMode: new Set() }, titles: {} };
  const form = h('form', { id: 'catalog-search', class: 'card', role: 'search' },
    h('div', { class: 'row' },
      field('Search', 'query', { id: 'cs-query', type: 'search', attrs: { placeholder: 'title, brand, SKU or GTIN' } }),
      field('Sort', 'sort', { id: 'cs-sort', options: sorts, value: 'MARGIN_DESC' }),
      field('Ships to region', 'shipsTo', { id: 'cs-ships-to', attrs: { placeholder: 'DE', size: 6 } }),
      field('Minimum margin %', 'marginPercentMin', { id: 'cs-margin-min', type: 'number', attrs: { min: 0, max: 100, step: 1 } }),
      field('In stock only', 'inStock', { id: 'cs-in-stock', type: 'checkbox' }),
      h('button', { type: 'submit', class: 'primary' }, 'Search')),
    errorBox('search-error'));
  const facets = h('aside', { id: 'facets', class: 'facets card', 'aria-label': 'Facets' });
  const results = h('section', { id: 'results', 'aria-live': 'polite' });
  const publish = publishPanel(storefronts, storefront, state);
  clear(page, form, h('div', { class: 'cols' }, facets, h('div', {}, results, publish)));

  const run = async (after = null) => {
    const fd = new FormData(form);
    const f = {};
    if (state.sel.category) f.categoryPath = state.sel.category;
    for (const k of ['brand', 'supplier', 'fulfillmentMode']) {
      if (state.sel[k].size) f[{ brand: 'brands', supplier: 'suppliers', fulfillmentMode: 'fulfillmentModes' }[k]] = [...state.sel[k]];
    }
    if (fd.get('shipsTo')) f.shipsTo = fd.get('shipsTo').trim().toUpperCase();
    if (fd.get('marginPercentMin')) f.marginPercentMin = Number(fd.get('marginPercentMin'));
    if (fd.get('inStock')) f.inStock = true;
    const d = await gql(SEARCH, { q: fd.get('query') || null, f, sort: fd.get('sort'), after });
    const r = d.catalogSearch;
    renderFacets(facets, r.facets, state, () => run().catch((e) => showError(form.querySelector('.error'), e)));
    for (const e of r.edges) state.titles[e.node.id] = e.node.title;
    clear(results,
      h('div', { class: 'row' },
        h('p', { id: 'result-count' }, `${r.totalCount} offer${r.totalCount === 1 ? '' : 's'} found.`),
        r.edges.length > 1 ? h('button', {
          type: 'button', id: 'select-page',
          onclick: () => document.querySelectorAll('#catalog-results input.pick').forEach((i) => { i.checked = true; }),
        }, 'Select all on this page') : null),
      table('catalog-results', 'Offers you may source', ['Select', 'Offer', 'Supplier', 'Your wholesale', 'Suggested retail', 'Margin', 'Margin %'], r.edges, (e) => {
        const n = e.node;
        const id = `pick-${n.id}`;
        return h('tr', { dataset: { offerId: n.id } },
          h('td', {}, h('input', { type: 'checkbox', id, class: 'pick', value: n.id, 'aria-label': `Select ${n.title}` })),
          h('td', {}, h('label', { for: id }, n.title), h('div', { class: 'muted' }, [n.brand, n.category?.path, `${n.variants.length} variant${n.variants.length === 1 ? '' : 's'}`].filter(Boolean).join(' · '))),
          h('td', {}, n.supplier?.handle ?? '—'),
          h('td', { class: 'num' }, money(e.effectiveWholesale), e.discountBps ? h('div', { class: 'muted' }, `−${e.discountBps / 100} % agreed`) : null),
          h('td', { class: 'num' }, money(e.suggestedRetail)),
          h('td', { class: 'num' }, money(e.margin)),
          h('td', { class: 'num' }, `${e.marginPercent.toFixed(2)} %`));
      }, 'No offer matches. Try fewer words or filters.'),
      pager(r.pageInfo, (c) => run(c).catch(error)));
  };
  onSearch(form, run);
  await run();
}

function onSearch(form, run) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = form.querySelector('.error');
    showError(box, null);
    try { await run(); } catch (e) { showError(box, e); }
  });
}

function renderFacets(el, f, state, rerun) {
  const group = (key, legend, values, label) => {
    if (!values.length && !(key === 'category' && state.sel.category)) return null;
    return h('fieldset', {}, h('legend', {}, legend),
      key === 'category' ? facetRadio('', 'All categories', state, rerun) : null,
      values.map((v) => (key === 'category'
        ? facetRadio(v.value, `${v.value} (${v.count})`, state, rerun)
        : h('div', { class: 'field check' },
          h('input', {
            type: 'checkbox', id: `facet-${key}-${v.value}`, checked: state.sel[key].has(v.value),
            onchange: (ev) => { if (ev.target.checked) state.sel[key].add(v.value); else state.sel[key].delete(v.value); rerun(); },
          }),
          h('label', { for: `facet-${key}-${v.value}` }, `${label(v.value)} (${v.count})`)))));
  };
  clear(el, h('h2', {}, 'Refine'),
    group('category', 'Category', f.category, (v) => v),
    group('brand', 'Brand', f.brand, (v) => v),
    group('supplier', 'Supplier', f.supplier, (v) => memberNames[v] || v),
    group('fulfillmentMode', 'Fulfilment', f.fulfillmentMode, (v) => modeWords[v] || v));
}

function facetRadio(value, label, state, rerun) {
  const id = `facet-category-${value || 'all'}`;
  return h('div', { class: 'field check' },
    h('input', { type: 'radio', name: 'facet-category', id, checked: state.sel.category === value, onchange: () => { state.sel.category = value; rerun(); } }),
    h('label', { for: id }, label));
}

function publishPanel(storefronts, current, state) {
  const result = h('div', { id: 'publish-result', 'aria-live': 'polite' });
  const progress = h('progress', { id: 'publish-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Publishing progress' });
  const form = h('form', { id: 'publish', class: 'card' },
    h('h2', {}, 'Publish into your storefront'),
    !storefronts.length ? h('p', { class: 'error' }, 'You have no storefront yet: open one under Storefront settings first.') : null,
    h('div', { class: 'row' },
      field('Storefront', 'storefrontId', { id: 'pub-storefront', options: storefronts.map((s) => [s.id, s.name]), value: current?.id }),
      ruleFields('pub')),
    errorBox('publish-error'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Publish selected')),
    progress, result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = form.querySelector('.error');
    showError(box, null);
    clear(result);
    const ids = [...document.querySelectorAll('#catalog-results input.pick:checked')].map((i) => i.value);
    if (!ids.length) { showError(box, 'Select at least one offer in the results first (tick its checkbox).'); return; }
    let rule;
    try { rule = ruleInput(form, 'pub'); } catch (e) { showError(box, e); return; }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    let published = 0;
    const problems = [];
    try {
      for (let i = 0; i < ids.length; i += CHUNK) {
        const part = ids.slice(i, i + CHUNK);
        try {
          const p = await mutate('listingsPublishBulk', PUBLISH_BULK, { in: { storefrontId: form.storefrontId.value, offerIds: part, pricingRule: rule } });
          published += p.count;
        } catch (e) {
          if (!(e instanceof ApiError) || !e.userErrors.length) throw e;
          for (const u of e.userErrors) {
            const idx = u.field?.[2];
            const title = idx !== undefined && /^\d+$/.test(idx) ? state.titles[part[Number(idx)]] : null;
            problems.push(title ? `${title}: ${u.message}` : u.message);
          }
        }
        progress.value = Math.min(1, (i + part.length) / ids.length);
      }
    } catch (e) {
      showError(box, e);
    } finally {
      button.disabled = false;
    }
    clear(result,
      published ? h('p', { class: 'ok' }, `Published ${published} offer${published === 1 ? '' : 's'}. `, h('a', { href: '/console/listings' }, 'See your listings')) : null,
      problems.length ? h('div', { class: 'error', role: 'alert' }, h('p', {}, 'Not published (nothing of that batch was written):'), h('ul', {}, problems.map((p) => h('li', {}, p)))) : null);
  });
  return form;
}
