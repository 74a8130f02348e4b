/**
 * Azure Storage Shared Key authorization (the account-key scheme of the Blob REST API, version
 * 2015-02-21+ rules): StringToSign = VERB, the eleven standard headers (Content-Length empty when
 * zero), the canonicalized `x-ms-*` headers and the canonicalized resource
 * (`/<account><path>` plus sorted, lower-cased query parameters), signed with HMAC-SHA256 under the
 * base64-decoded account key.
 */
import { createHmac } from 'node:crypto';

const STANDARD = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

/** The exact string Azure signs for this request (exported for a golden test). */
export function sharedKeyStringToSign(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  account: string,
): string {
  const h = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const std = STANDARD.map((name) => {
    const v = h.get(name) ?? '';
    return name === 'content-length' && v === '0' ? '' : v;
  });
  const xms = [...h.entries()]
    .filter(([k]) => k.startsWith('x-ms-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  const params = new Map<string, string[]>();
  for (const [k, v] of url.searchParams) {
    const key = k.toLowerCase();
    params.set(key, [...(params.get(key) ?? []), v]);
  }
  const query = [...params.keys()]
    .sort()
    .map((k) => `\n${k}:${(params.get(k) ?? []).sort().join(',')}`)
    .join('');
  return `${method.toUpperCase()}\n${std.join('\n')}\n${xms}/${account}${url.pathname}${query}`;
}

/** Returns `headers` plus `x-ms-date` and `Authorization: SharedKey <account>:<signature>`. */
export function signSharedKey(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  account: string,
  key: Buffer,
  date: Date,
): Record<string, string> {
  const withDate: Record<string, string> = { ...headers, 'x-ms-date': date.toUTCString() };
  const sig = createHmac('sha256', key)
    .update(sharedKeyStringToSign(method, url, withDate, account), 'utf8')
    .digest('base64');
  return { ...withDate, authorization: `SharedKey ${account}:${sig}` };
}
