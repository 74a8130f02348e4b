/**
 * What reaches Redis carries no URL credentials: every string in a plan, config or fetch result
 * that holds userinfo or a query is stored redacted (config/redact-url.ts). The unredacted fetch
 * items a fetch needs live only in the build's `fetchSecret` key (TTL, deleted when it ends).
 */
import { redactUrl, urlHasSecrets } from '../config/redact-url.js';
import type { FetchItem } from '../plan/types.js';

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A deep copy of `value` with every URL string that carries secrets redacted. */
export function redactUrlsDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === 'string') return URL_LIKE.test(v) && urlHasSecrets(v) ? redactUrl(v) : v;
  if (Array.isArray(v)) return v.map(walk);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  return v;
}

/** The fetch items whose URLs would be redacted (null when none: nothing secret to keep). */
export function secretFetchItems(items: readonly FetchItem[]): readonly FetchItem[] | null {
  return items.some((i) => redactUrlsDeep(i).repo !== i.repo) ? items : null;
}
