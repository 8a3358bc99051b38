// The reference storefront: a small client-side app under /s/{handle}/… on the public
// GraphQL API as an anonymous shopper (X-Storefront). One GraphQL request per view.
import { gql, fieldOf } from '/assets/shared/gql.js';
import { h, money, stock, orderStatus, thumb, options } from './dom.js';
import { makeStore } from './store.js';
import * as Q from './queries.js';

const parts = location.pathname.split('/');
const handle = decodeURIComponent(parts[2] || '');
const base = `/s/${encodeURIComponent(handle)}/`;
const store = makeStore(handle);
const app = document.getElementById('app');
const pageError = document.getElementById('page-error');

const api = (query, vars = {}) => gql(query, { h: handle, ...vars }, { storefront: handle });

// --- shell ---

function link(path, text, attrs = {}) {
  return h('a', { href: base + path, ...attrs }, text);
}

function setShell(name) {
  if (name) {
    document.getElementById('site-name').textContent = name;
  }
  document.getElementById('cart-count').textContent = String(store.count());
}

function showError(err) {
  pageError.textContent = err ? (err.message || String(err)) : '';
  pageError.hidden = !err;
}

function render(view, title, ...nodes) {
  app.replaceChildren(...nodes);
  app.dataset.ready = view;
  app.setAttribute('aria-busy', 'false');
  const shop = document.getElementById('site-name').textContent;
  document.title = title ? `${title} · ${shop}` : shop;
}

function go(path, { replace = false } = {}) {
  const url = path.startsWith('/') ? path : base + path;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  route(true);
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || !u.pathname.startsWith(base.slice(0, -1))) return;
  e.preventDefault();
  go(u.pathname + u.search);
});
window.addEventListener('popstate', () => route(true));
document.addEventListener('cart-changed', () => setShell());
document.getElementById('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('search-q').value.trim();
  if (q) go(`search?q=${encodeURIComponent(q)}`);
});

// --- routing ---

let seq = 0;
async function route(focus) {
  const my = ++seq;
  const rest = location.pathname.slice(base.length).replace(/\/+$/, '');
  const params = new URLSearchParams(location.search);
  const seg = rest ? rest.split('/').map(decodeURIComponent) : [];
  showError(null);
  app.setAttribute('aria-busy', 'true');
  delete app.dataset.ready;
  try {
    let view;
    switch (seg[0] || '') {
      case '': view = home(); break;
      case 'listings': view = seg[1] ? listingPage(seg[1]) : grid(params); break;
      case 'collections': params.set('collection', seg[1] || ''); view = grid(params); break;
      case 'search': view = search(params); break;
      case 'cart': view = cartPage(); break;
      case 'checkout': view = checkoutPage(); break;
      case 'orders': view = seg[1] ? orderPage(seg[1], params) : ordersPage(); break;
      default: view = notFound();
    }
    await view;
  } catch (err) {
    if (my !== seq) return;
    render('error', 'Error', h('h1', {}, 'This page could not be shown'), h('p', { class: 'error' }, err.message || String(err)),
      h('p', {}, link('', 'Back to the shop')));
    showError(err);
  }
  if (my === seq && focus) app.focus({ preventScroll: false });
}

function notFound() {
  render('not-found', 'Not found', h('h1', {}, 'Page not found'), h('p', {}, link('', 'Back to the shop')));
}

// --- product cards ---

function card(l) {
  const lowest = l.priceRange && l.priceRange.min;
  const compare = (l.variants || []).map((v) => v.compareAt).filter(Boolean)[0];
  const sellable = (l.variants || []).some((v) => v.availableForSale);
  return h('li', { class: 'card', 'data-handle': l.handle },
    thumb(l),
    h('div', { class: 'body' },
      link(`listings/${encodeURIComponent(l.handle)}`, l.title, { class: 'title' }),
      l.brand ? h('span', { class: 'muted' }, l.brand) : null,
      h('span', {},
        lowest ? h('span', { class: 'price' }, (l.priceRange.min.amount !== l.priceRange.max.amount ? 'from ' : '') + money(lowest)) : h('span', { class: 'muted' }, 'Not available'),
        compare ? h('span', { class: 'compare-at' }, h('span', { class: 'visually-hidden' }, 'was '), money(compare)) : null),
      sellable ? null : h('span', { class: 'stock-OUT_OF_STOCK' }, 'Out of stock')));
}

