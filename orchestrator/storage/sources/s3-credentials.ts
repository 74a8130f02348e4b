/**
 * Parsing of object-store repos and credential secrets. S3: `s3://bucket/prefix`, secret JSON
 * `{"aws_access_key_id","aws_secret_access_key","aws_session_token"?,"region"?,"endpoint_url"?}`.
 * GCS (XML API, HMAC keys): `gs://bucket/prefix`, secret JSON
 * `{"access_key_id","secret_access_key"}` (or `hmac_access_key_id` / `hmac_secret`).
 */
import type { FetchItem } from '../../plan/types.js';
import { SourceError } from './errors.js';
import { secretFor } from './port.js';

export interface BucketRef {
  readonly bucket: string;
  /** Key prefix, empty or ending in `/`. */
  readonly prefix: string;
}

export interface StoreCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region?: string;
  readonly endpoint?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Parses `<scheme>://bucket/prefix`. */
export function parseBucketUrl(repo: string, scheme: 's3' | 'gs'): BucketRef {
  const m = new RegExp(`^${scheme}://([^/]+)(?:/(.*))?$`).exec(repo);
  if (!m || !BUCKET.test(m[1] ?? '')) {
    throw new SourceError(
      'SOURCE_REPO_INVALID',
      `expected "${scheme}://bucket/prefix", got ${JSON.stringify(repo.slice(0, 200))}`,
    );
  }
  const raw = (m[2] ?? '').replace(/\/+$/, '');
  if (raw.split('/').some((s) => s === '..' || s === '.')) {
    throw new SourceError(
      'SOURCE_REPO_INVALID',
      `the prefix may not contain "." or ".." segments: ${JSON.stringify(repo.slice(0, 200))}`,
    );
  }
  return { bucket: m[1] as string, prefix: raw === '' ? '' : `${raw}/` };
}

function pick(o: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Credentials from the item's secret (JSON), or null when it names none (the default chain applies). */
export function credentialsFor(item: FetchItem, secrets: Readonly<Record<string, string>>): StoreCredentials | null {
  const raw = secretFor(item, secrets);
  if (raw === null) return null;
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    throw new SourceError(
      'SOURCE_SECRET_INVALID',
      `secret ${JSON.stringify(item.secretName)} must be a JSON object with access_key_id / secret_access_key`,
    );
  }
  if (typeof o !== 'object' || o === null)
    throw new SourceError('SOURCE_SECRET_INVALID', `secret ${JSON.stringify(item.secretName)} must be a JSON object`);
  const r = o as Record<string, unknown>;
  const accessKeyId = pick(r, 'aws_access_key_id', 'access_key_id', 'hmac_access_key_id');
  const secretAccessKey = pick(r, 'aws_secret_access_key', 'secret_access_key', 'hmac_secret');
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new SourceError(
      'SOURCE_SECRET_INVALID',
      `secret ${JSON.stringify(item.secretName)} lacks access_key_id / secret_access_key`,
    );
  }
  const sessionToken = pick(r, 'aws_session_token', 'session_token');
  const region = pick(r, 'region', 'aws_region');
  const endpoint = pick(r, 'endpoint_url', 'endpoint');
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken !== undefined ? { sessionToken } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
  };
}

/** Every secret value a credential carries, for scrubbing messages. */
export function secretValues(c: StoreCredentials | null): string[] {
  return c === null
    ? []
    : [c.accessKeyId, c.secretAccessKey, ...(c.sessionToken !== undefined ? [c.sessionToken] : [])];
}
