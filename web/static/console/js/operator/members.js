// Operator: the consortium's members — invite, activate, suspend.
import { gql, mutate } from '../api.js';
import { h, clear, when, table, badge, field, errorBox, onSubmit, pager } from '../ui.js';

const Q = `query($status: MemberStatus, $after: String) { members(first: 50, after: $after, status: $status) {
  edges { node { id handle legalName isSupplier isSeller status createdAt storefronts { handle } } } pageInfo { hasNextPage endCursor } } }`;
const M = 'member { id handle status } userErrors { field message code }';
const INVITE = `mutation($in: MemberInviteInput!) { memberInvite(input: $in) { ${M} } }`;
const ACTIVATE = `mutation($in: MemberIdInput!) { memberActivate(input: $in) { ${M} } }`;
const SUSPEND = `mutation($in: MemberIdInput!) { memberSuspend(input: $in) { ${M} } }`;

export async function render({ page, error }) {
  const note = h('p', { id: 'members-result', 'aria-live': 'polite' });
  const form = h('form', { id: 'member-invite', class: 'card' },
    h('h2', {}, 'Invite a member'),
    h('div', { class: 'row' },
      field('Handle', 'handle', { id: 'mi-handle', required: true, hint: 'lower case, e.g. baltic-bikes' }),
      field('Legal name', 'legalName', { id: 'mi-legal-name', required: true }),
      field('Supplier', 'isSupplier', { id: 'mi-supplier', type: 'checkbox' }),
      field('Seller', 'isSeller', { id: 'mi-seller', type: 'checkbox' }),
      h('button', { type: 'submit', class: 'primary' }, 'Invite')),
    errorBox('invite-error'));
  const sel = field('Show', 'status', { id: 'member-filter', options: [['', 'All members'], ['INVITED', 'Invited'], ['ACTIVE', 'Active'], ['SUSPENDED', 'Suspended']] });
  const list = h('div');
  const show = async (after = null) => {
    const d = await gql(Q, { status: sel.querySelector('select').value || null, after });
    clear(list, table('members', 'Members', ['Handle', 'Legal name', 'Sides', 'Status', 'Storefronts', 'Since', ''], d.members.edges.map((e) => e.node), (m) =>
      h('tr', { dataset: { handle: m.handle, id: m.id } },
        h('td', {}, m.handle), h('td', {}, m.legalName),
        h('td', {}, [m.isSupplier && 'supplier', m.isSeller && 'seller'].filter(Boolean).join(', ') || '—'),
        h('td', { class: 'member-status' }, badge(m.status)),
        h('td', {}, m.storefronts.map((s) => s.handle).join(', ') || '—'),
        h('td', {}, when(m.createdAt)),
        h('td', {}, m.status !== 'ACTIVE' ? action('Activate', m, ACTIVATE, 'memberActivate') : action('Suspend', m, SUSPEND, 'memberSuspend', true))),
    'No members.'), pager(d.members.pageInfo, (c) => show(c).catch(error)));
  };
  const action = (label, m, q, name, danger) => h('button', {
    type: 'button', class: danger ? 'danger' : 'primary', 'aria-label': `${label} ${m.handle}`,
    onclick: async (ev) => {
      if (danger && !confirm(`Suspend ${m.legalName}? Its keys, people and storefronts stop working at once.`)) return;
      ev.target.disabled = true;
      try {
        const p = await mutate(name, q, { in: { id: m.id } });
        note.className = 'ok';
        note.textContent = `${p.member.handle} is now ${p.member.status.toLowerCase()}.`;
        await show();
      } catch (e) { error(e); ev.target.disabled = false; }
    },
  }, label);
  onSubmit(form, async (fd) => {
    const p = await mutate('memberInvite', INVITE, { in: { handle: fd.get('handle').trim(), legalName: fd.get('legalName').trim(), isSupplier: !!fd.get('isSupplier'), isSeller: !!fd.get('isSeller') } });
    note.className = 'ok';
    note.textContent = `${p.member.handle} is invited. Activate it when it is ready to trade.`;
    form.reset();
    await show();
  });
  sel.querySelector('select').addEventListener('change', () => show().catch(error));
  clear(page, form, note, sel, list);
  await show();
}
