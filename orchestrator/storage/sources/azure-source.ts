/**
 * Azure Blob Storage source over the documented REST API (List Blobs + Get Blob, x-ms-version
 * 2021-08-06) with a SAS token, or anonymously for public containers. Repos are
 * `az://<account>/<container>/<prefix>` or `https://<account>.blob.core.windows.net/<container>/<prefix>`.
 * The secret holds a SAS token (`sv=…&sig=…`, optionally with a leading `?`), JSON
 * `{"sas_token": "…"}`, or JSON `{"account_key": "<base64>"}` (Shared Key signing). Blob bytes go through the shared resumable downloader (Range + If-Range on
 * the ETag), checked against Content-MD5 when the blob has one.
 *
 * A credential (the item's secret, the default SAS, or a Shared Key signature) is only ever sent
 * to a storage account the operator listed (`secretAccounts`, from `AZURE_STORAGE_ACCOUNTS`): an
 * item that names a secret for any other account fails with SOURCE_SECRET_NOT_ALLOWED before any
 * request, and one that names none is fetched anonymously (public containers).
 */
import { createHash } from 'node:crypto';
import { AZURE_SHORT_SCHEMES, CHECKPOINT_URL_SCHEMES } from '../../config/checkpoint-schemes.js';
import { DEFAULT_OUTBOUND_POLICY, withAllowed } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import type { FetchItem } from '../../plan/types.js';
import type { ResolvedFile } from '../ports.js';
import { downloadFileSet } from '../util/download-set.js';
import { downloadHttpFile, statusError } from '../util/http-download.js';
import { httpGet } from '../util/http-get.js';
import { normalizeRelPath } from '../util/safe-path.js';
import { SourceError, toSourceError } from './errors.js';
import type { CheckpointSource, DownloadOptions, DownloadResult, ResolveContext, ResolvedFetch } from './port.js';
import { secretFor } from './port.js';
import { signSharedKey } from './azure-shared-key.js';

export interface AzureSourceOptions {
  /** Blob endpoint for an account, e.g. Azurite's `http://127.0.0.1:10000/<account>`; default `https://<account>.blob.core.windows.net`. */
  readonly endpointFor?: (account: string) => string;
  /** Outbound address policy (default: global unicast only). */
  readonly policy?: OutboundPolicy;
  /** SAS token used when the item names no secret, or null. */
  readonly defaultSas?: string | null;
  /**
   * The storage accounts a credential may be sent to (default: none, so no secret leaves). A
   * submitter names the account, so without this list a worker secret would go to any account.
   */
  readonly secretAccounts?: readonly string[];
  /** Clock for Shared Key `x-ms-date` (default: now). */
  readonly now?: () => Date;
}

export interface AzureRef {
  readonly account: string;
  readonly container: string;
  /** Empty or ending in `/`. */
  readonly prefix: string;
  /** Endpoint from an https repo URL, else null. */
  readonly endpoint: string | null;
}

const API_VERSION = '2021-08-06';
const ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$|^\$root$/;

/** Parses `az://account/container/prefix` (or `azure://…`) or a blob-endpoint https URL. */
export function parseAzureRepo(repo: string): AzureRef {
  let account: string | undefined;
  let rest: string;
  let endpoint: string | null = null;
  // `az://` and `azure://` (the scheme table's Azure shorthands) name account/container/path.
  const az = /^([a-z]+):\/\/([^/]+)\/(.*)$/.exec(repo);
  if (az && az[1] !== 'https' && !AZURE_SHORT_SCHEMES.includes(az[1] ?? ''))
    throw new SourceError('SOURCE_REPO_INVALID', `expected ${CHECKPOINT_URL_SCHEMES.AZURE.forms.join(', ')}`);
  if (az && az[1] !== 'https') {
    account = az[2];
    rest = az[3] ?? '';
  } else {
    let u: URL;
    try {
      u = new URL(repo);
    } catch {
      throw new SourceError(
        'SOURCE_REPO_INVALID',
        `expected "az://account/container/prefix" or an https blob URL, got ${JSON.stringify(repo.slice(0, 200))}`,
      );
    }
    const host = /^([a-z0-9]+)\.blob\.core\.windows\.net$/.exec(u.hostname);
    if (u.protocol !== 'https:' || !host || u.search !== '') {
      throw new SourceError(
        'SOURCE_REPO_INVALID',
        'expected https://<account>.blob.core.windows.net/<container>/<prefix> (no query: put the SAS token in the secret)',
      );
    }
    account = host[1];
    endpoint = u.origin;
    rest = decodeURIComponent(u.pathname.slice(1));
  }
  const [container = '', ...parts] = rest.split('/');
  if (!ACCOUNT.test(account ?? '') || !CONTAINER.test(container)) {
    throw new SourceError(
      'SOURCE_REPO_INVALID',
      `invalid Azure account or container in ${JSON.stringify(repo.slice(0, 200))}`,
    );
  }
  const raw = parts.join('/').replace(/\/+$/, '');
  if (raw.split('/').some((s) => s === '..' || s === '.'))
    throw new SourceError('SOURCE_REPO_INVALID', 'the prefix may not contain "." or ".." segments');
  return { account: account as string, container, prefix: raw === '' ? '' : `${raw}/`, endpoint };
}

