// The console's only way to the server: POST /graphql (and the import upload), with the
// API key from sessionStorage or, without one, the person's Kratos session cookie.

const KEY = 'gm.console.key';
const MEMBER = 'gm.console.member';

export const session = {
  key: () => sessionStorage.getItem(KEY) || '',
  member: () => sessionStorage.getItem(MEMBER) || '',
  set(key, member) {
    if (key) sessionStorage.setItem(KEY, key); else sessionStorage.removeItem(KEY);
    if (member) sessionStorage.setItem(MEMBER, member); else sessionStorage.removeItem(MEMBER);
  },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(MEMBER); },
};

// ApiError carries a message meant for people, the API's code, and the userErrors of a
// mutation (each with its field path) so forms can put them next to the right input.
export class ApiError extends Error {
  constructor(message, { code = 'INTERNAL', status = 0, userErrors = [], raw = '' } = {}) {
    super(message);
    this.code = code;
    this.raw = raw || message;
    this.status = status;
    this.userErrors = userErrors;
  }
}

const plain = {
  UNAUTHENTICATED: (m) => `You are not signed in any more: ${m}. Your API key may have been revoked or expired, or your member suspended. Sign in again with a valid key.`,
  FORBIDDEN: (m) => `You are not allowed to do this with this sign-in: ${m}.`,
  NOT_FOUND: (m) => `Not found: ${m}.`,
  INVALID: (m) => `The request was not accepted: ${m}.`,
  UNAVAILABLE: (m) => `A service is not available: ${m}.`,
};

function words(err) {
  const code = err.extensions?.code || 'INTERNAL';
  const m = (err.message || 'unknown error').replace(/\.$/, '');
  return (plain[code] || ((x) => `Something went wrong on the server: ${x}.`))(m);
}

function headers(extra = {}) {
  const h = { ...extra };
  const key = session.key();
  if (key) h.Authorization = 'Bearer ' + key;
  else if (session.member()) h['X-Member'] = session.member();
  return h;
}

async function send(url, init) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError('Could not reach the Guildmart server. Check your network connection and try again.', { code: 'NETWORK' });
  }
  let body = null;
  try { body = await res.json(); } catch { /* handled below */ }
  if (!body) {
    throw new ApiError(`The server answered with HTTP ${res.status} and nothing readable. Try again in a moment.`, { code: 'INTERNAL', status: res.status });
  }
  const errs = body.errors || [];
  if (res.status === 401 || errs.some((e) => (e.extensions?.code || e.code) === 'UNAUTHENTICATED')) {
    const e = errs[0] || { message: 'unauthenticated' };
    const err = new ApiError(words({ message: e.message, extensions: { code: 'UNAUTHENTICATED' } }), { code: 'UNAUTHENTICATED', status: 401, raw: e.message });
    window.dispatchEvent(new CustomEvent('gm:unauthenticated', { detail: err }));
    throw err;
  }
  return { res, body };
}

// gql runs one query or mutation and returns its data; top-level errors become an
// ApiError in plain words.
export async function gql(query, variables = {}) {
  const { res, body } = await send('/graphql', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify({ query, variables }),
  });
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(words(e), { code: e.extensions?.code || 'INTERNAL', status: res.status });
  }
  return body.data;
}

// mutate runs a mutation and returns its payload (data[name]); userErrors throw an
// ApiError listing them, so a form can show each next to its field.
export async function mutate(name, query, variables = {}) {
  const data = await gql(query, variables);
  const p = data[name];
  if (p?.userErrors?.length) {
    const msg = p.userErrors.map((u) => u.message).join('; ');
    throw new ApiError(`Please check: ${msg}.`, { code: p.userErrors[0].code, userErrors: p.userErrors });
  }
  return p;
}

// uploadImport sends a CSV or JSON Lines file to POST /v1/imports/offers and returns the
// queued job's {id, status}.
export async function uploadImport(file, format) {
  const { res, body } = await send(`/v1/imports/offers?format=${encodeURIComponent(format)}`, {
    method: 'POST',
    headers: headers({ 'Content-Type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' }),
    body: file,
  });
  if (!res.ok) {
    const e = body.errors?.[0] || { message: `HTTP ${res.status}` };
    const code = e.code || e.extensions?.code || 'INVALID';
    const msg = res.status === 413 ? 'The file is larger than 64 MiB; split it into smaller files.' : words({ message: e.message, extensions: { code } });
    throw new ApiError(msg, { code, status: res.status, userErrors: e.field ? [{ field: e.field, message: e.message, code }] : [] });
  }
  return body;
}
