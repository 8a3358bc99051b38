// Supplier: payout statements — what became due for shipped lines in a period — with
// the same as CSV.
import { gql } from '../api.js';
import { h, clear, money, table, field, errorBox, onSubmit, isoDay, when } from '../ui.js';

const Q = `query($from: Time!, $to: Time!) { payoutStatements(from: $from, to: $to) { statements { supplierId due { amount currencyCode } lines from to } csv } }`;

export async function render({ page }) {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const out = h('div');
  const form = h('form', { id: 'payouts-form', class: 'card row' },
    field('From', 'from', { id: 'po-from', type: 'date', value: isoDay(from) }),
    field('To (exclusive)', 'to', { id: 'po-to', type: 'date', value: isoDay(to) }),
    h('button', { type: 'submit', class: 'primary' }, 'Show'), errorBox());
  const show = async (f, t) => {
    const d = (await gql(Q, { from: `${f}T00:00:00Z`, to: `${t}T00:00:00Z` })).payoutStatements;
    const href = URL.createObjectURL(new Blob([d.csv], { type: 'text/csv' }));
    clear(out,
      table('payouts', 'Statements', ['Period', 'Shipped lines', 'Due to you'], d.statements,
        (s) => [`${when(s.from)} – ${when(s.to)}`, h('td', { class: 'num' }, String(s.lines)), h('td', { class: 'num' }, money(s.due))], 'Nothing became due in this period.'),
      h('p', {}, h('a', { href, download: `payouts-${f}-${t}.csv` }, 'Download CSV')));
  };
  onSubmit(form, (fd) => show(fd.get('from'), fd.get('to')));
  clear(page, form, out);
  await show(isoDay(from), isoDay(to));
}
