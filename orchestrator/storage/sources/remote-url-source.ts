/**
 * REMOTE_URL source: an http(s) URL (often presigned) to a `.tar.gz` / `.tgz` / `.tar` archive or a
 * single file. The download streams into `<dest>.archive.partial` with Range resume (guarded by
 * If-Range), is checked against the size (and the `sha256:<hex>` revision when one is given), then
 * extracted by the strict tar reader into a staging directory that is moved into place only when
 * the whole archive extracted cleanly. Query strings never appear in messages.
 * A named secret is sent as `Authorization: Bearer <secret>`, but only a secret the operator listed
 * for REMOTE_URL (`REMOTE_URL_SECRET_NAMES`): the host is the submitter's choice, so an HF token or
 * any other credential must never go there by default. Every connection and redirect hop goes
 * through the outbound address policy.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DEFAULT_OUTBOUND_POLICY } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import { policyFetch } from '../../net/policy-fetch.js';
import type { FetchItem } from '../../plan/types.js';
import { downloadHttpFile, statusError } from '../util/http-download.js';
import { extractTar } from '../util/tar-extract.js';
import { safeJoin } from '../util/safe-path.js';
import { SourceError, redactUrl, toSourceError } from './errors.js';
import type { CheckpointSource, DownloadOptions, DownloadResult, ResolveContext, ResolvedFetch } from './port.js';
import { secretFor } from './port.js';

export interface RemoteUrlSourceOptions {
  /** Largest total size an archive may expand to (bytes). */
  readonly maxExtractBytes: number;
  /** A connection silent this long is dropped and the download resumes (default 60 s). */
  readonly idleTimeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  /** Outbound address policy (default: global unicast only). */
  readonly policy?: OutboundPolicy;
  /** Secret names an item may send to its URL as a bearer token (default: none). */
  readonly allowedSecretNames?: readonly string[];
}

const ARCHIVE = /\.(tar\.gz|tgz|tar)$/i;

