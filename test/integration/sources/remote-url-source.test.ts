import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import type { DownloadOptions } from '../../../orchestrator/storage/sources/port.js';
import { outboundPolicy } from '../../../orchestrator/net/address-policy.js';
import { remoteUrlSource } from '../../../orchestrator/storage/sources/remote-url-source.js';
import {
  makeTar,
  startRemoteUrlServer,
  type RemoteUrlServer,
  type TarEntrySpec,
} from '../../fixtures/servers/remote-url-server.js';
import { caught } from './caught-source-error.js';

let srv: RemoteUrlServer;
let tmp: string;
const big = randomBytes(400_000);
const good = gzipSync(
  makeTar([
    { name: './', type: '5' },
    { name: './config.json', data: '{"a":1}' },
    { name: './rank0.safetensors', data: big },
    { name: './sub/', type: '5' },
    { name: './sub/link', type: '2', linkname: '../config.json' },
  ]),
);
// The test servers are on loopback, which the default outbound policy refuses.
const LOOPBACK = outboundPolicy(['127.0.0.1']);
const src = remoteUrlSource({ maxExtractBytes: 1_000_000, policy: LOOPBACK, allowedSecretNames: ['url_token'] });

function item(path: string, over: Partial<FetchItem> = {}): FetchItem {
  return {
    role: 'checkpoint',
    name: null,
    source: 'REMOTE_URL',
    repo: `${srv.url}${path}`,
    revision: null,
    repoType: 'model',
    secretName: null,
    dest: '/workspace/inputs/checkpoint',
    ...over,
  };
}
const ctx = () => ({ secrets: {}, signal: new AbortController().signal });
const dl = (): DownloadOptions => ({ secrets: {}, signal: new AbortController().signal });

