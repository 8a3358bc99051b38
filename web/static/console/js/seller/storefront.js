// Seller: storefront settings (name, status, routing policy), the default pricing rule,
// collections, and opening another storefront.
import { gql, mutate } from '../api.js';
import { h, clear, field, errorBox, onSubmit, table } from '../ui.js';
import { ruleFields, ruleInput, ruleText } from './rule.js';

const Q = `query($h: String!) { storefront(handle: $h) { id handle name currency status routingPolicy
  pricingRule { kind markupBps amount { amount currencyCode } rounding minMarginBps clampToFloor }
  collections { id handle title pricingRule { kind markupBps amount { amount currencyCode } rounding minMarginBps clampToFloor } } } }`;
const UPDATE = `mutation($in: StorefrontUpdateInput!) { storefrontUpdate(input: $in) { storefront { id name status routingPolicy } userErrors { field message code } } }`;
const RULE = `mutation($in: PricingRuleSetInput!) { pricingRuleSet(input: $in) { pricingRule { kind } heldCount userErrors { field message code } } }`;
const COLLECTION = `mutation($in: CollectionCreateInput!) { collectionCreate(input: $in) { collection { id handle } userErrors { field message code } } }`;
const CREATE = `mutation($in: StorefrontCreateInput!) { storefrontCreate(input: $in) { storefront { id handle } userErrors { field message code } } }`;

const policies = [['WAREHOUSE_FIRST', 'Warehouse first (fewer parcels)'], ['SUPPLIER_FIRST', 'Supplier first (drop-ship)'], ['FASTEST', 'Fastest delivery']];

export async function render(ctx) {
  const { page, storefront } = ctx;
  if (!storefront) { clear(page, createForm(ctx)); return; }
  const d = await gql(Q, { h: storefront.handle });
  const sf = d.storefront;
  const note = h('p', { id: 'settings-result', 'aria-live': 'polite' });

  const settings = h('form', { id: 'storefront-settings', class: 'card' },
    h('h2', {}, `${sf.name} (${sf.handle}, ${sf.currency})`),
    h('div', { class: 'row' },
      field('Name', 'name', { id: 'sf-name', value: sf.name }),
      field('Status', 'status', { id: 'sf-status', options: [['ACTIVE', 'Open'], ['PAUSED', 'Paused'], ['CLOSED', 'Closed']], value: sf.status }),
      field('Routing policy', 'routingPolicy', { id: 'sf-routing', options: policies, value: sf.routingPolicy })),
    h('p', { class: 'hint' }, 'The routing policy decides where each order line ships from: a consortium warehouse holding it, or the supplier directly.'),
    errorBox(), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')), note);
  onSubmit(settings, async (fd) => {
    const p = await mutate('storefrontUpdate', UPDATE, { in: { id: sf.id, name: fd.get('name'), status: fd.get('status'), routingPolicy: fd.get('routingPolicy') } });
    note.className = 'ok';
    note.textContent = `Saved: routing ${p.storefront.routingPolicy.replaceAll('_', ' ').toLowerCase()}, status ${p.storefront.status.toLowerCase()}.`;
  });

  const ruleNote = h('p', { id: 'rule-result', 'aria-live': 'polite' });
  const rule = h('form', { id: 'default-rule', class: 'card' },
    h('h2', {}, 'Default pricing rule'),
    h('p', {}, 'Now: ', h('strong', {}, sf.pricingRule ? ruleText(sf.pricingRule) : "supplier's suggested retail price"), '. Listings and collections with their own rule keep it.'),
    h('div', { class: 'row' }, ruleFields('sfr', sf.pricingRule)),
    errorBox(), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save pricing rule')), ruleNote);
  onSubmit(rule, async () => {
    const p = await mutate('pricingRuleSet', RULE, { in: { target: sf.id, rule: ruleInput(rule, 'sfr') } });
    ruleNote.className = p.heldCount ? 'error' : 'ok';
    ruleNote.textContent = p.heldCount
      ? `Saved. ${p.heldCount} listing variant${p.heldCount === 1 ? ' is' : 's are'} now held back: see Listings for why.`
      : 'Saved. Every listing without its own rule was repriced.';
  });

  const coll = h('form', { id: 'collection-create', class: 'card' },
    h('h2', {}, 'Collections'),
    table('collections', null, ['Handle', 'Title', 'Rule'], sf.collections, (c) => [c.handle, c.title, c.pricingRule ? ruleText(c.pricingRule) : 'storefront default'], 'No collections yet.'),
    h('div', { class: 'row' }, field('Handle', 'handle', { id: 'coll-handle' }), field('Title', 'title', { id: 'coll-title' }), h('button', { type: 'submit' }, 'Add collection')),
    errorBox());
  onSubmit(coll, async (fd) => {
    await mutate('collectionCreate', COLLECTION, { in: { storefrontId: sf.id, handle: fd.get('handle'), title: fd.get('title') } });
    await render(ctx);
  });
  clear(page, settings, rule, coll, createForm(ctx));
}

function createForm(ctx) {
  const note = h('p', { 'aria-live': 'polite' });
  const f = h('form', { id: 'storefront-create', class: 'card' },
    h('h2', {}, 'Open another storefront'),
    h('div', { class: 'row' },
      field('Handle', 'handle', { id: 'sfc-handle', attrs: { placeholder: 'my-shop' } }),
      field('Name', 'name', { id: 'sfc-name' }),
      field('Routing policy', 'routingPolicy', { id: 'sfc-routing', options: policies })),
    errorBox(), h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Open storefront')), note);
  onSubmit(f, async (fd) => {
    const p = await mutate('storefrontCreate', CREATE, { in: { handle: fd.get('handle'), name: fd.get('name'), routingPolicy: fd.get('routingPolicy') } });
    sessionStorage.setItem('gm.console.storefront', p.storefront.handle);
    await ctx.refresh();
  });
  return f;
}
