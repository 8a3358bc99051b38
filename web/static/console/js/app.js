// The console's shell: sign-in, the role's navigation and client-side routing under
// /console. Each page is a module exporting render(ctx), loaded when first opened.

import { gql, session } from './api.js';
import { h, clear, errorBox, showError } from './ui.js';

const BASE = '/console';

// Pages by path: who sees them (seller, supplier, operator) and where they live.
const routes = [
  { path: '', title: 'Overview', for: ['seller', 'supplier', 'operator', 'storefront'], mod: './pages/home.js' },
  { path: 'catalog', title: 'Shared catalog', for: ['seller'], mod: './seller/catalog.js' },
  { path: 'listings', title: 'Listings', for: ['seller', 'storefront'], mod: './seller/listings.js' },
  { path: 'storefront', title: 'Storefront settings', for: ['seller'], mod: './seller/storefront.js' },
  { path: 'orders', title: 'Orders', for: ['seller', 'storefront'], mod: './seller/orders.js' },
  { path: 'customers', title: 'Customers', for: ['seller', 'storefront'], mod: './seller/customers.js' },
  { path: 'offers', title: 'My offers', for: ['supplier'], mod: './supplier/offers.js' },
  { path: 'imports', title: 'CSV import', for: ['supplier'], mod: './supplier/imports.js' },
  { path: 'availability', title: 'Availability', for: ['supplier'], mod: './supplier/availability.js' },
  { path: 'fulfilment', title: 'Fulfilment orders', for: ['supplier'], mod: './supplier/fulfilment.js' },
  { path: 'sell-through', title: 'Sell-through', for: ['supplier'], mod: './supplier/sellthrough.js' },
  { path: 'payouts', title: 'Payout statements', for: ['supplier'], mod: './supplier/payouts.js' },
  { path: 'balances', title: 'Balances', for: ['seller', 'supplier', 'storefront'], mod: './pages/balances.js' },
  { path: 'members', title: 'Members', for: ['operator'], mod: './operator/members.js' },
  { path: 'warehouses', title: 'Warehouses and stock', for: ['operator'], mod: './operator/warehouses.js' },
  { path: 'fees', title: 'Fee totals', for: ['operator'], mod: './operator/fees.js' },
];

const VIEWER = `{ viewer { kind role signedIn
  consortium { handle name currency feeBps feeBasis }
  member { id handle legalName isSupplier isSeller status storefronts { id handle name currency routingPolicy status } }
  storefront { id handle name currency routingPolicy status }
  user { email name } } }`;

const state = { viewer: null, sides: [] };
const $ = (id) => document.getElementById(id);

// sides says which parts of the console the caller may use.
function sidesOf(v) {
  if (v.kind === 'OPERATOR') return ['operator'];
  if (v.kind === 'STOREFRONT') return ['storefront'];
  if (v.kind !== 'MEMBER') return [];
  const s = [];
  if (v.member?.isSeller && v.role !== 'SUPPLIER_OPS') s.push('seller');
  if (v.member?.isSupplier) s.push('supplier');
  return s;
}

function storefronts() {
  const v = state.viewer;
  if (v.kind === 'STOREFRONT') return v.storefront ? [v.storefront] : [];
  return v.member?.storefronts || [];
}

function currentStorefront() {
  const all = storefronts();
  const want = sessionStorage.getItem('gm.console.storefront');
  return all.find((s) => s.handle === want) || all[0] || null;
}

function signInForm(message) {
  const keyErr = errorBox('signin-error');
  const form = h('form', { id: 'signin', class: 'card narrow' },
    h('h1', {}, 'Sign in to the Guildmart console'),
    h('p', {}, 'Paste the API key of your member or of the consortium operator. It stays in this browser tab only and is forgotten when you close it.'),
    h('div', { class: 'field' },
      h('label', { for: 'signin-key' }, 'API key'),
      h('input', { id: 'signin-key', name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'gm_…', 'aria-describedby': 'signin-error' })),
    h('div', { class: 'field' },
      h('label', { for: 'signin-member' }, 'Member handle (only with a session and several accounts)'),
      h('input', { id: 'signin-member', name: 'member', type: 'text', autocomplete: 'off' })),
    keyErr,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
      h('button', { type: 'button', id: 'signin-session' }, 'Use my session')),
    h('p', { class: 'hint' }, 'With Ory Kratos configured, people signed in there use "Use my session" instead of a key.'));
  const tryIt = async (key, member) => {
    session.set(key, member);
    try {
      await start();
    } catch (err) {
      session.clear();
      let msg = err.message;
      if (err.code === 'UNAUTHENTICATED') {
        msg = key
          ? `This API key was not accepted (${err.raw}). It may have been revoked or expired, or its member suspended: check that you copied it whole, or ask for a new key.`
          : `No signed-in session was found (${err.raw}). Sign in with your account first, or paste an API key.`;
      }
      showError(keyErr, msg);
      form.querySelector('#signin-key').focus();
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = form.key.value.trim();
    if (!key) {
      showError(keyErr, 'Enter an API key (it starts with gm_), or use your session.');
      form.key.focus();
      return;
    }
    tryIt(key, '');
  });
  form.querySelector('#signin-session').addEventListener('click', () => tryIt('', form.member.value.trim()));
  if (message) showError(keyErr, message);
  return form;
}

