// Small DOM helpers shared by the console's pages.

import { ApiError } from './api.js';

// h builds an element: h('button', {type: 'submit', onclick: f}, 'Save').
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const money = (m) => (m ? `${m.amount} ${m.currencyCode}` : '—');

export function when(t) {
  if (!t) return '—';
  const d = new Date(t);
  return isNaN(d) ? t : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// table builds a table with a caption, a header row and one row per item; row(item)
// returns the row's cells (or a ready <tr>).
export function table(id, caption, headings, items, row, empty = 'Nothing here yet.') {
  const body = h('tbody');
  for (const it of items) {
    const r = row(it);
    body.append(r instanceof HTMLTableRowElement ? r : h('tr', {}, r.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', {}, c)))));
  }
  if (!items.length) body.append(h('tr', {}, h('td', { colspan: headings.length, class: 'empty' }, empty)));
  return h('div', { class: 'table-wrap' },
    h('table', { id }, caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headings.map((t) => h('th', { scope: 'col' }, t)))), body));
}

let uid = 0;

// field makes a labelled input (or select/textarea) with an error slot the form helper
// fills; name is the input's path in the mutation input (userErrors' field).
export function field(label, name, { type = 'text', options, value, required, hint, id, attrs = {} } = {}) {
  id = id || `f-${name.replace(/\W/g, '-')}-${++uid}`;
  const errId = id + '-error';
  const common = { id, name, 'aria-describedby': errId, required, ...attrs };
  let input;
  if (options) {
    input = h('select', common, options.map((o) => {
      const [v, t] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: String(v) === String(value ?? '') }, t);
    }));
  } else if (type === 'textarea') {
    input = h('textarea', { ...common, rows: 4 }, value ?? '');
  } else if (type === 'checkbox') {
    input = h('input', { ...common, type, checked: !!value });
    return h('div', { class: 'field check' }, input, h('label', { for: id }, label), h('span', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
  } else {
    input = h('input', { ...common, type, value: value ?? '' });
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), hint ? h('span', { class: 'hint' }, hint) : null,
    input, h('span', { class: 'field-error', id: errId, 'aria-live': 'polite' }));
}

// errorBox is a polite live region for a form's or page's errors.
export const errorBox = (id) => h('p', { class: 'error', role: 'alert', id, hidden: true });

export function showError(box, err) {
  if (!box) return;
  if (!err) { box.hidden = true; box.textContent = ''; return; }
  box.hidden = false;
  box.textContent = err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

// onSubmit wires a form: it clears old errors, disables the submit button while work
// runs, and shows userErrors next to the inputs they name (the last path element that
// matches an input's name), the rest in the form's error box.
export function onSubmit(form, work) {
  const box = form.querySelector('.error') || form.appendChild(errorBox());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(box, null);
    form.querySelectorAll('.field-error').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    const button = ev.submitter || form.querySelector('button[type=submit], button:not([type])');
    if (button) button.disabled = true;
    try {
      await work(new FormData(form), ev.submitter);
    } catch (err) {
      fieldErrors(form, box, err);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

export function fieldErrors(form, box, err) {
  const rest = [];
  for (const u of err?.userErrors || []) {
    const input = findInput(form, u.field || []);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const slot = document.getElementById(input.getAttribute('aria-describedby'));
      if (slot) slot.textContent = u.message;
      continue;
    }
    rest.push(u.message);
  }
  if (err?.userErrors?.length) {
    if (rest.length) showError(box, `Please check: ${rest.join('; ')}.`);
    else form.querySelector('[aria-invalid]')?.focus();
  } else {
    showError(box, err);
  }
}

function findInput(form, path) {
  for (let i = path.length - 1; i >= 0; i--) {
    const name = path.slice(i).join('.');
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) return el;
    if (!/^\d+$/.test(path[i])) {
      const last = form.querySelector(`[name="${CSS.escape(path[i])}"]`);
      if (last) return last;
    }
  }
  return null;
}

// status renders an enum value as a badge with words people read.
export function badge(value, cls = '') {
  return h('span', { class: `badge badge-${String(value).toLowerCase()} ${cls}`.trim() }, String(value).replaceAll('_', ' ').toLowerCase());
}

// reasons in plain words: why a listing variant is not for sale, or was adjusted.
const reasonWords = {
  BELOW_MINIMUM_RESALE_PRICE: "price held: below the supplier's minimum resale price",
  BELOW_COST: 'price held: below your cost (the wholesale price)',
  BELOW_MINIMUM_MARGIN: 'price held: below the minimum margin of your pricing rule',
  CLAMPED_TO_MINIMUM_RESALE_PRICE: "raised to the supplier's minimum resale price",
  OFFER_DISCONTINUED: 'the supplier discontinued the offer',
  OFFER_NOT_ACTIVE: 'the offer is not active',
  ACCESS_REVOKED: 'you no longer have access to this offer (visibility or agreement withdrawn)',
  VARIANT_DISCONTINUED: 'the supplier discontinued this variant',
  SUPPLIER_OUT_OF_STOCK: 'the supplier is out of stock',
  UNPUBLISHED: 'you unpublished the listing',
};
export const reason = (r) => (r ? reasonWords[r] || r.replaceAll('_', ' ').toLowerCase() : '');

export function progressBar(id, label) {
  return h('div', { class: 'progress' },
    h('label', { for: id }, label),
    h('progress', { id, max: 1, value: 0 }));
}

export function pager(pageInfo, go) {
  if (!pageInfo?.hasNextPage) return null;
  return h('p', { class: 'pager' }, h('button', { type: 'button', onclick: () => go(pageInfo.endCursor) }, 'Next page'));
}

export const isoDay = (d) => d.toISOString().slice(0, 10);