export type AzureCredential =
  | { readonly kind: 'sas'; readonly sas: string }
  | { readonly kind: 'key'; readonly key: Buffer; readonly raw: string };

/** The credential in the secret (SAS token, `{"sas_token"}` or `{"account_key"}`), or null. */
export function azureCredentialFrom(raw: string | null, secretName: string | null): AzureCredential | null {
  if (raw === null) return null;
  const invalid = (why: string): SourceError =>
    new SourceError(
      'SOURCE_SECRET_INVALID',
      `secret ${JSON.stringify(secretName)} ${why}; expected a SAS token, {"sas_token": "..."} or {"account_key": "<base64>"}`,
    );
  let sas = raw.trim();
  if (sas.startsWith('{')) {
    let v: { sas_token?: unknown; account_key?: unknown };
    try {
      v = JSON.parse(sas) as typeof v;
    } catch {
      throw invalid('is not valid JSON');
    }
    if (typeof v.account_key === 'string') {
      const k = v.account_key.trim();
      const key = Buffer.from(k, 'base64');
      if (key.length < 16 || !/^[A-Za-z0-9+/]+={0,2}$/.test(k)) throw invalid('has an account_key that is not base64');
      return { kind: 'key', key, raw: k };
    }
    if (typeof v.sas_token !== 'string') throw invalid('has neither sas_token nor account_key');
    sas = v.sas_token.trim();
  }
  sas = sas.replace(/^\?/, '');
  if (!/(^|&)sig=/.test(sas)) throw invalid('is not a SAS token (no sig=)');
  return { kind: 'sas', sas };
}

/** The SAS query (without `?`) from the secret, or null (kept for callers that only take SAS). */
export function sasFrom(raw: string | null, secretName: string | null): string | null {
  const c = azureCredentialFrom(raw, secretName);
  return c?.kind === 'sas' ? c.sas : null;
}

