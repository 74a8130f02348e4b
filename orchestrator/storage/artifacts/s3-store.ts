/**
 * S3 artifact store (`s3://bucket/prefix`), also for S3-compatible endpoints (MinIO, R2, s3rver).
 * Files up to one part are sent as a single buffered PutObject; larger files go through
 * `@aws-sdk/lib-storage` multipart upload (parts are buffered, so the SDK can retry each request;
 * a failed upload is aborted, so no object appears). Errors are `ArtifactStoreError`s whose
 * messages are scrubbed of the credentials.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ObjectInfo } from '../ports.js';
import { ArtifactStoreError, type ArtifactStoreErrorCode } from './errors.js';
import { assertListPrefix, assertObjectKey } from './object-key.js';
import type { StreamingArtifactStore } from './readable-store.js';
import { scrubSecrets } from './scrub-secrets.js';
import { formatStoreUrl } from './store-url.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3StoreOptions {
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Custom endpoint for S3-compatible servers, e.g. `http://127.0.0.1:9000`. */
  readonly endpoint?: string;
  /** Path-style addressing (needed by most S3-compatible servers). Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** Explicit credentials; omitted: the SDK's default provider chain. */
  readonly credentials?: S3Credentials;
  /** SDK attempts per request (first try + retries). Default 5. */
  readonly maxAttempts?: number;
  /** Multipart part size in bytes (min 5 MiB, default 8 MiB; raised automatically to stay under 10,000 parts). */
  readonly partSizeBytes?: number;
  /** Parts uploaded in parallel per file. Default 4. */
  readonly queueSize?: number;
  /** Keys per ListObjects page (1–1000). Default 1000. */
  readonly listPageSize?: number;
  /**
   * Extra CRC32 checksums on uploads. Default `when_required` (off): every body this store sends
   * is buffered, so SigV4 already signs its sha256 (`x-amz-content-sha256`) and S3 rejects a
   * corrupted upload; the manifest's sha256 covers the rest. `when_supported` adds CRC32 headers
   * (more CPU; some S3-compatible servers reject them).
   */
  readonly requestChecksums?: 'when_required' | 'when_supported';
}

