// The GraphQL documents the storefront sends (docs/web/storefront.md shows them too).

const MONEY = 'amount currencyCode';
const CARD = `fragment Card on Listing {
  handle title brand images
  priceRange { min { ${MONEY} } max { ${MONEY} } }
  variants { compareAt { ${MONEY} } availability availableForSale }
}`;

export const HOME = `query Home($h: String!) {
  storefront(handle: $h) {
    name
    collections { handle title description }
    listings(first: 8, sort: NEWEST) { edges { node { ...Card } } }
  }
}
${CARD}`;

export const GRID = `query Grid($h: String!, $collection: String, $brand: String, $sort: ListingSort, $after: String) {
  storefront(handle: $h) {
    name
    collections { handle title }
    listingFacets(collection: $collection) { brands { value count } }
    listings(first: 24, after: $after, collection: $collection, brand: $brand, sort: $sort) {
      edges { node { ...Card } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
${CARD}`;

export const SEARCH = `query Search($h: String!, $q: String!, $collection: String, $brand: String, $after: String) {
  storefront(handle: $h) {
    name
    collections { handle title }
    search(query: $q, first: 24, after: $after, collection: $collection, brand: $brand) {
      edges { node { ...Card } }
      pageInfo { hasNextPage endCursor }
      facets { brands { value count } collections { value count } }
    }
  }
}
${CARD}`;

export const LISTING = `query Listing($h: String!, $l: String!) {
  storefront(handle: $h) {
    name
    listing(handle: $l) {
      id handle title description brand vendor images
      collection { handle title }
      options { name values }
      variants {
        id selectedOptions { name value }
        price { ${MONEY} } compareAt { ${MONEY} }
        availability availableForSale
      }
    }
  }
}`;

const CART_FIELDS = `id status orderId
  lines { listingVariantId listingId title selectedOptions { name value } quantity
          unitPrice { ${MONEY} } currentUnitPrice { ${MONEY} } priceChanged total { ${MONEY} } status }
  subtotal { ${MONEY} }`;

export const CART = `query Cart($h: String!, $id: ID!) {
  storefront(handle: $h) { name }
  cart(id: $id) { ${CART_FIELDS} }
}`;

export const CHECKOUT = `query Checkout($h: String!, $id: ID!) {
  storefront(handle: $h) { name paymentMethods stripePublishableKey }
  cart(id: $id) { ${CART_FIELDS} }
}`;

export const NAME = `query Name($h: String!) { storefront(handle: $h) { name } }`;

export const CART_CREATE = `mutation CartCreate($lines: [CartLineInput!]) {
  cartCreate(input: {lines: $lines}) { cart { ${CART_FIELDS} } userErrors { field message code } }
}`;
export const CART_ADD = `mutation CartAdd($id: ID!, $lines: [CartLineInput!]!) {
  cartLinesAdd(input: {cartId: $id, lines: $lines}) { cart { ${CART_FIELDS} } userErrors { field message code } }
}`;
export const CART_UPDATE = `mutation CartUpdate($id: ID!, $lines: [CartLineInput!]!) {
  cartLinesUpdate(input: {cartId: $id, lines: $lines}) { cart { ${CART_FIELDS} } userErrors { field message code } }
}`;
export const CART_REMOVE = `mutation CartRemove($id: ID!, $variants: [ID!]!) {
  cartLinesRemove(input: {cartId: $id, listingVariantIds: $variants}) { cart { ${CART_FIELDS} } userErrors { field message code } }
}`;

export const CHECKOUT_COMPLETE = `mutation Checkout($input: CheckoutCompleteInput!) {
  checkoutComplete(input: $input) {
    order { id name status email subtotal { ${MONEY} } }
    clientSecret
    userErrors { field message code }
  }
}`;

export const ORDER = `query Order($h: String!, $id: ID!, $email: String!) {
  storefront(handle: $h) { name }
  shopperOrder(id: $id, email: $email) {
    id name status email createdAt
    subtotal { ${MONEY} }
    shippingAddress { name line1 line2 city postalCode region country }
    lines { id title selectedOptions { name value } quantity unitPrice { ${MONEY} } total { ${MONEY} } status quantityFulfilled quantityCancelled }
    shipments { id carrier trackingNumber trackingUrl status shippedAt deliveredAt lines { orderLineId quantity } }
  }
}`;
