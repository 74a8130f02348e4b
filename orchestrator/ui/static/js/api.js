// The API client of the page: the bearer token lives in sessionStorage (gone when the tab
// closes), is sent only in the Authorization header, and never appears in a URL.

const TOKEN_KEY = 'trt.apiToken';

/** The stored token, or null. */
export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Stores (or with null, forgets) the token. */
export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API failure with the service's `{error: {code, message}}` when it sent one. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Headers for a data call: the bearer token plus `extra`. */
export function authHeaders(extra = {}) {
  const token = getToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : { ...extra };
}

/** Calls the API and returns the parsed JSON; throws ApiError on a non-2xx answer. */
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: authHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', `the service is unreachable (${err.message})`);
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = json && json.error;
    // A refused token: the page shows the sign-in form again.
    if (res.status === 401) window.dispatchEvent(new Event('trt:unauthorized'));
    throw new ApiError(
      res.status,
      e ? e.code : `HTTP_${res.status}`,
      e ? e.message : `${res.status} ${res.statusText}`,
    );
  }
  return json;
}
