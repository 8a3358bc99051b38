// Tiny DOM helpers: every text goes in as text (titles come from suppliers), never HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function money(m) {
  if (!m) return '';
  try {
    return new Intl.NumberFormat(document.documentElement.lang || 'en', { style: 'currency', currency: m.currencyCode }).format(Number(m.amount));
  } catch {
    return `${m.amount} ${m.currencyCode}`;
  }
}

const stockWords = { IN_STOCK: 'In stock', LOW: 'Only a few left', OUT_OF_STOCK: 'Out of stock' };
export function stock(level) { return stockWords[level] || level; }

const orderWords = {
  UNFULFILLED: 'Being prepared', PARTIALLY_FULFILLED: 'Partly shipped', FULFILLED: 'Shipped',
  DELIVERED: 'Delivered', CANCELLED: 'Cancelled',
};
export function orderStatus(s) { return orderWords[s] || s; }

export function thumb(listing, cls = 'thumb') {
  const src = (listing.images || [])[0];
  if (src && /^https?:\/\//.test(src)) return h('img', { class: cls, src, alt: '', loading: 'lazy' });
  return h('div', { class: cls, 'aria-hidden': 'true' }, (listing.title || '?').slice(0, 1));
}

export function options(sel) {
  return (sel || []).map((o) => `${o.name}: ${o.value}`).join(', ');
}
