// Supplier: declare the availability of several SKUs at once; each row shows its own
// outcome or error.
import { mutate } from '../api.js';
import { h, clear, errorBox, showError } from '../ui.js';

const SET = `mutation($in: OfferVariantsSetAvailabilityInput!) { offerVariantsSetAvailability(input: $in) {
  results { sku changed version error { field message code } } userErrors { field message code } } }`;
const kinds = [['IN_STOCK', 'In stock'], ['MADE_TO_ORDER', 'Made to order'], ['OUT_OF_STOCK', 'Out of stock']];
let n = 0;

function row(sku = '') {
  const i = ++n;
  const id = (s) => `av-${s}-${i}`;
  const r = h('fieldset', { class: 'avail-row row', dataset: { index: i } },
    h('legend', { class: 'visually-hidden' }, `SKU ${i}`),
    h('div', { class: 'field' }, h('label', { for: id('sku') }, 'SKU'), h('input', { id: id('sku'), name: 'sku', value: sku, autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: id('avail') }, 'Availability'), h('select', { id: id('avail'), name: 'availability' }, kinds.map(([v, t]) => h('option', { value: v }, t)))),
    h('div', { class: 'field' }, h('label', { for: id('qty') }, 'Quantity'), h('input', { id: id('qty'), name: 'quantity', type: 'number', min: 0 })),
    h('div', { class: 'field' }, h('label', { for: id('lead') }, 'Lead time (days)'), h('input', { id: id('lead'), name: 'leadTimeDays', type: 'number', min: 1, max: 365 })),
    h('p', { class: 'avail-result', 'aria-live': 'polite' }));
  return r;
}

export async function render({ page }) {
  const params = new URLSearchParams(location.search);
  const rows = h('div', { id: 'avail-rows' }, row(params.get('sku') || ''));
  const form = h('form', { id: 'availability-form', class: 'card' },
    h('p', {}, 'Enter the SKUs whose stock changed. Listings in every storefront follow at once.'),
    rows,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => { const r = row(); rows.append(r); r.querySelector('input').focus(); } }, 'Add another SKU'),
      h('button', { type: 'submit', class: 'primary' }, 'Update availability')),
    errorBox('availability-error'));
  clear(page, form);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = form.querySelector('.error');
    showError(box, null);
    const list = [...rows.querySelectorAll('.avail-row')].filter((r) => r.querySelector('[name=sku]').value.trim());
    if (!list.length) { showError(box, 'Enter at least one SKU.'); return; }
    const updates = list.map((r) => {
      const u = { sku: r.querySelector('[name=sku]').value.trim(), availability: r.querySelector('[name=availability]').value };
      const q = r.querySelector('[name=quantity]').value;
      const d = r.querySelector('[name=leadTimeDays]').value;
      if (q !== '') u.quantity = Number(q);
      if (d !== '') u.leadTimeDays = Number(d);
      return u;
    });
    const button = ev.submitter;
    if (button) button.disabled = true;
    try {
      const p = await mutate('offerVariantsSetAvailability', SET, { in: { updates } });
      p.results.forEach((res, i) => {
        const out = list[i].querySelector('.avail-result');
        list[i].querySelectorAll('input, select').forEach((e) => e.removeAttribute('aria-invalid'));
        if (res.error) {
          out.className = 'avail-result error';
          out.textContent = `${res.sku}: ${res.error.message}`;
          const f = res.error.field?.[res.error.field.length - 1];
          list[i].querySelector(`[name=${f}]`)?.setAttribute('aria-invalid', 'true');
        } else {
          out.className = 'avail-result ok';
          out.textContent = res.changed ? `${res.sku}: updated (version ${res.version}).` : `${res.sku}: already had that availability.`;
        }
      });
    } catch (e) {
      showError(box, e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
