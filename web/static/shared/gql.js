// gql: the one way the pages talk to the server. POST /graphql with an API key
// (Authorization: Bearer) or as an anonymous shopper of a storefront (X-Storefront).
// It returns `data`, or throws a GqlError whose message is meant for people.

export class GqlError extends Error {
  constructor(message, { code = 'INTERNAL', status = 0, userErrors = [], data = null } = {}) {
    super(message);
    this.name = 'GqlError';
    this.code = code;
    this.status = status;
    this.userErrors = userErrors;
    this.data = data; // what the server returned beside userErrors (a payload may carry both)
  }
}

const plain = {
  UNAUTHENTICATED: (m) => `You are not signed in any more (${m}). Your key may have expired or been revoked: sign in again.`,
  FORBIDDEN: (m) => `You may not do this: ${m}.`,
  NOT_FOUND: (m) => `Not found: ${m}.`,
  INVALID: (m) => `Please check your input: ${m}.`,
  CONFLICT: (m) => `${m}.`,
  UNAVAILABLE: (m) => `A service is not available right now (${m}). Please try again in a moment.`,
};

function words(code, message) {
  const m = String(message || 'unknown error').replace(/\.$/, '');
  return (plain[code] || ((x) => `Something went wrong on the server (${x}). Please try again.`))(m);
}

// userErrorsOf finds the userErrors of every mutation field in data.
function userErrorsOf(data) {
  const out = [];
  for (const v of Object.values(data || {})) {
    if (v && Array.isArray(v.userErrors)) out.push(...v.userErrors);
  }
  return out;
}

export async function gql(query, variables = {}, { key = '', storefront = '', signal } = {}) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (storefront) headers['X-Storefront'] = storefront;
  let res;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new GqlError('Cannot reach the server. Check your connection and try again.', { code: 'NETWORK' });
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new GqlError(`The server answered with an error (HTTP ${res.status}). Please try again.`, { code: 'INTERNAL', status: res.status });
  }
  if (res.status === 401 && !body.errors) {
    throw new GqlError(words('UNAUTHENTICATED', 'the server did not accept the credentials'), { code: 'UNAUTHENTICATED', status: 401 });
  }
  if (body.errors && body.errors.length) {
    const e = body.errors[0];
    const code = (e.extensions && e.extensions.code) || (res.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
    throw new GqlError(words(code, e.message), { code, status: res.status });
  }
  const ue = userErrorsOf(body.data);
  if (ue.length) {
    throw new GqlError(ue.map((u) => u.message).join(' '), { code: 'USER_ERRORS', status: res.status, userErrors: ue, data: body.data });
  }
  return body.data;
}

// fieldOf returns the last segment of a userError's field path ("shippingAddress.city" →
// "city"), for putting a message next to its input.
export function fieldOf(userError) {
  const f = Array.isArray(userError.field) ? userError.field.join('.') : String(userError.field || '');
  return f.split('.').pop();
}