/** A store on one bucket under one key prefix (`''` or ending with `/`). */
export class S3ArtifactStore implements StreamingArtifactStore {
  readonly url: string;
  private readonly client: S3Client;
  private readonly secrets: readonly (string | undefined)[];
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly pageSize: number;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    options: S3StoreOptions = {},
  ) {
    this.url = formatStoreUrl({ kind: 's3', bucket, prefix });
    const creds = options.credentials;
    this.secrets = [creds?.secretAccessKey, creds?.sessionToken, creds?.accessKeyId];
    this.partSize = Math.max(MIN_PART_SIZE, Math.floor(options.partSizeBytes ?? 8 * 1024 * 1024));
    this.queueSize = Math.max(1, Math.floor(options.queueSize ?? 4));
    this.pageSize = Math.min(1000, Math.max(1, Math.floor(options.listPageSize ?? 1000)));
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      requestChecksumCalculation: options.requestChecksums === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
      maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 5)),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(creds !== undefined ? { credentials: { ...creds } } : {}),
    });
  }

  async putFile(key: string, filePath: string): Promise<ObjectInfo> {
    const full = this.fullKey(key);
    const info = await stat(filePath).catch(() => null);
    if (info === null || !info.isFile()) {
      throw new ArtifactStoreError(
        'SOURCE_NOT_FOUND',
        `putFile ${JSON.stringify(key)}: ${JSON.stringify(filePath)} is not a readable regular file`,
        key,
      );
    }
    const partSize = Math.max(this.partSize, Math.ceil(info.size / MAX_PARTS));
    if (info.size <= partSize) {
      // Buffered so that every SDK retry can resend the body.
      const body = await readFile(filePath);
      return this.putBytes(key, body);
    }
    try {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: full, Body: createReadStream(filePath, { highWaterMark: 1024 * 1024 }) },
        partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
      });
      const out = await upload.done();
      return { key, size: info.size, etag: cleanEtag(out.ETag) };
    } catch (err) {
      throw this.toError(err, 'multipart upload', key);
    }
  }

  async putBytes(key: string, body: Uint8Array | string, contentType?: string): Promise<ObjectInfo> {
    const full = this.fullKey(key);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: full,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ...(contentType !== undefined ? { ContentType: contentType } : {}),
        }),
      );
      return { key, size: bytes.byteLength, etag: cleanEtag(out.ETag) };
    } catch (err) {
      throw this.toError(err, 'PutObject', key);
    }
  }

  async getBytes(key: string): Promise<Uint8Array | null> {
    const full = this.fullKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full }));
      if (out.Body === undefined) return new Uint8Array(0);
      return await out.Body.transformToByteArray();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.toError(err, 'GetObject', key);
    }
  }

  async getStream(key: string): Promise<Readable | null> {
    const full = this.fullKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full }));
      if (out.Body === undefined) return Readable.from([]);
      if (out.Body instanceof Readable) return out.Body;
      return Readable.fromWeb(out.Body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.toError(err, 'GetObject', key);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const full = this.fullKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: full }));
      return { key, size: out.ContentLength ?? 0, etag: cleanEtag(out.ETag) };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.toError(err, 'HeadObject', key);
    }
  }

  async list(prefix: string): Promise<readonly ObjectInfo[]> {
    assertListPrefix(prefix);
    const out: ObjectInfo[] = [];
    // ListObjects (v1) paged with Marker = last key: the same semantics as ListObjectsV2's
    // StartAfter, and it also works on s3rver, whose v2 continuation tokens need DES (gone from
    // Node 20's OpenSSL 3) and fail with InternalError on every truncated page.
    let marker: string | undefined;
    try {
      for (;;) {
        const page = await this.client.send(
          new ListObjectsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix + prefix,
            MaxKeys: this.pageSize,
            ...(marker !== undefined ? { Marker: marker } : {}),
          }),
        );
        const contents = page.Contents ?? [];
        for (const obj of contents) {
          if (obj.Key === undefined || !obj.Key.startsWith(this.prefix)) continue;
          out.push({ key: obj.Key.slice(this.prefix.length), size: obj.Size ?? 0, etag: cleanEtag(obj.ETag) });
        }
        const last = contents[contents.length - 1]?.Key;
        if (page.IsTruncated !== true || last === undefined || last === marker) break;
        marker = last;
      }
    } catch (err) {
      throw this.toError(err, 'ListObjects', prefix);
    }
    return out.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async delete(key: string): Promise<void> {
    const full = this.fullKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: full }));
    } catch (err) {
      if (isNotFound(err)) return;
      throw this.toError(err, 'DeleteObject', key);
    }
  }

  /** Closes the SDK's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  private fullKey(key: string): string {
    return this.prefix + assertObjectKey(key);
  }

  private toError(err: unknown, op: string, key: string): ArtifactStoreError {
    if (err instanceof ArtifactStoreError) return err;
    const e = (typeof err === 'object' && err !== null ? err : {}) as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
      $metadata?: { httpStatusCode?: unknown };
    };
    const name = typeof e.name === 'string' ? e.name : 'Error';
    const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : null;
    const detail = typeof e.message === 'string' ? e.message : String(err);
    const where = `s3://${this.bucket}/${this.prefix}${key}`;
    const message = `S3 ${op} ${where} failed: ${name}${status !== null ? ` (HTTP ${status})` : ''}: ${detail}`;
    return new ArtifactStoreError(codeFor(name, status), scrubSecrets(message, this.secrets), key);
  }
}

function codeFor(name: string, status: number | null): ArtifactStoreErrorCode {
  if (name === 'NoSuchBucket') return 'NO_SUCH_BUCKET';
  if (
    status === 403 ||
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'CredentialsProviderError'
  ) {
    return 'ACCESS_DENIED';
  }
  return 'STORE_IO';
}

function isNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  if (e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

function cleanEtag(etag: string | undefined): string | null {
  if (etag === undefined || etag === '') return null;
  return etag.replace(/^"(.*)"$/, '$1');
}