function cards(edges, id = 'grid') {
  if (!edges.length) return h('p', { id, class: 'muted' }, 'Nothing here yet.');
  return h('ul', { id, class: 'grid' }, edges.map((e) => card(e.node)));
}

function pager(pageInfo, params) {
  if (!pageInfo || !pageInfo.hasNextPage) return null;
  const next = new URLSearchParams(params);
  next.set('after', pageInfo.endCursor);
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    params.get('after') ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); history.back(); } }, 'Previous page') : null,
    link(`${location.pathname.slice(base.length)}?${next}`, 'Next page', { rel: 'next' }));
}

// --- views ---

async function home() {
  const d = await api(Q.HOME);
  const sf = d.storefront;
  setShell(sf.name);
  render('home', '',
    h('h1', {}, `Welcome to ${sf.name}`),
    h('h2', {}, 'Collections'),
    h('ul', { id: 'collections', class: 'collections' }, sf.collections.map((c) => h('li', {},
      link(`collections/${encodeURIComponent(c.handle)}`, [h('strong', {}, c.title), h('span', { class: 'muted' }, c.description)], { class: 'collection', 'data-collection': c.handle })))),
    h('h2', {}, 'New in'),
    cards(sf.listings.edges, 'featured'),
    h('p', {}, link('listings', 'See all products')));
}

async function grid(params) {
  const vars = {
    collection: params.get('collection') || null, brand: params.get('brand') || null,
    sort: params.get('sort') || 'NEWEST', after: params.get('after') || null,
  };
  const d = await api(Q.GRID, vars);
  const sf = d.storefront;
  setShell(sf.name);
  const coll = sf.collections.find((c) => c.handle === vars.collection);
  const apply = (e) => {
    const f = e.currentTarget.form || e.currentTarget;
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(f)) if (v) p.set(k, v);
    go(`listings?${p}`);
  };
  const select = (name, label, opts, value) => h('fieldset', {},
    h('label', { for: `f-${name}` }, label),
    h('select', { id: `f-${name}`, name, onchange: apply },
      opts.map(([v, t]) => h('option', { value: v, selected: v === (value || '') }, t))));
  const filters = h('form', { id: 'filters', class: 'filters', 'aria-label': 'Filter and sort', onsubmit: (e) => { e.preventDefault(); apply(e); } },
    select('collection', 'Collection', [['', 'All collections'], ...sf.collections.map((c) => [c.handle, c.title])], vars.collection),
    select('brand', 'Brand', [['', 'All brands'], ...sf.listingFacets.brands.map((b) => [b.value, `${b.value} (${b.count})`])], vars.brand),
    select('sort', 'Sort by', [['NEWEST', 'Newest'], ['PRICE_ASC', 'Price: low to high'], ['PRICE_DESC', 'Price: high to low'], ['TITLE', 'Name']], vars.sort),
    h('noscript', {}, h('button', { type: 'submit' }, 'Apply')));
  render('listings', coll ? coll.title : 'All products',
    h('h1', {}, coll ? coll.title : 'All products'),
    h('div', { class: 'layout' }, h('aside', {}, filters),
      h('section', { 'aria-label': 'Products' }, cards(sf.listings.edges), pager(sf.listings.pageInfo, params))));
}

