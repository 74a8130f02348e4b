/**
 * Hugging Face Hub source (models and datasets). Resolution goes through `@huggingface/hub`
 * (revision → commit sha, recursive tree listing with `Link` pagination); file bytes come from the
 * hub's `resolve/<sha>/<path>` URL through the shared resumable downloader, so LFS files are
 * sha256-verified while streaming and interrupted files resume with `Range`.
 * The token travels only in an `Authorization` header added by our fetch wrapper.
 */
import { datasetInfo, listFiles, modelInfo } from '@huggingface/hub';
import { DEFAULT_OUTBOUND_POLICY, withAllowed } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import { policyFetch } from '../../net/policy-fetch.js';
import type { FetchItem } from '../../plan/types.js';
import type { ResolvedFile } from '../ports.js';
import { downloadFileSet } from '../util/download-set.js';
import { downloadHttpFile } from '../util/http-download.js';
import { normalizeRelPath } from '../util/safe-path.js';
import { SourceError, toSourceError } from './errors.js';
import { hfStatusError } from './hf-errors.js';
import type { CheckpointSource, DownloadOptions, DownloadResult, ResolveContext, ResolvedFetch } from './port.js';
import { secretFor } from './port.js';

export interface HfSourceOptions {
  /** Hub base URL without trailing slash (from `HF_ENDPOINT`; default `https://huggingface.co`). */
  readonly hubUrl: string;
  /** Token used when the item names no secret (e.g. `HF_TOKEN` of the worker), or null. */
  readonly defaultToken?: string | null;
  readonly fetchImpl?: typeof fetch;
  /** Outbound address policy (default: global unicast only); the hub's own host is always allowed. */
  readonly policy?: OutboundPolicy;
}

const REPO_ID = /^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;

function tokenFor(item: FetchItem, secrets: Readonly<Record<string, string>>, fallback: string | null): string | null {
  return secretFor(item, secrets) ?? fallback;
}

function label(item: FetchItem): string {
  return `hf:${item.repoType === 'dataset' ? 'datasets/' : ''}${item.repo}@${item.revision ?? 'main'}`;
}

/** A fetch for the hub client: adds the bearer token and turns error responses into typed errors. */
function hubFetch(
  base: typeof fetch,
  hubUrl: string,
  token: string | null,
  what: string,
  signal: AbortSignal,
): typeof fetch {
  const origin = new URL(hubUrl).origin;
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // Only the hub's own origin gets the token (a pagination Link could point elsewhere).
    if (token !== null && new URL(url).origin === origin) headers.set('authorization', `Bearer ${token}`);
    let res: Response;
    try {
      res = await base(input, { ...init, headers, signal });
    } catch (err) {
      throw toSourceError(err, { signal, secrets: token === null ? [] : [token], what });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw hfStatusError(res.status, res.headers.get('x-error-code'), what);
    }
    return res;
  };
}

/** Builds the HF adapter. */
export function hfSource(opts: HfSourceOptions): CheckpointSource {
  const hubUrl = opts.hubUrl.replace(/\/+$/, '');
  const policy = withAllowed(opts.policy ?? DEFAULT_OUTBOUND_POLICY, [new URL(hubUrl).hostname]);
  const base = opts.fetchImpl ?? policyFetch(policy);
  return {
    kind: 'HF',
    async resolve(item: FetchItem, ctx: ResolveContext): Promise<ResolvedFetch> {
      const what = label(item);
      if (!REPO_ID.test(item.repo) || item.repo.includes('..')) {
        throw new SourceError(
          'SOURCE_REPO_INVALID',
          `${what}: not a valid Hugging Face repo id (expected "namespace/name")`,
        );
      }
      const revision = item.revision ?? 'main';
      if (revision.length > 256 || /[\s\0]/.test(revision) || revision.includes('..')) {
        throw new SourceError('SOURCE_REPO_INVALID', `${what}: invalid revision`);
      }
      const token = tokenFor(item, ctx.secrets, opts.defaultToken ?? null);
      const f = hubFetch(base, hubUrl, token, what, ctx.signal);
      try {
        const info =
          item.repoType === 'dataset'
            ? await datasetInfo({ name: item.repo, revision, hubUrl, fetch: f, additionalFields: ['sha'] })
            : await modelInfo({ name: item.repo, revision, hubUrl, fetch: f, additionalFields: ['sha'] });
        const sha = (info as { sha?: unknown }).sha;
        if (typeof sha !== 'string' || !COMMIT_SHA.test(sha)) {
          throw new SourceError('INVALID_RESPONSE', `${what}: the hub did not return a commit sha for the revision`);
        }
        const files: ResolvedFile[] = [];
        for await (const e of listFiles({
          repo: { type: item.repoType, name: item.repo },
          revision: sha,
          recursive: true,
          hubUrl,
          fetch: f,
        })) {
          if (e.type !== 'file') continue;
          const path = normalizeRelPath(e.path);
          if (path === null || path !== e.path) {
            throw new SourceError(
              'UNSAFE_PATH',
              `${what}: the repository lists an unsafe path ${JSON.stringify(e.path.slice(0, 200))}`,
            );
          }
          if (!Number.isSafeInteger(e.size) || e.size < 0)
            throw new SourceError('INVALID_RESPONSE', `${what}: bad size for ${path}`);
          const lfsOid = e.lfs?.oid ?? null;
          files.push({
            path,
            size: e.size,
            sha256: lfsOid !== null && /^[0-9a-f]{64}$/.test(lfsOid) ? lfsOid : null,
            etag: lfsOid ?? e.oid ?? null,
          });
        }
        files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        return { source: 'HF', repo: item.repo, requestedRevision: item.revision, resolvedRevision: sha, files, item };
      } catch (err) {
        throw toSourceError(err, { signal: ctx.signal, secrets: token === null ? [] : [token], what });
      }
    },

    async download(resolved: ResolvedFetch, destDir: string, dl: DownloadOptions): Promise<DownloadResult> {
      const item = resolved.item;
      const what = `hf:${item.repo}@${resolved.resolvedRevision.slice(0, 12)}`;
      const token = tokenFor(item, dl.secrets, opts.defaultToken ?? null);
      const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
      const prefix = `${hubUrl}/${item.repoType === 'dataset' ? 'datasets/' : ''}${item.repo}/resolve/${resolved.resolvedRevision}/`;
      return downloadFileSet(resolved.files, destDir, dl, what, async (file, finalPath, onBytes, signal) => {
        await downloadHttpFile(
          {
            url: prefix + file.path.split('/').map(encodeURIComponent).join('/'),
            headers,
            path: file.path,
            label: what,
            expectedSize: file.size,
            sha256: file.sha256,
            md5: null,
            // Non-LFS files are plain git blobs: their tree oid is the git blob id.
            gitBlobSha1:
              file.sha256 === null && file.etag !== null && /^[0-9a-f]{40}$/.test(file.etag) ? file.etag : null,
            ifRange: null,
          },
          finalPath,
          {
            signal,
            onBytes,
            secrets: token === null ? [] : [token],
            mapStatus: hfStatusError,
            policy,
          },
        );
      });
    },
  };
}
