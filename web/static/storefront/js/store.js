// What the shopper's browser remembers for one storefront: the cart's ID (its bearer
// token, so it stays in this browser), the number of items, and the orders placed here
// (ID, name and e-mail: what the order status page needs to look an order up).

export function makeStore(handle) {
  const k = (name) => `gm.sf.${handle}.${name}`;
  const read = (name, def) => {
    try { return JSON.parse(localStorage.getItem(k(name))) ?? def; } catch { return def; }
  };
  const write = (name, v) => {
    if (v === null || v === undefined) localStorage.removeItem(k(name)); else localStorage.setItem(k(name), JSON.stringify(v));
  };
  return {
    cartId: () => read('cart', null),
    setCart(cart) {
      write('cart', cart ? cart.id : null);
      write('count', cart ? cart.lines.reduce((n, l) => n + l.quantity, 0) : 0);
      document.dispatchEvent(new CustomEvent('cart-changed'));
    },
    count: () => read('count', 0),
    // checkoutKey is one idempotency key per cart, so a retried checkout (double click,
    // lost answer) returns the same order.
    checkoutKey(cartId) {
      const keys = read('checkoutKeys', {});
      if (!keys[cartId]) {
        keys[cartId] = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random().toString(16).slice(2);
        write('checkoutKeys', keys);
      }
      return keys[cartId];
    },
    orders: () => read('orders', []),
    addOrder(o) {
      const list = read('orders', []).filter((x) => x.id !== o.id);
      list.unshift(o);
      write('orders', list.slice(0, 50));
    },
    emailFor(id) { return (read('orders', []).find((o) => o.id === id) || {}).email || ''; },
    lastEmail: () => read('email', ''),
    setLastEmail: (e) => write('email', e),
  };
}