async function search(params) {
  const q = params.get('q') || '';
  document.getElementById('search-q').value = q;
  if (!q) { go('listings', { replace: true }); return; }
  const vars = { q, collection: params.get('collection') || null, brand: params.get('brand') || null, after: params.get('after') || null };
  const d = await api(Q.SEARCH, vars);
  const sf = d.storefront;
  setShell(sf.name);
  const res = sf.search;
  const titles = Object.fromEntries(sf.collections.map((c) => [c.handle, c.title]));
  const facet = (name, label, values, current, title = (v) => v) => h('div', {},
    h('h2', {}, label),
    h('ul', {}, current ? h('li', {}, facetLink(name, null, `All ${label.toLowerCase()}`, false)) : null,
      values.map((f) => h('li', {}, facetLink(name, f.value, `${title(f.value)} (${f.count})`, f.value === current)))));
  const facetLink = (name, value, text, on) => {
    const p = new URLSearchParams(params);
    p.delete('after');
    if (value) p.set(name, value); else p.delete(name);
    return link(`search?${p}`, text, { class: 'facet', 'data-facet': name, 'data-value': value || '', 'aria-current': on ? 'true' : false });
  };
  const n = res.edges.length;
  render('search', `Search: ${q}`,
    h('h1', {}, `Search results for “${q}”`),
    h('div', { class: 'layout' },
      h('aside', { id: 'facets', class: 'facets', 'aria-label': 'Refine' },
        facet('brand', 'Brands', res.facets.brands, vars.brand),
        facet('collection', 'Collections', res.facets.collections, vars.collection, (v) => titles[v] || v)),
      h('section', { 'aria-label': 'Results' },
        h('p', { id: 'result-count', class: 'muted' }, n ? `${n}${res.pageInfo.hasNextPage ? '+' : ''} products found` : `Nothing matches “${q}”. Try another word.`),
        n ? cards(res.edges, 'results') : null, pager(res.pageInfo, params))));
}

async function listingPage(lh) {
  const d = await api(Q.LISTING, { l: lh });
  const sf = d.storefront;
  setShell(sf.name);
  const l = sf.listing;
  if (!l) { render('not-found', 'Not found', h('h1', {}, 'This product is not sold here (any more)'), h('p', {}, link('listings', 'See all products'))); return; }
  const chosen = {};
  const first = l.variants.find((v) => v.availableForSale) || l.variants[0];
  for (const o of (first ? first.selectedOptions : [])) chosen[o.name] = o.value;
  const priceEl = h('span', { id: 'price', class: 'price' });
  const compareEl = h('span', { id: 'compare-at', class: 'compare-at' });
  const availEl = h('p', { id: 'availability' });
  const qty = h('input', { id: 'qty', type: 'number', min: '1', max: '9999', value: '1', inputmode: 'numeric' });
  const status = h('p', { id: 'cart-status', role: 'status', 'aria-live': 'polite' });
  const addBtn = h('button', { id: 'add-to-cart', type: 'submit' }, 'Add to cart');
  const current = () => l.variants.find((v) => v.selectedOptions.every((o) => chosen[o.name] === o.value));
  const update = () => {
    const v = current();
    priceEl.textContent = v ? money(v.price) : 'Not available in this combination';
    compareEl.replaceChildren(...(v && v.compareAt ? [h('span', { class: 'visually-hidden' }, 'was '), money(v.compareAt)] : []));
    availEl.className = v ? `stock-${v.availability}` : 'stock-OUT_OF_STOCK';
    availEl.textContent = v ? (v.availableForSale ? stock(v.availability) : 'Not available') : 'Not available';
    addBtn.disabled = !v || !v.availableForSale;
  };
  const picker = h('div', { id: 'variant-picker', class: 'picker' }, l.options.map((o) => {
    const id = `option-${o.name.replace(/\W+/g, '-')}`;
    return h('div', {}, h('label', { for: id }, o.name),
      h('select', { id, name: `option-${o.name}`, onchange: (e) => { chosen[o.name] = e.target.value; update(); status.textContent = ''; } },
        o.values.map((val) => h('option', { value: val, selected: chosen[o.name] === val }, val))));
  }));
  const form = h('form', { class: 'buy-form', onsubmit: async (e) => {
    e.preventDefault();
    const v = current();
    const n = parseInt(qty.value, 10);
    if (!v) return;
    if (!(n >= 1 && n <= 9999)) { status.textContent = 'Enter a quantity from 1 to 9999.'; status.className = 'error'; qty.focus(); return; }
    addBtn.disabled = true;
    status.className = '';
    status.textContent = 'Adding…';
    try {
      const lines = [{ listingVariantId: v.id, quantity: n }];
      let cart;
      const id = store.cartId();
      if (id) {
        try { cart = (await api(Q.CART_ADD, { id, lines })).cartLinesAdd.cart; } catch (err) {
          if (err.code !== 'USER_ERRORS' || !err.userErrors.some((u) => fieldOf(u) === 'cartId')) throw err;
          cart = null; // the cart is gone or checked out: start a new one
        }
      }
      if (!cart) cart = (await api(Q.CART_CREATE, { lines })).cartCreate.cart;
      store.setCart(cart);
      status.className = 'ok';
      status.replaceChildren(`Added ${n} × ${l.title} to your cart. `, link('cart', 'View cart'));
    } catch (err) {
      status.className = 'error';
      status.textContent = err.message;
    } finally {
      addBtn.disabled = false;
      update();
    }
  } },
  picker,
  h('p', {}, priceEl, compareEl),
  availEl,
  h('div', { class: 'buy' }, h('div', {}, h('label', { for: 'qty' }, 'Quantity'), qty), addBtn),
  status);
  render('listing', l.title,
    h('nav', { 'aria-label': 'Breadcrumb', class: 'muted' }, link('', sf.name), ' › ',
      l.collection ? link(`collections/${encodeURIComponent(l.collection.handle)}`, l.collection.title) : link('listings', 'All products')),
    h('article', { class: 'product' },
      thumb(l),
      h('div', {},
        h('h1', {}, l.title),
        l.brand || l.vendor ? h('p', { class: 'muted' }, [l.brand, l.vendor].filter(Boolean).join(' · ')) : null,
        form,
        h('h2', {}, 'Description'),
        h('p', { id: 'description' }, l.description || 'No description.'))));
  update();
}