function showSignIn(message) {
  state.viewer = null;
  document.body.classList.add('signed-out');
  clear($('nav'));
  clear($('whoami'));
  $('signout').hidden = true;
  clear($('main'), signInForm(message));
  $('signin-key')?.focus();
}

function whoami(v) {
  const who = v.kind === 'OPERATOR' ? `operator of ${v.consortium?.name}`
    : v.kind === 'STOREFRONT' ? `storefront ${v.storefront?.handle}`
      : `${v.member?.handle} (${(v.role || '').toLowerCase().replace('_', ' ')})`;
  return [h('span', { class: 'kind' }, v.kind.toLowerCase()), ' ', who, v.user ? ` — ${v.user.email}` : ''];
}

function renderNav() {
  const nav = clear($('nav'));
  const groups = { seller: 'Selling', supplier: 'Supplying', operator: 'Consortium', storefront: 'Storefront' };
  const shown = new Set();
  nav.append(h('a', { href: BASE, 'data-path': '' }, 'Overview'));
  for (const side of state.sides) {
    const links = routes.filter((r) => r.path && r.for.includes(side) && !shown.has(r.path));
    if (!links.length) continue;
    nav.append(h('h2', {}, groups[side]));
    const ul = h('ul');
    for (const r of links) {
      shown.add(r.path);
      ul.append(h('li', {}, h('a', { href: `${BASE}/${r.path}`, 'data-path': r.path }, r.title)));
    }
    nav.append(ul);
  }
  const sfs = storefronts();
  if (sfs.length > 1) {
    const cur = currentStorefront();
    nav.append(h('div', { class: 'field' }, h('label', { for: 'storefront-pick' }, 'Storefront'),
      h('select', {
        id: 'storefront-pick',
        onchange: (ev) => { sessionStorage.setItem('gm.console.storefront', ev.target.value); route(); },
      }, sfs.map((s) => h('option', { value: s.handle, selected: s.handle === cur?.handle }, s.name)))));
  }
}

async function start() {
  const data = await gql(VIEWER);
  const v = data.viewer;
  const sides = sidesOf(v);
  if (!sides.length) {
    throw new Error(`This sign-in is a ${v.kind.toLowerCase()}: the console is for members and the consortium operator.`);
  }
  state.viewer = v;
  state.sides = sides;
  document.body.classList.remove('signed-out');
  clear($('whoami'), whoami(v));
  $('signout').hidden = false;
  renderNav();
  await route();
}

function currentPath() {
  let p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return p.replace(/^\/+|\/+$/g, '');
}

export function go(path) {
  history.pushState(null, '', `${BASE}${path ? '/' + path : ''}`);
  return route();
}

let seq = 0;

async function route() {
  if (!state.viewer) return;
  const path = currentPath();
  const main = $('main');
  main.removeAttribute('data-ready');
  for (const a of $('nav').querySelectorAll('a')) {
    if (a.dataset.path === path) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const r = routes.find((x) => x.path === path);
  const pageErr = errorBox('page-error');
  if (!r || !r.for.some((s) => state.sides.includes(s))) {
    clear(main, h('h1', {}, 'Page not found'), h('p', {}, 'This page does not exist or is not for your role. Pick one from the menu.'));
    main.dataset.ready = path;
    return;
  }
  document.title = `${r.title} — Guildmart console`;
  const mine = ++seq;
  clear(main, h('h1', { tabindex: '-1' }, r.title), pageErr, h('div', { id: 'page', 'aria-busy': 'true' }, h('p', { class: 'loading' }, 'Loading…')));
  main.querySelector('h1').focus({ preventScroll: true });
  const page = main.querySelector('#page');
  try {
    const mod = await import(r.mod);
    await mod.render({
      page, viewer: state.viewer, sides: state.sides, storefront: currentStorefront(), storefronts: storefronts(), go,
      error: (err) => showError(pageErr, err),
      refresh: start,
      stale: () => mine !== seq,
    });
  } catch (err) {
    if (mine !== seq || !state.viewer) return;
    clear(page);
    showError(pageErr, err);
  }
  if (mine !== seq || !state.viewer) return;
  page.removeAttribute('aria-busy');
  main.dataset.ready = path || 'home';
}

function boot() {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a[href]');
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.target) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !(url.pathname === BASE || url.pathname.startsWith(BASE + '/'))) return;
    ev.preventDefault();
    history.pushState(null, '', url.pathname + url.search);
    route();
  });
  window.addEventListener('popstate', route);
  window.addEventListener('gm:unauthenticated', (ev) => {
    if (!state.viewer) return; // a failed sign-in explains itself on the form
    session.clear();
    showSignIn(ev.detail.message);
  });
  $('signout').addEventListener('click', async () => {
    if (!session.key()) {
      try { await fetch('/session/logout', { method: 'POST', credentials: 'same-origin' }); } catch { /* signing out locally is enough */ }
    }
    session.clear();
    showSignIn();
  });
  if (session.key() || session.member()) {
    start().catch((err) => { session.clear(); showSignIn(err.message); });
  } else {
    showSignIn();
  }
}

boot();