function parseUrl(item: FetchItem): URL {
  let u: URL;
  try {
    u = new URL(item.repo);
  } catch {
    throw new SourceError('SOURCE_REPO_INVALID', `REMOTE_URL: not a URL: ${JSON.stringify(redactUrl(item.repo))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new SourceError('SOURCE_REPO_INVALID', `REMOTE_URL: only http(s) URLs are supported (got ${u.protocol})`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new SourceError(
      'SOURCE_REPO_INVALID',
      `REMOTE_URL: ${redactUrl(item.repo)} carries user:password@; put the credential in a secret named by runtime_secret_name instead`,
    );
  }
  return u;
}

/** Refuses an item that names a secret REMOTE_URL may not send (precise, not retryable). */
function checkSecretAllowed(item: FetchItem, allowed: readonly string[]): void {
  if (item.secretName === null || allowed.includes(item.secretName)) return;
  const list = allowed.length === 0 ? 'none are allowed' : `allowed: ${allowed.join(', ')}`;
  throw new SourceError(
    'SOURCE_SECRET_NOT_ALLOWED',
    `url:${redactUrl(item.repo)}: the secret ${JSON.stringify(item.secretName.slice(0, 64))} may not be sent to a REMOTE_URL (the operator's REMOTE_URL_SECRET_NAMES setting lists the secrets that may; ${list}); remove runtime_secret_name or ask the operator`,
  );
}

function authHeaders(item: FetchItem, secrets: Readonly<Record<string, string>>): Record<string, string> {
  const s = secretFor(item, secrets);
  return s === null ? {} : { authorization: `Bearer ${s}` };
}

function fileName(u: URL): string {
  const name = decodeURIComponent(basename(u.pathname));
  return name === '' || name === '.' || name === '..' || name.includes('/') ? 'download' : name;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * `tar czf model.tar.gz model/` puts everything under one directory; the converter expects the
 * files themselves in the destination. When the staging dir holds exactly one entry and it is a
 * (real) directory, its contents move up one level. Returns that directory's name, or null.
 */
export async function unwrapSingleTopDir(staging: string): Promise<string | null> {
  const top = await readdir(staging, { withFileTypes: true });
  const only = top[0];
  if (top.length !== 1 || only === undefined || !only.isDirectory()) return null;
  const inner = `${staging}.inner`;
  await rm(inner, { recursive: true, force: true });
  await rename(join(staging, only.name), inner);
  await rmdir(staging);
  await rename(inner, staging);
  return only.name;
}

/** Moves the extracted staging dir's entries into destDir (replacing same-named entries). */
async function moveInto(staging: string, destDir: string): Promise<void> {
  await mkdir(destDir, { recursive: true });
  const existing = await readdir(destDir);
  if (existing.length === 0) {
    await rmdir(destDir);
    await rename(staging, destDir);
    return;
  }
  for (const name of await readdir(staging)) {
    await rm(join(destDir, name), { recursive: true, force: true });
    await rename(join(staging, name), join(destDir, name));
  }
  await rm(staging, { recursive: true, force: true });
}

/** Builds the REMOTE_URL adapter. */
export function remoteUrlSource(opts: RemoteUrlSourceOptions): CheckpointSource {
  const policy = opts.policy ?? DEFAULT_OUTBOUND_POLICY;
  const allowedSecrets = opts.allowedSecretNames ?? [];
  const doFetch = opts.fetchImpl ?? policyFetch(policy);
  return {
    kind: 'REMOTE_URL',
    async resolve(item: FetchItem, ctx: ResolveContext): Promise<ResolvedFetch> {
      const u = parseUrl(item);
      checkSecretAllowed(item, allowedSecrets);
      const what = `url:${redactUrl(item.repo)}`;
      const expected =
        item.revision !== null ? (/^sha256:([0-9a-f]{64})$/i.exec(item.revision)?.[1]?.toLowerCase() ?? null) : null;
      if (item.revision !== null && expected === null) {
        throw new SourceError(
          'SOURCE_REPO_INVALID',
          `${what}: revision for REMOTE_URL must be "sha256:<64 hex>" (the file's digest) or empty`,
        );
      }
      const secret = secretFor(item, ctx.secrets);
      let res: Response;
      try {
        // A presigned GET URL refuses HEAD, so probe with a one-byte ranged GET.
        res = await doFetch(u, {
          headers: { ...authHeaders(item, ctx.secrets), range: 'bytes=0-0', 'accept-encoding': 'identity' },
          signal: ctx.signal,
        });
      } catch (err) {
        throw toSourceError(err, { signal: ctx.signal, secrets: secret === null ? [] : [secret], what });
      }
      await res.body?.cancel();
      if (res.status !== 200 && res.status !== 206) throw statusError(res.status, what);
      const cr = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
      const len = res.status === 200 ? res.headers.get('content-length') : null;
      const size = cr ? Number(cr[1]) : len !== null && /^\d+$/.test(len) ? Number(len) : null;
      if (size === null)
        throw new SourceError(
          'INVALID_RESPONSE',
          `${what}: the server reports no size (needs Content-Range or Content-Length)`,
        );
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      const identity = createHash('sha256')
        .update(JSON.stringify([u.origin + u.pathname, size, etag, lastModified, expected]))
        .digest('hex');
      return {
        source: 'REMOTE_URL',
        repo: redactUrl(item.repo),
        requestedRevision: item.revision,
        resolvedRevision: expected !== null ? `sha256:${expected}` : `url-sha256:${identity}`,
        files: [{ path: fileName(u), size, sha256: expected, etag: etag ?? lastModified }],
        item,
      };
    },

    async download(resolved: ResolvedFetch, destDir: string, dl: DownloadOptions): Promise<DownloadResult> {
      const item = resolved.item;
      const u = parseUrl(item);
      checkSecretAllowed(item, allowedSecrets);
      const what = `url:${redactUrl(item.repo)}`;
      const file = resolved.files[0];
      if (file === undefined) throw new SourceError('SOURCE_EMPTY', `${what}: nothing to download`);
      const secret = secretFor(item, dl.secrets);
      const strongTag = file.etag !== null && !file.etag.startsWith('W/') ? file.etag : null;
      const archive = ARCHIVE.test(u.pathname);
      const target = archive ? `${destDir}.archive` : safeJoin(destDir, file.path);
      let done = 0;
      const report = (filesDone: number): void =>
        dl.onProgress?.({ bytesDone: done, bytesTotal: file.size, filesDone, filesTotal: 1 });
      report(0);
      await downloadHttpFile(
        {
          url: u.href,
          headers: authHeaders(item, dl.secrets),
          path: file.path,
          label: what,
          expectedSize: file.size,
          sha256: file.sha256,
          md5: null,
          ifRange: strongTag,
        },
        target,
        {
          signal: dl.signal,
          ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
          secrets: secret === null ? [] : [secret],
          policy,
          onBytes: (d) => {
            done += d;
            report(0);
          },
        },
      );
      if (!archive) {
        report(1);
        return { files: [file], bytes: file.size };
      }
      const staging = `${destDir}.extracting`;
      await rm(staging, { recursive: true, force: true });
      const raw = createReadStream(target, { highWaterMark: 1 << 20 });
      try {
        const input = (await isGzip(target)) ? raw.pipe(createGunzip()) : raw;
        const entries = await extractTar(input, staging, { maxBytes: opts.maxExtractBytes, signal: dl.signal }).catch(
          (err: unknown) => {
            if (err instanceof SourceError) throw err;
            // zlib errors: a damaged or non-gzip stream
            throw new SourceError(
              'ARCHIVE_CORRUPT',
              `${what}: cannot decompress the archive (${err instanceof Error ? err.message : String(err)})`,
            );
          },
        );
        const top = await unwrapSingleTopDir(staging);
        const files = entries
          .filter((e) => e.type === 'file')
          .map((e) => ({
            path: top === null ? e.path : e.path.slice(top.length + 1),
            size: e.size,
            sha256: null,
            etag: null,
          }));
        if (files.length === 0) throw new SourceError('SOURCE_EMPTY', `${what}: the archive contains no files`);
        await moveInto(staging, destDir);
        await rm(target, { force: true });
        report(1);
        return { files, bytes: files.reduce((n, f) => n + f.size, 0) };
      } catch (err) {
        await rm(staging, { recursive: true, force: true });
        if (err instanceof SourceError && err.code.startsWith('ARCHIVE_')) {
          // A hostile or broken archive will not get better on retry: drop it.
          await rm(target, { force: true });
          throw new SourceError(err.code, `${what}: ${err.message}`);
        }
        throw toSourceError(err, { signal: dl.signal, secrets: secret === null ? [] : [secret], what });
      } finally {
        raw.destroy();
      }
    },
  };
}