function cartTable(cart, onQty, onRemove) {
  return h('table', { id: 'cart-lines', class: 'cart-table' },
    h('caption', { class: 'visually-hidden' }, 'Items in your cart'),
    h('thead', {}, h('tr', {}, h('th', {}, 'Product'), h('th', { class: 'num' }, 'Price'), h('th', {}, 'Quantity'), h('th', { class: 'num' }, 'Total'), onRemove ? h('th', {}, h('span', { class: 'visually-hidden' }, 'Remove')) : null)),
    h('tbody', {}, cart.lines.map((ln) => {
      const qid = `qty-${ln.listingVariantId.replace(/\W/g, '')}`;
      return h('tr', { 'data-variant': ln.listingVariantId },
        h('td', {}, h('strong', {}, ln.title), ln.selectedOptions.length ? h('div', { class: 'muted' }, options(ln.selectedOptions)) : null,
          ln.status !== 'ACTIVE' ? h('div', { class: 'error' }, `Not available (${ln.status.replace(/_/g, ' ').toLowerCase()}): remove it to check out.`) : null,
          ln.priceChanged ? h('div', { class: 'error price-changed' }, `The price changed from ${money(ln.unitPrice)} to ${money(ln.currentUnitPrice)}.`) : null),
        h('td', { class: 'num' }, money(ln.currentUnitPrice)),
        h('td', {}, onQty
          ? [h('label', { for: qid, class: 'visually-hidden' }, `Quantity of ${ln.title}`),
            h('input', { id: qid, class: 'line-qty', type: 'number', min: '0', max: '9999', value: String(ln.quantity), onchange: (e) => onQty(ln, e.target) })]
          : String(ln.quantity)),
        h('td', { class: 'num' }, money(ln.total)),
        onRemove ? h('td', {}, h('button', { type: 'button', class: 'secondary remove', onclick: () => onRemove(ln) }, 'Remove', h('span', { class: 'visually-hidden' }, ` ${ln.title}`))) : null);
    })),
    h('tfoot', {}, h('tr', {}, h('th', { colspan: '3' }, 'Subtotal'), h('td', { id: 'subtotal', class: 'num' }, money(cart.subtotal)), onRemove ? h('td') : null)));
}

async function loadCart(query) {
  const id = store.cartId();
  if (!id) return { d: await api(Q.NAME), cart: null };
  const d = await api(query, { id });
  let cart = d.cart;
  if (!cart || cart.status !== 'OPEN') { store.setCart(null); cart = null; }
  return { d, cart };
}

