// Balances and recent ledger entries of the caller's side of the settlement ledger.
import { gql } from '../api.js';
import { h, clear, money, when, table, badge, pager } from '../ui.js';

const Q = `query($after: String) {
  balances { partyKind partyId account amount { amount currencyCode } }
  ledgerEntries(first: 50, after: $after) { edges { node { id kind orderId partyKind account amount { amount currencyCode } createdAt } } pageInfo { hasNextPage endCursor } }
}`;

const accountWords = {
  RECEIVABLE: 'owed by customers', PAYABLE: 'owed to suppliers (not yet due)', PAYABLE_DUE: 'owed to suppliers (due: shipped)',
  FEE_REVENUE: 'consortium fee', CASH: 'cash received', MARGIN: 'your margin', REFERRAL: 'referral',
};

export async function render({ page }) {
  const show = async (after) => {
    const d = await gql(Q, { after });
    clear(page,
      h('p', { class: 'muted' }, 'Amounts are signed like the ledger: debits positive, credits negative (your margin and what suppliers are owed show as credits).'),
      table('balances', 'Balances', ['Party', 'Account', 'Meaning', 'Amount'], d.balances,
        (b) => [b.partyKind.toLowerCase(), b.account, accountWords[b.account] || '', h('td', { class: 'num' }, money(b.amount))], 'No ledger entries yet: balances appear with the first order.'),
      table('ledger', 'Ledger entries (oldest first)', ['When', 'Kind', 'Account', 'Amount'], d.ledgerEntries.edges.map((e) => e.node),
        (e) => [when(e.createdAt), badge(e.kind), `${e.partyKind.toLowerCase()} ${e.account}`, h('td', { class: 'num' }, money(e.amount))]),
      pager(d.ledgerEntries.pageInfo, show));
  };
  await show(null);
}
