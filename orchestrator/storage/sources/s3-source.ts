/**
 * S3 and S3-compatible sources (AWS, R2, MinIO, and GCS through its XML API with HMAC keys) via
 * `@aws-sdk/client-s3`: ListObjectsV2 under the prefix pins the identity (a digest over every
 * key, size and ETag); objects are fetched with `If-Match: <ETag>`, small ones as one resumable
 * stream (MD5-checked when the ETag is a plain MD5), large ones as parallel ranged GETs.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CHECKPOINT_URL_SCHEMES } from '../../config/checkpoint-schemes.js';
import { DEFAULT_OUTBOUND_POLICY, withAllowed } from '../../net/address-policy.js';
import type { OutboundPolicy } from '../../net/address-policy.js';
import { policyLookup } from '../../net/safe-lookup.js';
import type { FetchItem } from '../../plan/types.js';
import type { ResolvedFile } from '../ports.js';
import { downloadFileSet } from '../util/download-set.js';
import { parseContentRange } from '../util/http-download.js';
import { downloadRangedParallel } from '../util/ranged-parallel.js';
import { downloadResumable, type Opened } from '../util/resumable-download.js';
import { normalizeRelPath } from '../util/safe-path.js';
import { SourceError } from './errors.js';
import type { CheckpointSource, DownloadOptions, DownloadResult, ResolveContext, ResolvedFetch } from './port.js';
import { credentialsFor, parseBucketUrl, secretValues, type StoreCredentials } from './s3-credentials.js';
import { s3Error } from './s3-errors.js';

export interface S3SourceOptions {
  readonly kind: 'S3' | 'GCS';
  /** Custom endpoint (S3-compatible stores; GCS: `https://storage.googleapis.com`). */
  readonly endpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** Credentials when the item names no secret (null: the SDK's default provider chain). */
  readonly defaultCredentials?: StoreCredentials | null;
  /** Objects at least this large are fetched as parallel ranges (default 128 MiB). */
  readonly rangedThreshold?: number;
  /** Part size for ranged fetches (default 64 MiB). */
  readonly partSize?: number;
  /** Parallel ranges per object (default 4). */
  readonly partConcurrency?: number;
  /** Outbound address policy (default: global unicast only); the configured endpoint's host is allowed. */
  readonly policy?: OutboundPolicy;
}

// One pair of keep-alive agents per policy, whose connections resolve through the policy.
function agentsFor(policy: OutboundPolicy): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const lookup = policyLookup(policy) as NonNullable<ConstructorParameters<typeof HttpAgent>[0]>['lookup'];
  return {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50, lookup }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50, lookup }),
  };
}