async function cartPage() {
  const { d, cart } = await loadCart(Q.CART);
  setShell(d.storefront.name);
  if (!cart || !cart.lines.length) {
    render('cart', 'Cart', h('h1', {}, 'Your cart'), h('p', { id: 'cart-empty' }, 'Your cart is empty. ', link('listings', 'Browse the products')));
    return;
  }
  const status = h('p', { id: 'cart-status', role: 'status', 'aria-live': 'polite' });
  const mutate = async (query, vars) => {
    status.className = '';
    status.textContent = 'Updating…';
    try {
      const res = Object.values(await api(query, { id: cart.id, ...vars }))[0];
      store.setCart(res.cart);
      await cartPage();
    } catch (err) {
      status.className = 'error';
      status.textContent = err.message;
    }
  };
  render('cart', 'Cart', h('h1', {}, 'Your cart'),
    cartTable(cart,
      (ln, input) => {
        const n = parseInt(input.value, 10);
        if (!(n >= 0 && n <= 9999)) { status.className = 'error'; status.textContent = 'Enter a quantity from 0 to 9999.'; input.setAttribute('aria-invalid', 'true'); return; }
        mutate(Q.CART_UPDATE, { lines: [{ listingVariantId: ln.listingVariantId, quantity: n }] });
      },
      (ln) => mutate(Q.CART_REMOVE, { variants: [ln.listingVariantId] })),
    status,
    h('p', {}, link('checkout', 'Check out', { id: 'checkout-link', class: 'button' }), ' ', link('listings', 'Continue shopping')));
}

// Approximate points of the countries we ship to: the API routes by distance and
// needs a point; a shop with a geocoder would send the address's own.
const countries = {
  DE: ['Germany', 51.16, 10.45], AT: ['Austria', 47.52, 14.55], CH: ['Switzerland', 46.82, 8.23], NL: ['Netherlands', 52.13, 5.29],
  BE: ['Belgium', 50.5, 4.47], FR: ['France', 46.23, 2.21], DK: ['Denmark', 56.26, 9.5], SE: ['Sweden', 60.13, 18.64],
  NO: ['Norway', 60.47, 8.47], FI: ['Finland', 61.92, 25.75], PL: ['Poland', 51.92, 19.15], CZ: ['Czechia', 49.82, 15.47],
  GB: ['United Kingdom', 55.38, -3.44], IE: ['Ireland', 53.41, -8.24], ES: ['Spain', 40.46, -3.75],
};