async function fetchTo(path: string, dest: string, over: Partial<FetchItem> = {}) {
  const r = await src.resolve(item(path, over), ctx());
  return src.download(r, dest, dl());
}
const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'url-src-'));
  srv = await startRemoteUrlServer();
});
afterAll(async () => {
  await srv.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('REMOTE_URL source', () => {
  it('downloads a .tar.gz, extracts it, and removes the archive', async () => {
    srv.set('/ckpt.tar.gz', { data: good, noHead: true });
    const dest = join(tmp, 'ok');
    const r = await src.resolve(item('/ckpt.tar.gz'), ctx());
    expect(r.files).toEqual([{ path: 'ckpt.tar.gz', size: good.length, sha256: null, etag: '"v1"' }]);
    expect(r.resolvedRevision).toMatch(/^url-sha256:[0-9a-f]{64}$/);
    const res = await src.download(r, dest, dl());
    expect(res.files.map((f) => f.path).sort()).toEqual(['config.json', 'rank0.safetensors']);
    expect((await readFile(join(dest, 'rank0.safetensors'))).equals(big)).toBe(true);
    expect(await readFile(join(dest, 'sub/link'), 'utf8')).toBe('{"a":1}');
    expect(await readdir(tmp)).toEqual(['ok']);
  });

  it('downloads a single non-archive file into the destination', async () => {
    srv.set('/weights/large-v3.pt', { data: big });
    const dest = join(tmp, 'single');
    await fetchTo('/weights/large-v3.pt', dest);
    expect((await readFile(join(dest, 'large-v3.pt'))).equals(big)).toBe(true);
  });

  it('resumes a body cut mid-way with Range + If-Range', async () => {
    srv.set('/cut.tar.gz', { data: good, cutAfter: 50_000, cutTimes: 1 });
    const before = srv.requests.length;
    await fetchTo('/cut.tar.gz', join(tmp, 'cut'));
    const gets = srv.requests.slice(before).filter((r) => r.range !== 'bytes=0-0');
    expect(gets).toHaveLength(2);
    expect(gets[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(gets[1]?.ifRange).toBe('"v1"');
    expect((await readFile(join(tmp, 'cut', 'rank0.safetensors'))).equals(big)).toBe(true);
  });

  it('keeps the .partial when the connection keeps dropping, and resumes on the next run', async () => {
    srv.set('/flaky.tar.gz', { data: good, cutAfter: 1000, cutTimes: 100 });
    const dest = join(tmp, 'flaky');
    const err = await caught(fetchTo('/flaky.tar.gz', dest));
    expect(err.code).toBe('DOWNLOAD_INTERRUPTED');
    expect(err.retryable).toBe(true);
    const kept = (await stat(`${dest}.archive.partial`)).size;
    expect(kept).toBeGreaterThan(0);
    expect(await exists(dest)).toBe(false);
    srv.set('/flaky.tar.gz', { data: good });
    const before = srv.requests.length;
    await fetchTo('/flaky.tar.gz', dest);
    expect(srv.requests.slice(before).map((r) => r.range)).toEqual(['bytes=0-0', `bytes=${kept}-`]);
    expect((await readFile(join(dest, 'rank0.safetensors'))).equals(big)).toBe(true);
    expect(await exists(`${dest}.archive.partial`)).toBe(false);
  });

  it('recovers from a server that claims more bytes than it sends', async () => {
    srv.set('/short.tar.gz', { data: good, shortOnce: 10_000 });
    await fetchTo('/short.tar.gz', join(tmp, 'short'));
    expect((await readFile(join(tmp, 'short', 'rank0.safetensors'))).equals(big)).toBe(true);
  });

  it('starts over when the server ignores Range or the object changed (If-Range)', async () => {
    const dest = join(tmp, 'changed');
    await writeFile(`${dest}.archive.partial`, Buffer.alloc(5000, 1));
    srv.set('/changed.tar.gz', { data: good, ignoreRange: true });
    await fetchTo('/changed.tar.gz', dest);
    expect((await readFile(join(dest, 'rank0.safetensors'))).equals(big)).toBe(true);
  });

  it('verifies a sha256 revision', async () => {
    srv.set('/pinned.tar.gz', { data: good });
    const digest = createHash('sha256').update(good).digest('hex');
    await fetchTo('/pinned.tar.gz', join(tmp, 'pinned'), { revision: `sha256:${digest}` });
    const err = await caught(fetchTo('/pinned.tar.gz', join(tmp, 'pinned2'), { revision: `sha256:${'0'.repeat(64)}` }));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(await exists(join(tmp, 'pinned2'))).toBe(false);
    expect((await caught(src.resolve(item('/pinned.tar.gz', { revision: 'main' }), ctx()))).code).toBe(
      'SOURCE_REPO_INVALID',
    );
  });

  it('maps HTTP statuses to typed errors and never shows the query string', async () => {
    srv.set('/denied.tar.gz', { data: good, status: 403 });
    srv.set('/down.tar.gz', { data: good, status: 503 });
    const secretQuery = '?X-Amz-Signature=planted-signature-secret';
    const e403 = await caught(src.resolve(item(`/denied.tar.gz${secretQuery}`), ctx()));
    expect(e403.code).toBe('SOURCE_UNAUTHORIZED');
    const e404 = await caught(src.resolve(item(`/missing.tar.gz${secretQuery}`), ctx()));
    expect(e404.code).toBe('SOURCE_NOT_FOUND');
    const e503 = await caught(src.resolve(item('/down.tar.gz'), ctx()));
    expect(e503.code).toBe('HTTP_SERVER_ERROR');
    expect(e503.retryable).toBe(true);
    for (const e of [e403, e404]) expect(e.message).not.toContain('planted-signature-secret');
    expect((await caught(src.resolve(item('', { repo: 'file:///etc/passwd' }), ctx()))).code).toBe(
      'SOURCE_REPO_INVALID',
    );
  });

  it('follows a redirect to another origin without forwarding the Authorization header', async () => {
    const other = await startRemoteUrlServer();
    try {
      other.set('/blob.pt', { data: big });
      srv.set('/redirect.pt', { data: Buffer.alloc(0), redirectTo: `${other.url}/blob.pt` });
      const secrets = { url_token: 'planted-bearer-token' };
      const it1 = item('/redirect.pt', { secretName: 'url_token' });
      const r = await src.resolve(it1, { secrets, signal: new AbortController().signal });
      const dest = join(tmp, 'redirected');
      await src.download(r, dest, { secrets, signal: new AbortController().signal });
      expect((await readFile(join(dest, 'redirect.pt'))).equals(big)).toBe(true);
      expect(
        srv.requests
          .filter((q) => q.path === '/redirect.pt')
          .every((q) => q.authorization === 'Bearer planted-bearer-token'),
      ).toBe(true);
      expect(other.requests.length).toBeGreaterThan(0);
      expect(other.requests.every((q) => q.authorization === null)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('drops a stalled connection after the idle timeout and resumes', async () => {
    srv.set('/stall.tar.gz', { data: good, stallAfter: 20_000, stallTimes: 1 });
    const quick = remoteUrlSource({ maxExtractBytes: 1_000_000, idleTimeoutMs: 200, policy: LOOPBACK });
    const r = await quick.resolve(item('/stall.tar.gz'), ctx());
    const before = srv.requests.length;
    await quick.download(r, join(tmp, 'stall'), dl());
    expect((await readFile(join(tmp, 'stall', 'rank0.safetensors'))).equals(big)).toBe(true);
    expect(srv.requests.slice(before).map((q) => q.range)).toEqual([
      null,
      expect.stringMatching(/^bytes=\d+-$/) as string,
    ]);
  });

  it('cancels a download in flight with FETCH_ABORTED and keeps the partial file', async () => {
    srv.set('/hang.tar.gz', { data: good, stallAfter: 30_000, stallTimes: 1 });
    const ac = new AbortController();
    const r = await src.resolve(item('/hang.tar.gz'), ctx());
    const dest = join(tmp, 'hang');
    const err = await caught(
      src.download(r, dest, { secrets: {}, signal: ac.signal, onProgress: (p) => p.bytesDone > 0 && ac.abort() }),
    );
    expect(err.code).toBe('FETCH_ABORTED');
    expect((await stat(`${dest}.archive.partial`)).size).toBeGreaterThan(0);
    expect(await exists(dest)).toBe(false);
  });

  const hostile: [string, TarEntrySpec[], string][] = [
    ['absolute path', [{ name: '/etc/evil', data: 'x' }], 'ARCHIVE_PATH_ESCAPE'],
    [
      'dot-dot path',
      [
        { name: 'ok.txt', data: 'x' },
        { name: 'a/../../evil', data: 'x' },
      ],
      'ARCHIVE_PATH_ESCAPE',
    ],
    ['symlink leaving the target', [{ name: 'link', type: '2', linkname: '../../outside' }], 'ARCHIVE_LINK_ESCAPE'],
    ['absolute symlink', [{ name: 'link', type: '2', linkname: '/etc/passwd' }], 'ARCHIVE_LINK_ESCAPE'],
    ['hardlink to a file outside', [{ name: 'hl', type: '1', linkname: '/etc/passwd' }], 'ARCHIVE_LINK_ESCAPE'],
    ['character device', [{ name: 'dev', type: '3' }], 'ARCHIVE_UNSUPPORTED_ENTRY'],
    ['fifo', [{ name: 'pipe', type: '6' }], 'ARCHIVE_UNSUPPORTED_ENTRY'],
    [
      'expansion past the limit',
      [
        { name: 'a.bin', data: Buffer.alloc(600_000) },
        { name: 'b.bin', data: Buffer.alloc(600_000) },
      ],
      'ARCHIVE_TOO_LARGE',
    ],
    ['declared size larger than the limit', [{ name: 'bomb.bin', size: 10 ** 11 }], 'ARCHIVE_TOO_LARGE'],
  ];
  for (const [name, entries, code] of hostile) {
    it(`refuses an archive with a ${name} (${code}) and leaves nothing behind`, async () => {
      const path = `/hostile-${name.replace(/\W+/g, '-')}.tar.gz`;
      srv.set(path, { data: gzipSync(makeTar(entries)) });
      const dest = join(tmp, `h-${name.replace(/\W+/g, '-')}`);
      const err = await caught(fetchTo(path, dest));
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(false);
      expect(await exists(dest)).toBe(false);
      expect(await exists(`${dest}.extracting`)).toBe(false);
      expect(await exists(join(tmp, 'evil'))).toBe(false);
    });
  }

  it('reports a damaged gzip stream as ARCHIVE_CORRUPT', async () => {
    const broken = Buffer.from(good);
    broken.fill(0x41, 100, 400);
    srv.set('/broken.tar.gz', { data: broken });
    const err = await caught(fetchTo('/broken.tar.gz', join(tmp, 'broken')));
    expect(err.code).toBe('ARCHIVE_CORRUPT');
  });
});
