// Operator: the consortium's fee totals from the settlement ledger.
import { gql } from '../api.js';
import { h, clear, money, when, table, badge, pager } from '../ui.js';

const Q = `query($after: String) { consortium { name feeBps feeBasis currency }
  balances { partyKind account amount { amount currencyCode } }
  ledgerEntries(first: 50, after: $after) { edges { node { kind orderId account amount { amount currencyCode } createdAt } } pageInfo { hasNextPage endCursor } } }`;

export async function render({ page, error }) {
  const show = async (after = null) => {
    const d = await gql(Q, { after });
    const fee = d.balances.find((b) => b.account === 'FEE_REVENUE');
    const c = d.consortium;
    // Fee revenue is a credit in the ledger: shown as a positive total.
    const total = fee ? { ...fee.amount, amount: fee.amount.amount.replace(/^-/, '') } : { amount: '0.00', currencyCode: c.currency };
    clear(page,
      h('section', { class: 'card' },
        h('p', {}, `The consortium's fee is ${c.feeBps / 100} % of the ${c.feeBasis.toLowerCase()} price of every line sold.`),
        h('p', {}, 'Fee earned so far: ', h('strong', { id: 'fee-total' }, money(total)))),
      table('balances', 'Balances', ['Party', 'Account', 'Amount'], d.balances, (b) => [b.partyKind.toLowerCase(), b.account, h('td', { class: 'num' }, money(b.amount))], 'No fees yet: they are booked with the first order.'),
      table('fee-entries', 'Fee entries (oldest first)', ['When', 'Kind', 'Account', 'Amount'], d.ledgerEntries.edges.map((e) => e.node),
        (e) => [when(e.createdAt), badge(e.kind), e.account, h('td', { class: 'num' }, money(e.amount))]),
      pager(d.ledgerEntries.pageInfo, (cur) => show(cur).catch(error)));
  };
  await show();
}