async function checkoutPage() {
  const { d, cart } = await loadCart(Q.CHECKOUT);
  const sf = d.storefront;
  setShell(sf.name);
  if (!cart || !cart.lines.length) {
    render('checkout', 'Checkout', h('h1', {}, 'Checkout'), h('p', {}, 'Your cart is empty. ', link('listings', 'Browse the products')));
    return;
  }
  const methods = sf.paymentMethods || ['INVOICE'];
  const field = (id, label, attrs = {}, full = false) => h('div', { class: full ? 'full' : '' },
    h('label', { for: id }, label),
    h('input', { id, name: id, 'aria-describedby': `err-${id}`, ...attrs }),
    h('p', { id: `err-${id}`, class: 'field-error', 'aria-live': 'polite' }));
  const country = h('select', { id: 'country', name: 'country', 'aria-describedby': 'err-country', autocomplete: 'country' },
    Object.entries(countries).map(([code, [name]]) => h('option', { value: code, selected: code === 'DE' }, name)));
  const changed = cart.lines.some((l) => l.priceChanged);
  const accept = h('div', { id: 'accept-wrap', class: 'full', hidden: !changed },
    h('label', {}, h('input', { id: 'accept-prices', type: 'checkbox', name: 'accept' }), ' I accept the changed prices shown above'),
    h('p', { id: 'err-accept-prices', class: 'field-error' }));
  const formError = h('p', { id: 'checkout-error', role: 'alert' });
  const placeBtn = h('button', { id: 'place-order', type: 'submit' }, 'Place order');
  const form = h('form', { id: 'checkout-form', class: 'form', novalidate: true, onsubmit: submit },
    field('email', 'E-mail', { type: 'email', autocomplete: 'email', required: true, value: store.lastEmail() }, true),
    field('name', 'Full name', { autocomplete: 'name', required: true }, true),
    field('line1', 'Street and number', { autocomplete: 'address-line1', required: true }, true),
    field('line2', 'Address line 2 (optional)', { autocomplete: 'address-line2' }, true),
    field('postalCode', 'Postal code', { autocomplete: 'postal-code', required: true }),
    field('city', 'City', { autocomplete: 'address-level2', required: true }),
    h('div', {}, h('label', { for: 'country' }, 'Country'), country, h('p', { id: 'err-country', class: 'field-error' })),
    field('region', 'Region code (optional, e.g. DE-BY)', { pattern: '[A-Za-z]{2}-[A-Za-z0-9]{1,3}' }),
    h('fieldset', { class: 'pay full' }, h('legend', {}, 'Payment'),
      h('label', {}, h('input', { type: 'radio', name: 'payment', value: 'INVOICE', checked: true }), 'Invoice (pay by bank transfer after delivery)'),
      methods.includes('CARD') ? h('label', {}, h('input', { type: 'radio', name: 'payment', value: 'CARD' }), 'Card') : null,
      methods.includes('CARD') ? null : h('p', { class: 'muted', id: 'card-unavailable' }, 'Card payment is not offered by this shop at the moment.')),
    accept,
    h('div', { class: 'full' }, placeBtn, formError));

  async function submit(e) {
    e.preventDefault();
    for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    formError.textContent = '';
    const val = (id) => form.elements[id].value.trim();
    const missing = ['email', 'name', 'line1', 'postalCode', 'city'].filter((id) => !val(id));
    if (val('email') && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(val('email'))) missing.push('email');
    if (missing.length) {
      for (const id of missing) setFieldError(id, id === 'email' && val('email') ? 'Enter an e-mail address like name@example.com.' : 'This is required.');
      form.elements[missing[0]].focus();
      return;
    }
    const code = val('country');
    const [, lat, lng] = countries[code];
    const region = val('region').toUpperCase();
    const input = {
      cartId: cart.id, email: val('email'), idempotencyKey: store.checkoutKey(cart.id),
      acceptPriceChanges: form.elements.accept.checked,
      shippingAddress: { name: val('name'), line1: val('line1'), line2: val('line2'), city: val('city'), postalCode: val('postalCode'),
        country: code, region: region || null, latitude: lat, longitude: lng },
    };
    const method = form.elements.payment.value;
    input.paymentMethod = method;
    placeBtn.disabled = true;
    placeBtn.textContent = 'Placing your order…';
    const placed = async (res, note) => {
      const order = res.order;
      store.setLastEmail(input.email);
      store.addOrder({ id: order.id, name: order.name, email: input.email, at: new Date().toISOString() });
      store.setCart(null);
      if (note === null && method === 'CARD') note = await cardForm(order, res.clientSecret, sf.stripePublishableKey);
      if (note === null) return; // the card form is showing; Stripe returns to the order page
      go(`orders/${encodeURIComponent(order.id)}?placed=1${note ? `&card=${encodeURIComponent(note)}` : ''}`);
    };
    try {
      const res = (await api(Q.CHECKOUT_COMPLETE, { input })).checkoutComplete;
      await placed(res, method === 'CARD' ? null : '');
    } catch (err) {
      // A card order can be placed while its payment could not start: the payload has the
      // order and a paymentMethod userError. The order stands; say so on the confirmation.
      const res = err.data && err.data.checkoutComplete;
      if (err.code === 'USER_ERRORS' && res && res.order) {
        await placed(res, err.message);
        return;
      }
      placeBtn.disabled = false;
      placeBtn.textContent = 'Place order';
      if (err.code === 'USER_ERRORS') {
        const general = [];
        for (const u of err.userErrors) {
          const f = fieldOf(u);
          if (f === 'acceptPriceChanges') { accept.hidden = false; setFieldError('accept-prices', u.message); } else if (form.elements[f]) setFieldError(f, u.message); else general.push(u.message);
        }
        formError.textContent = general.length ? general.join(' ') : 'Please correct the marked fields.';
      } else {
        formError.textContent = err.message;
      }
    }
  }
  function setFieldError(id, msg) {
    const p = document.getElementById(`err-${id}`);
    if (p) p.textContent = msg;
    const i = document.getElementById(id);
    if (i) i.setAttribute('aria-invalid', 'true');
  }

  render('checkout', 'Checkout', h('h1', {}, 'Checkout'),
    h('section', { class: 'summary', 'aria-label': 'Order summary' }, h('h2', {}, 'Your order'), cartTable(cart)),
    h('h2', {}, 'Shipping and payment'), form);
}

