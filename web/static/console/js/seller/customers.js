// Seller: the storefront's customers and customer groups (B2B terms, own prices).
import { gql, mutate } from '../api.js';
import { h, clear, money, when, table, field, errorBox, onSubmit } from '../ui.js';
import { ruleText } from './rule.js';

const Q = `query($sf: ID, $h: String!, $after: String) {
  customers(storefrontId: $sf, first: 50, after: $after) { edges { node { id email name company kind createdAt } } pageInfo { hasNextPage endCursor } }
  storefront(handle: $h) { customerGroups { id name paymentTermsDays minOrderValue { amount currencyCode } quantityTiers { minQuantity discountBps }
    pricingRule { kind markupBps amount { amount currencyCode } rounding minMarginBps clampToFloor } } } }`;
const CREATE = `mutation($in: CustomerCreateInput!) { customerCreate(input: $in) { customer { id email } userErrors { field message code } } }`;
const GROUP = `mutation($in: CustomerGroupCreateInput!) { customerGroupCreate(input: $in) { customerGroup { id name } userErrors { field message code } } }`;
const ASSIGN = `mutation($in: CustomerGroupAssignInput!) { customerGroupAssign(input: $in) { customerGroup { name } userErrors { field message code } } }`;

export async function render(ctx) {
  const { page, storefront, viewer, error } = ctx;
  if (!storefront) { clear(page, h('p', {}, 'You have no storefront yet.')); return; }
  const sfID = viewer.kind === 'STOREFRONT' ? null : storefront.id;
  const d = await gql(Q, { sf: sfID, h: storefront.handle, after: null });
  const groups = d.storefront?.customerGroups || [];
  const note = h('p', { id: 'customers-result', 'aria-live': 'polite' });

  const assign = (c) => {
    const id = `grp-${c.id}`;
    return h('div', { class: 'row' },
      h('label', { for: id, class: 'visually-hidden' }, `Group of ${c.email}`),
      h('select', { id }, h('option', { value: '' }, 'No group'), groups.map((g) => h('option', { value: g.id }, g.name))),
      h('button', {
        type: 'button', 'aria-label': `Assign ${c.email} to the group`,
        onclick: async (ev) => {
          ev.target.disabled = true;
          try {
            const p = await mutate('customerGroupAssign', ASSIGN, { in: { customerId: c.id, customerGroupId: document.getElementById(id).value || null } });
            note.className = 'ok';
            note.textContent = p.customerGroup ? `${c.email} is now in ${p.customerGroup.name}.` : `${c.email} is in no group now.`;
          } catch (e) { error(e); } finally { ev.target.disabled = false; }
        },
      }, 'Assign'));
  };

  const create = h('form', { id: 'customer-create', class: 'card' },
    h('h2', {}, 'Add a customer'),
    h('div', { class: 'row' },
      field('E-mail', 'email', { id: 'cust-email', type: 'email', required: true }),
      field('Name', 'name', { id: 'cust-name' }),
      field('Company', 'company', { id: 'cust-company' }),
      field('Kind', 'kind', { id: 'cust-kind', options: [['CONSUMER', 'Consumer'], ['BUSINESS', 'Business (shop)']] }),
      h('button', { type: 'submit', class: 'primary' }, 'Add customer')),
    errorBox());
  onSubmit(create, async (fd) => {
    await mutate('customerCreate', CREATE, { in: { storefrontId: sfID, email: fd.get('email'), name: fd.get('name'), company: fd.get('company'), kind: fd.get('kind') } });
    await render(ctx);
  });

  const group = h('form', { id: 'group-create', class: 'card' },
    h('h2', {}, 'Add a customer group'),
    h('div', { class: 'row' },
      field('Name', 'name', { id: 'grp-name', required: true }),
      field('Minimum order value', 'minOrderValue', { id: 'grp-mov', attrs: { inputmode: 'decimal', placeholder: '200.00', size: 8 } }),
      field('Payment terms (days)', 'paymentTermsDays', { id: 'grp-terms', type: 'number', attrs: { min: 0, max: 365 } }),
      field('Group markup % (own prices)', 'markup', { id: 'grp-markup', type: 'number', attrs: { min: 0, step: 0.01 } }),
      h('button', { type: 'submit' }, 'Add group')),
    errorBox());
  onSubmit(group, async (fd) => {
    const input = { storefrontId: storefront.id, name: fd.get('name') };
    if (fd.get('minOrderValue')) input.minOrderValue = fd.get('minOrderValue');
    if (fd.get('paymentTermsDays')) input.paymentTermsDays = Number(fd.get('paymentTermsDays'));
    if (fd.get('markup')) input.pricingRule = { kind: 'MARKUP_PERCENT', markupBps: Math.round(Number(fd.get('markup')) * 100) };
    await mutate('customerGroupCreate', GROUP, { in: input });
    await render(ctx);
  });

  clear(page, note,
    table('customers', `Customers of ${storefront.name}`, ['E-mail', 'Name', 'Company', 'Kind', 'Since', 'Group'], d.customers.edges.map((e) => e.node),
      (c) => h('tr', { dataset: { email: c.email } }, h('td', {}, c.email), h('td', {}, c.name), h('td', {}, c.company), h('td', {}, c.kind.toLowerCase()), h('td', {}, when(c.createdAt)), h('td', {}, groups.length ? assign(c) : '—')),
      'No customers yet.'),
    d.customers.pageInfo.hasNextPage ? h('p', { class: 'muted' }, 'Showing the first 50 customers.') : null,
    create,
    table('customer-groups', 'Customer groups', ['Name', 'Minimum order', 'Terms', 'Quantity breaks', 'Prices'], groups, (g) => [
      g.name, money(g.minOrderValue), `${g.paymentTermsDays} days`, g.quantityTiers.map((t) => `from ${t.minQuantity}: −${t.discountBps / 100} %`).join(', ') || '—',
      g.pricingRule ? ruleText(g.pricingRule) : "the storefront's"], 'No groups yet.'),
    group);
}
