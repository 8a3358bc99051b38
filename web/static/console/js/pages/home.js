// Overview: who is signed in and where to start.
import { h, clear } from '../ui.js';

const starts = {
  seller: [['catalog', 'Search the shared catalog and publish offers into your storefront'], ['listings', 'See your listings and why a price is held'], ['orders', 'Follow orders, their routes and your margin']],
  supplier: [['imports', 'Import offers from a CSV file'], ['fulfilment', 'Accept, reject and ship drop-ship orders'], ['availability', 'Update availability of your SKUs']],
  operator: [['members', 'Invite, activate and suspend members'], ['warehouses', 'Warehouses and their stock'], ['fees', "The consortium's fee totals"]],
  storefront: [['orders', "Your storefront's orders"], ['listings', 'Listings']],
};

export async function render({ page, viewer, sides }) {
  const c = viewer.consortium;
  clear(page,
    h('section', { class: 'card' },
      h('dl', { class: 'kv' },
        h('dt', {}, 'Consortium'), h('dd', {}, `${c?.name ?? ''} (${c?.currency ?? ''}, fee ${(c?.feeBps ?? 0) / 100} % of ${(c?.feeBasis || '').toLowerCase()})`),
        viewer.member ? [h('dt', {}, 'Member'), h('dd', { id: 'home-member' }, `${viewer.member.legalName} (${viewer.member.handle})`)] : null,
        viewer.member ? [h('dt', {}, 'Sides'), h('dd', {}, [viewer.member.isSupplier && 'supplier', viewer.member.isSeller && 'seller'].filter(Boolean).join(' and '))] : null,
        viewer.role ? [h('dt', {}, 'Role'), h('dd', {}, viewer.role)] : null)),
    sides.map((s) => h('section', { class: 'card' },
      h('h2', {}, { seller: 'Selling', supplier: 'Supplying', operator: 'Running the consortium', storefront: 'Storefront' }[s]),
      h('ul', {}, starts[s].map(([p, t]) => h('li', {}, h('a', { href: `/console/${p}` }, t)))))));
}