// cardForm shows Stripe's Payment Element for the PaymentIntent checkoutComplete started
// (its client secret) and confirms it with Stripe.js; Stripe then sends the shopper back
// to the order page, and the webhook records the payment. It returns null while the form
// shows, or a note for the confirmation page when a card cannot be taken here (no
// publishable key, Stripe.js unreachable): the order stays placed either way, and the
// shop invoices it otherwise.
async function cardForm(order, clientSecret, publishableKey) {
  if (!clientSecret) return 'The shop could not start a card payment.';
  if (!publishableKey) return 'This shop has no Stripe publishable key configured to show the card form.';
  let stripe;
  try {
    await new Promise((resolve, reject) => {
      const s = h('script', { src: 'https://js.stripe.com/v3/', async: true });
      s.onload = resolve;
      s.onerror = () => reject(new Error('Stripe.js could not be loaded'));
      document.head.append(s);
    });
    stripe = window.Stripe(publishableKey);
  } catch (err) {
    return `Card payment is not possible right now (${err.message.replace(/\.$/, '')}).`;
  }
  const elements = stripe.elements({ clientSecret });
  const mount = h('div', { id: 'payment-element' });
  const payError = h('p', { id: 'pay-error', role: 'alert' });
  const payBtn = h('button', { id: 'pay', type: 'submit' }, `Pay ${money(order.subtotal)}`);
  const back = `${location.origin}${base}orders/${encodeURIComponent(order.id)}?placed=1`;
  const form = h('form', { id: 'pay-form', class: 'form', onsubmit: async (e) => {
    e.preventDefault();
    payBtn.disabled = true;
    payError.textContent = '';
    const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: back } });
    // Only reached when confirming failed (success leaves for return_url).
    payError.textContent = error ? error.message : 'The payment was not confirmed.';
    payBtn.disabled = false;
  } }, mount, h('div', { class: 'full' }, payBtn, payError));
  render('pay', 'Pay by card', h('h1', {}, `Pay for order ${order.name}`),
    h('p', {}, 'Your order is placed. Enter your card to pay for it, or ', link(`orders/${encodeURIComponent(order.id)}?placed=1`, 'pay later by invoice'), '.'),
    form);
  elements.create('payment').mount('#payment-element');
  return null;
}

async function ordersPage() {
  const d = await api(Q.NAME);
  setShell(d.storefront.name);
  const list = store.orders();
  render('orders', 'My orders', h('h1', {}, 'My orders'),
    list.length
      ? h('ul', { id: 'my-orders' }, list.map((o) => h('li', {}, link(`orders/${encodeURIComponent(o.id)}`, `Order ${o.name}`), h('span', { class: 'muted' }, ` placed ${new Date(o.at).toLocaleString()}`))))
      : h('p', {}, 'No orders placed from this browser yet. Orders placed elsewhere: open the link from your confirmation.'));
}