function xmlText(s: string): string {
  return s.replace(
    /&(lt|gt|quot|apos|amp);/g,
    (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '',
  );
}

function tag(block: string, name: string): string | null {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(block);
  return m ? xmlText(m[1] ?? '') : null;
}

/** Parses one List Blobs page: blobs (name, size, etag, md5 hex) and the next marker. */
export function parseListBlobs(xml: string): {
  blobs: { name: string; size: number; etag: string | null; md5: string | null }[];
  next: string | null;
} {
  const blobs: { name: string; size: number; etag: string | null; md5: string | null }[] = [];
  for (const m of xml.matchAll(/<Blob>([\s\S]*?)<\/Blob>/g)) {
    const b = m[1] ?? '';
    const name = tag(b, 'Name');
    const len = tag(b, 'Content-Length');
    const size = len === null || !/^\d+$/.test(len) ? NaN : Number(len);
    if (name === null || !Number.isSafeInteger(size) || size < 0)
      throw new SourceError('INVALID_RESPONSE', 'Azure List Blobs: a blob without name or size');
    const md5b64 = tag(b, 'Content-MD5');
    const md5 = md5b64 !== null && md5b64 !== '' ? Buffer.from(md5b64, 'base64').toString('hex') : null;
    blobs.push({ name, size, etag: tag(b, 'Etag'), md5: md5 !== null && md5.length === 32 ? md5 : null });
  }
  const next = tag(xml, 'NextMarker');
  return { blobs, next: next === null || next === '' ? null : next };
}

function azureError(status: number, code: string | null, what: string, hint = ''): SourceError {
  if (code === 'ContainerNotFound' || code === 'BlobNotFound' || code === 'ResourceNotFound')
    return new SourceError('SOURCE_NOT_FOUND', `${what}: ${code} (HTTP ${status})`);
  if (
    code === 'AuthenticationFailed' ||
    code === 'AuthorizationFailure' ||
    code === 'AuthorizationPermissionMismatch'
  ) {
    return new SourceError(
      'SOURCE_UNAUTHORIZED',
      `${what}: ${code} (HTTP ${status}); check the SAS token secret${hint}`,
    );
  }
  if (code === 'ConditionNotMet') return new SourceError('ETAG_CHANGED', `${what}: the blob changed during the fetch`);
  return statusError(status, what);
}

/** Builds the Azure Blob adapter. */
export function azureSource(opts: AzureSourceOptions = {}): CheckpointSource {
  const base = (ref: AzureRef): string =>
    ref.endpoint ?? opts.endpointFor?.(ref.account) ?? `https://${ref.account}.blob.core.windows.net`;
  // The operator's endpoint (e.g. Azurite on an internal address) is allowed for this source only.
  const policyFor = (ref: AzureRef): OutboundPolicy => {
    const p = opts.policy ?? DEFAULT_OUTBOUND_POLICY;
    return ref.endpoint === null && opts.endpointFor !== undefined
      ? withAllowed(p, [new URL(opts.endpointFor(ref.account)).hostname])
      : p;
  };
  const secretAccounts = new Set((opts.secretAccounts ?? []).map((a) => a.trim().toLowerCase()));
  /** The credential for `ref`; throws before any request when the item's secret may not go there. */
  const credOf = (
    ref: AzureRef,
    item: FetchItem,
    secrets: Readonly<Record<string, string>>,
  ): AzureCredential | null => {
    if (!secretAccounts.has(ref.account)) {
      if (item.secretName !== null) {
        const list = secretAccounts.size === 0 ? 'none are listed' : `listed: ${[...secretAccounts].sort().join(', ')}`;
        throw new SourceError(
          'SOURCE_SECRET_NOT_ALLOWED',
          `az://${ref.account}/${ref.container}/${ref.prefix}: the secret ${JSON.stringify(item.secretName.slice(0, 64))} may not be sent to Azure storage account ${JSON.stringify(ref.account)} (the operator's AZURE_STORAGE_ACCOUNTS setting lists the accounts that get credentials; ${list}); remove runtime_secret_name for a public container or ask the operator`,
        );
      }
      // No credential for an account the operator did not list, the default SAS included.
      return null;
    }
    return (
      azureCredentialFrom(secretFor(item, secrets), item.secretName) ??
      (opts.defaultSas != null ? { kind: 'sas', sas: opts.defaultSas.replace(/^\?/, '') } : null)
    );
  };
  /** Added to a 403's message when the default SAS was withheld from an unlisted account. */
  const withheld = (ref: AzureRef, c: AzureCredential | null): string =>
    c === null && opts.defaultSas != null && !secretAccounts.has(ref.account)
      ? ` (no credential was sent: account ${JSON.stringify(ref.account)} is not in AZURE_STORAGE_ACCOUNTS)`
      : '';
  const withSas = (url: string, c: AzureCredential | null): string =>
    c?.kind !== 'sas' ? url : `${url}${url.includes('?') ? '&' : '?'}${c.sas}`;
  const signer = (c: AzureCredential | null, account: string) =>
    c?.kind === 'key'
      ? (url: URL, headers: Readonly<Record<string, string>>) =>
          signSharedKey('GET', url, headers, account, c.key, (opts.now ?? (() => new Date()))())
      : undefined;
  const secretsOf = (c: AzureCredential | null): string[] => (c === null ? [] : c.kind === 'sas' ? [c.sas] : [c.raw]);
  return {
    kind: 'AZURE',
    async resolve(item: FetchItem, ctx: ResolveContext): Promise<ResolvedFetch> {
      const ref = parseAzureRepo(item.repo);
      const what = `az://${ref.account}/${ref.container}/${ref.prefix}`;
      const cred = credOf(ref, item, ctx.secrets);
      const sign = signer(cred, ref.account);
      const files: ResolvedFile[] = [];
      const md5ByPath: Record<string, string> = {};
      let marker: string | null = null;
      try {
        do {
          const q = new URLSearchParams({ restype: 'container', comp: 'list', prefix: ref.prefix, maxresults: '5000' });
          if (marker !== null) q.set('marker', marker);
          const url = withSas(`${base(ref)}/${ref.container}?${q.toString()}`, cred);
          const headers = { 'x-ms-version': API_VERSION };
          const res = await httpGet(url, sign ? sign(new URL(url), headers) : headers, ctx.signal, {
            policy: policyFor(ref),
          });
          const chunks: Buffer[] = [];
          let total = 0;
          for await (const c of res.body) {
            total += (c as Buffer).length;
            if (total > 64 << 20) throw new SourceError('INVALID_RESPONSE', `${what}: List Blobs page too large`);
            chunks.push(c as Buffer);
          }
          if (res.status !== 200)
            throw azureError(res.status, res.header('x-ms-error-code'), what, withheld(ref, cred));
          const page = parseListBlobs(Buffer.concat(chunks).toString('utf8'));
          for (const b of page.blobs) {
            if (b.name.endsWith('/')) continue;
            const rel = b.name.slice(ref.prefix.length);
            const path = normalizeRelPath(rel);
            if (!b.name.startsWith(ref.prefix) || path === null || path !== rel) {
              throw new SourceError(
                'UNSAFE_PATH',
                `${what}: refusing unsafe blob name ${JSON.stringify(b.name.slice(0, 200))}`,
              );
            }
            files.push({ path, size: b.size, sha256: null, etag: b.etag });
            if (b.md5 !== null) md5ByPath[path] = b.md5;
          }
          marker = page.next;
        } while (marker !== null);
      } catch (err) {
        throw toSourceError(err, { signal: ctx.signal, secrets: secretsOf(cred), what });
      }
      if (files.length === 0) throw new SourceError('SOURCE_NOT_FOUND', `${what}: no blobs under this prefix`);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const identity = createHash('sha256')
        .update(JSON.stringify(files.map((f) => [f.path, f.size, f.etag])))
        .digest('hex');
      return {
        source: 'AZURE',
        repo: item.repo,
        requestedRevision: item.revision,
        resolvedRevision: `etags-sha256:${identity}`,
        files,
        item,
        md5ByPath,
      };
    },

    async download(resolved: ResolvedFetch, destDir: string, dl: DownloadOptions): Promise<DownloadResult> {
      const item = resolved.item;
      const ref = parseAzureRepo(item.repo);
      const label = `az://${ref.account}/${ref.container}/${ref.prefix}`;
      const cred = credOf(ref, item, dl.secrets);
      const hint = withheld(ref, cred);
      const sign = signer(cred, ref.account);
      return downloadFileSet(resolved.files, destDir, dl, label, async (file, finalPath, onBytes, signal) => {
        const blob = (ref.prefix + file.path).split('/').map(encodeURIComponent).join('/');
        await downloadHttpFile(
          {
            url: withSas(`${base(ref)}/${ref.container}/${blob}`, cred),
            headers: { 'x-ms-version': API_VERSION },
            ...(sign ? { sign } : {}),
            path: file.path,
            label,
            expectedSize: file.size,
            sha256: null,
            md5: resolved.md5ByPath?.[file.path] ?? null,
            ifRange: file.etag,
          },
          finalPath,
          {
            signal,
            onBytes,
            secrets: secretsOf(cred),
            mapStatus: (status, code, what) => azureError(status, code, what, hint),
            policy: policyFor(ref),
          },
        );
      });
    },
  };
}