function client(opts: S3SourceOptions, creds: StoreCredentials | null): S3Client {
  const endpointHost = creds?.endpoint ?? opts.endpoint;
  const policy = withAllowed(
    opts.policy ?? DEFAULT_OUTBOUND_POLICY,
    endpointHost !== undefined ? [new URL(endpointHost).hostname] : [],
  );
  const cfg: S3ClientConfig = {
    requestHandler: agentsFor(policy),
    region: creds?.region ?? opts.region,
    forcePathStyle: opts.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  const endpoint = creds?.endpoint ?? opts.endpoint;
  if (endpoint !== undefined) cfg.endpoint = endpoint;
  if (creds !== null) {
    cfg.credentials = {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      ...(creds.sessionToken !== undefined ? { sessionToken: creds.sessionToken } : {}),
    };
  }
  return new S3Client(cfg);
}

const PLAIN_MD5 = /^"?([0-9a-f]{32})"?$/;

/** Builds the S3 (or GCS-over-XML-API) adapter. */
export function s3Source(opts: S3SourceOptions): CheckpointSource {
  const scheme = CHECKPOINT_URL_SCHEMES[opts.kind].schemes[0];
  const credsOf = (item: FetchItem, secrets: Readonly<Record<string, string>>): StoreCredentials | null =>
    credentialsFor(item, secrets) ?? opts.defaultCredentials ?? null;
  return {
    kind: opts.kind,
    async resolve(item: FetchItem, ctx: ResolveContext): Promise<ResolvedFetch> {
      const ref = parseBucketUrl(item.repo, scheme);
      const what = `${scheme}://${ref.bucket}/${ref.prefix}`;
      const creds = credsOf(item, ctx.secrets);
      const c = client(opts, creds);
      const files: ResolvedFile[] = [];
      try {
        let token: string | undefined;
        do {
          const page = await c.send(
            new ListObjectsV2Command({
              Bucket: ref.bucket,
              Prefix: ref.prefix,
              ...(token !== undefined ? { ContinuationToken: token } : {}),
            }),
            { abortSignal: ctx.signal },
          );
          for (const o of page.Contents ?? []) {
            const key = o.Key ?? '';
            if (key.endsWith('/')) continue; // directory marker
            const rel = key.slice(ref.prefix.length);
            const path = normalizeRelPath(rel);
            if (path === null || path !== rel)
              throw new SourceError(
                'UNSAFE_PATH',
                `${what}: refusing unsafe object key ${JSON.stringify(key.slice(0, 200))}`,
              );
            files.push({ path, size: o.Size ?? 0, sha256: null, etag: o.ETag ?? null });
          }
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
      } catch (err) {
        throw s3Error(err, what, ctx.signal, secretValues(creds));
      } finally {
        c.destroy();
      }
      if (files.length === 0) throw new SourceError('SOURCE_NOT_FOUND', `${what}: no objects under this prefix`);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const identity = createHash('sha256')
        .update(JSON.stringify(files.map((f) => [f.path, f.size, f.etag])))
        .digest('hex');
      return {
        source: opts.kind,
        repo: item.repo,
        requestedRevision: item.revision,
        resolvedRevision: `etags-sha256:${identity}`,
        files,
        item,
      };
    },

    async download(resolved: ResolvedFetch, destDir: string, dl: DownloadOptions): Promise<DownloadResult> {
      const item = resolved.item;
      const ref = parseBucketUrl(item.repo, scheme);
      const label = `${scheme}://${ref.bucket}/${ref.prefix}`;
      const creds = credsOf(item, dl.secrets);
      const secrets = secretValues(creds);
      const c = client(opts, creds);
      const threshold = opts.rangedThreshold ?? 128 << 20;
      const get = async (
        key: string,
        etag: string | null,
        range: string | undefined,
        signal: AbortSignal,
      ): Promise<{ body: Readable; contentRange: string | null }> => {
        try {
          const out = await c.send(
            new GetObjectCommand({
              Bucket: ref.bucket,
              Key: key,
              ...(etag !== null ? { IfMatch: etag } : {}),
              ...(range !== undefined ? { Range: range } : {}),
            }),
            { abortSignal: signal },
          );
          if (out.Body === undefined) throw new SourceError('INVALID_RESPONSE', `${label}${key}: empty body`);
          return { body: out.Body as Readable, contentRange: out.ContentRange ?? null };
        } catch (err) {
          throw s3Error(err, `${label}: ${key.slice(ref.prefix.length)}`, signal, secrets);
        }
      };
      try {
        return await downloadFileSet(resolved.files, destDir, dl, label, async (file, finalPath, onBytes, signal) => {
          const key = ref.prefix + file.path;
          const md5 = PLAIN_MD5.exec(file.etag ?? '')?.[1] ?? null;
          if (file.size >= threshold) {
            await downloadRangedParallel(
              {
                path: file.path,
                label,
                size: file.size,
                md5,
                partSize: opts.partSize ?? 64 << 20,
                concurrency: opts.partConcurrency ?? 4,
              },
              finalPath,
              async (start, end) => (await get(key, file.etag, `bytes=${start}-${end}`, signal)).body,
              { signal, onBytes },
            );
            return;
          }
          const openAt = async (offset: number): Promise<Opened> => {
            if (offset >= file.size && file.size > 0) return { kind: 'complete', total: file.size };
            const r = await get(key, file.etag, offset > 0 ? `bytes=${offset}-` : undefined, signal);
            if (offset > 0) {
              const cr = parseContentRange(r.contentRange);
              if (cr === null || cr.start !== offset) {
                r.body.destroy();
                return { kind: 'badRange' };
              }
            }
            return { kind: 'body', fromStart: false, total: file.size, etag: file.etag, body: r.body };
          };
          await downloadResumable(
            { path: file.path, label, expectedSize: file.size, sha256: null, md5 },
            finalPath,
            openAt,
            { signal, onBytes, secrets },
          );
        });
      } finally {
        c.destroy();
      }
    },
  };
}