async function orderPage(id, params) {
  const email = params.get('email') || store.emailFor(id);
  if (!email) { lookupForm(id, ''); return; }
  const d = await api(Q.ORDER, { id, email });
  setShell(d.storefront.name);
  const o = d.shopperOrder;
  if (!o) { lookupForm(id, 'No order matches this link and e-mail address. Check the e-mail address you ordered with.'); return; }
  const lineTitle = Object.fromEntries(o.lines.map((l) => [l.id, l.title]));
  const a = o.shippingAddress;
  const cardNote = params.get('card');
  render('order', `Order ${o.name}`,
    params.get('placed') ? h('div', { id: 'confirmation', class: 'notice', role: 'status' },
      h('h1', {}, `Thank you! Order ${o.name} is placed.`),
      h('p', {}, `We sent the details to ${o.email}. Keep this page's address to follow your order.`),
      cardNote ? h('p', { id: 'card-note', class: 'error' }, cardNote, ' The shop will send you an invoice instead.') : null)
      : h('h1', {}, `Order ${o.name}`),
    h('p', {}, 'Status: ', h('strong', { id: 'order-status', 'data-status': o.status }, orderStatus(o.status)),
      h('span', { class: 'muted' }, ` · placed ${new Date(o.createdAt).toLocaleString()}`)),
    h('h2', {}, 'Items'),
    h('table', { id: 'order-lines' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Product'), h('th', {}, 'Quantity'), h('th', { class: 'num' }, 'Price'), h('th', { class: 'num' }, 'Total'), h('th', {}, 'Status'))),
      h('tbody', {}, o.lines.map((l) => h('tr', { 'data-line': l.id },
        h('td', {}, l.title, l.selectedOptions.length ? h('div', { class: 'muted' }, options(l.selectedOptions)) : null),
        h('td', {}, String(l.quantity)), h('td', { class: 'num' }, money(l.unitPrice)), h('td', { class: 'num' }, money(l.total)),
        h('td', {}, orderStatus(l.status), l.quantityCancelled ? ` (${l.quantityCancelled} cancelled)` : '')))),
      h('tfoot', {}, h('tr', {}, h('th', { colspan: '3' }, 'Subtotal'), h('td', { id: 'order-subtotal', class: 'num' }, money(o.subtotal)), h('td')))),
    h('h2', {}, 'Shipments'),
    o.shipments.length
      ? h('ul', { id: 'shipments', class: 'shipments' }, o.shipments.map((s) => h('li', { class: 'shipment', 'data-tracking': s.trackingNumber },
        h('p', {}, h('strong', { class: 'carrier' }, s.carrier), ' · tracking number ',
          s.trackingUrl && /^https?:\/\//.test(s.trackingUrl)
            ? h('a', { class: 'tracking-number', href: s.trackingUrl, rel: 'noopener noreferrer', target: '_blank' }, s.trackingNumber)
            : h('span', { class: 'tracking-number' }, s.trackingNumber)),
        h('p', { class: 'muted' }, `${s.status === 'DELIVERED' ? 'Delivered' : 'Shipped'} ${new Date(s.deliveredAt || s.shippedAt).toLocaleString()}: `,
          s.lines.map((l) => `${l.quantity} × ${lineTitle[l.orderLineId] || 'item'}`).join(', ')))))
      : h('p', { id: 'no-shipments', class: 'muted' }, 'Nothing has shipped yet. Tracking numbers appear here as soon as parcels leave.'),
    h('h2', {}, 'Shipping to'),
    h('address', { id: 'ship-to' }, [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.region || a.country].filter(Boolean).flatMap((x, i) => (i ? [h('br'), x] : [x]))));
}

function lookupForm(id, message) {
  const input = h('input', { id: 'lookup-email', type: 'email', autocomplete: 'email', required: true, 'aria-describedby': 'lookup-error' });
  render('order-lookup', 'Find your order',
    h('h1', {}, 'Find your order'),
    h('form', { id: 'lookup-form', class: 'form', onsubmit: (e) => {
      e.preventDefault();
      const email = input.value.trim();
      if (!email) { document.getElementById('lookup-error').textContent = 'Enter the e-mail address you ordered with.'; input.focus(); return; }
      store.addOrder({ id, name: '', email, at: new Date().toISOString() });
      go(`orders/${encodeURIComponent(id)}`, { replace: true });
    } },
    h('div', { class: 'full' }, h('label', { for: 'lookup-email' }, 'E-mail address you ordered with'), input,
      h('p', { id: 'lookup-error', class: 'field-error', role: 'alert' }, message)),
    h('div', {}, h('button', { type: 'submit' }, 'Show my order'))));
}

// --- start ---
for (const [id, path] of [['site-name', ''], ['nav-all', 'listings'], ['nav-orders', 'orders'], ['cart-link', 'cart']]) {
  document.getElementById(id).setAttribute('href', base + path);
}
document.getElementById('search-form').setAttribute('action', `${base}search`);
setShell();
route(false);
