// Supplier: sell-through — units and wholesale revenue per variant, day and region.
import { gql } from '../api.js';
import { h, clear, table, field, errorBox, onSubmit, isoDay } from '../ui.js';

const Q = `query($from: Time!, $to: Time!) { sellThrough(from: $from, to: $to) { day sku region units wholesaleRevenue { amount currencyCode } } }`;

export async function render({ page }) {
  const to = new Date(Date.now() + 86400000);
  const from = new Date(to.getTime() - 31 * 86400000);
  const out = h('div');
  const form = h('form', { id: 'sell-through-form', class: 'card row' },
    field('From', 'from', { id: 'st-from', type: 'date', value: isoDay(from) }),
    field('To (exclusive)', 'to', { id: 'st-to', type: 'date', value: isoDay(to) }),
    h('button', { type: 'submit', class: 'primary' }, 'Show'), errorBox());
  const show = async (f, t) => {
    const d = await gql(Q, { from: `${f}T00:00:00Z`, to: `${t}T00:00:00Z` });
    const rows = d.sellThrough;
    const bySku = new Map();
    for (const r of rows) {
      const s = bySku.get(r.sku) || { sku: r.sku, units: 0, cents: 0, cur: r.wholesaleRevenue.currencyCode };
      s.units += r.units;
      s.cents += Math.round(Number(r.wholesaleRevenue.amount) * 100);
      bySku.set(r.sku, s);
    }
    const totals = [...bySku.values()].sort((a, b) => b.units - a.units);
    clear(out,
      table('sell-through-totals', 'Per SKU', ['SKU', 'Units', 'Wholesale revenue'], totals, (s) => [s.sku, h('td', { class: 'num' }, String(s.units)), h('td', { class: 'num' }, `${(s.cents / 100).toFixed(2)} ${s.cur}`)], 'Nothing sold in this period.'),
      table('sell-through', 'Per day and region (all storefronts; never the customers)', ['Day', 'SKU', 'Region', 'Units', 'Wholesale revenue'], rows,
        (r) => [r.day, r.sku, r.region, h('td', { class: 'num' }, String(r.units)), h('td', { class: 'num' }, `${r.wholesaleRevenue.amount} ${r.wholesaleRevenue.currencyCode}`)], 'Nothing sold in this period.'));
  };
  onSubmit(form, (fd) => show(fd.get('from'), fd.get('to')));
  clear(page, form, out);
  await show(isoDay(from), isoDay(to));
}
