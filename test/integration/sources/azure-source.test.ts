import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import {
  azureCredentialFrom,
  azureSource,
  parseAzureRepo,
  parseListBlobs,
  sasFrom,
} from '../../../orchestrator/storage/sources/azure-source.js';
import { sharedKeyStringToSign, signSharedKey } from '../../../orchestrator/storage/sources/azure-shared-key.js';
import type { DownloadOptions } from '../../../orchestrator/storage/sources/port.js';
import { caught } from './caught-source-error.js';

const ACCOUNT_KEY = Buffer.from('planted-account-key-bytes-0123456789').toString('base64');
const SAS = 'sv=2021-08-06&ss=b&srt=co&sp=rl&sig=planted%2Fsas%2Bsignature';
const blobs = new Map<string, Buffer>([
  ['ckpt/llama/config.json', Buffer.from('{"a":1}')],
  ['ckpt/llama/rank0.safetensors', randomBytes(300_000)],
  ['ckpt/llama/sub/a&b.json', Buffer.from('[]')],
  ['ckpt/other/x.bin', Buffer.from('no')],
]);
const corrupt = new Set<string>();
/** Blob names the fake answers with this status and `x-ms-error-code` instead of their bytes. */
const failing = new Map<string, { status: number; code: string }>();
const seen: {
  path: string;
  query: URLSearchParams;
  version: string | undefined;
  range: string | undefined;
  auth: string | undefined;
}[] = [];
let server: Server;
let endpoint: string;
let tmp: string;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'az-src-'));
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push({
      path: u.pathname,
      query: u.searchParams,
      version: req.headers['x-ms-version'] as string | undefined,
      range: req.headers.range,
      auth: req.headers.authorization,
    });
    // Path: /<account>/<container>[/<blob>]
    const [, account, container, ...rest] = u.pathname.split('/');
    const auth = req.headers.authorization;
    let keyOk = false;
    if (auth?.startsWith('SharedKey ') === true) {
      // Recompute the signature over what actually arrived (headers as sent, including Range).
      const hdrs = Object.fromEntries(
        Object.entries(req.headers).filter(
          (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'authorization',
        ),
      );
      const expect = signSharedKey(
        'GET',
        u,
        hdrs,
        'devacct',
        Buffer.from(ACCOUNT_KEY, 'base64'),
        new Date(hdrs['x-ms-date'] ?? ''),
      );
      keyOk = expect.authorization === auth;
    }
    if (!keyOk && u.searchParams.get('sig') !== 'planted/sas+signature') {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' }).end();
      return;
    }
    if (account !== 'devacct' || container !== 'models') {
      res.writeHead(404, { 'x-ms-error-code': 'ContainerNotFound' }).end();
      return;
    }
    if (u.searchParams.get('comp') === 'list') {
      const prefix = u.searchParams.get('prefix') ?? '';
      const names = [...blobs.keys()].filter((n) => n.startsWith(prefix)).sort();
      const start = Number(u.searchParams.get('marker') ?? '0');
      const page = names.slice(start, start + 2);
      const next = start + 2 < names.length ? String(start + 2) : '';
      const body = `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${page
        .map((n) => {
          const d = blobs.get(n) as Buffer;
          return `<Blob><Name>${xmlEscape(n)}</Name><Properties><Content-Length>${d.length}</Content-Length><Etag>0x${createHash('md5').update(d).digest('hex').slice(0, 12)}</Etag><Content-MD5>${createHash('md5').update(d).digest('base64')}</Content-MD5></Properties></Blob>`;
        })
        .join('')}</Blobs><NextMarker>${next}</NextMarker></EnumerationResults>`;
      res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
      return;
    }
    const name = rest.map(decodeURIComponent).join('/');
    const fail = failing.get(name);
    if (fail !== undefined) {
      res.writeHead(fail.status, { 'x-ms-error-code': fail.code }).end();
      return;
    }
    const data = blobs.get(name);
    if (data === undefined) {
      res.writeHead(404, { 'x-ms-error-code': 'BlobNotFound' }).end();
      return;
    }
    const body = corrupt.has(name) ? Buffer.from(data.map((b) => b ^ 1)) : data;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      const s = Number(m[1]);
      res
        .writeHead(206, {
          'content-range': `bytes ${s}-${body.length - 1}/${body.length}`,
          'content-length': body.length - s,
        })
        .end(body.subarray(s));
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(tmp, { recursive: true, force: true });
});

const src = (over: Parameters<typeof azureSource>[0] = {}) =>
  azureSource({ endpointFor: (account) => `${endpoint}/${account}`, secretAccounts: ['devacct'], ...over });
function item(repo: string): FetchItem {
  return {
    role: 'checkpoint',
    name: null,
    source: 'AZURE',
    repo,
    revision: null,
    repoType: 'model',
    secretName: 'azure_sas',
    dest: '/workspace/inputs/checkpoint',
  };
}
const ctx = (sas = SAS) => ({ secrets: { azure_sas: sas }, signal: new AbortController().signal });
const dl = (): DownloadOptions => ({ secrets: { azure_sas: `?${SAS}` }, signal: new AbortController().signal });

describe('Azure Blob source (REST + SAS) against a local blob service', () => {
  it('lists with markers, sends x-ms-version and the SAS, and downloads MD5-verified blobs', async () => {
    const r = await src().resolve(item('az://devacct/models/ckpt/llama'), ctx());
    expect(r.files.map((f) => f.path)).toEqual(['config.json', 'rank0.safetensors', 'sub/a&b.json']);
    expect(seen.filter((s) => s.query.get('comp') === 'list').map((s) => s.query.get('marker'))).toEqual([null, '2']);
    expect(seen.every((s) => s.version === '2021-08-06' && s.query.get('sv') === '2021-08-06')).toBe(true);
    const dest = join(tmp, 'ok');
    await src().download(r, dest, dl());
    expect(
      (await readFile(join(dest, 'rank0.safetensors'))).equals(blobs.get('ckpt/llama/rank0.safetensors') as Buffer),
    ).toBe(true);
    expect(await readFile(join(dest, 'sub/a&b.json'), 'utf8')).toBe('[]');
    expect(seen.some((s) => s.path === '/devacct/models/ckpt/llama/sub/a%26b.json')).toBe(true);
  });

  it('rejects bytes that do not match Content-MD5', async () => {
    const r = await src().resolve(item('az://devacct/models/ckpt/llama'), ctx());
    corrupt.add('ckpt/llama/config.json');
    try {
      const err = await caught(src().download(r, join(tmp, 'bad'), { ...dl(), allow: ['config.json'] }));
      expect(err.code).toBe('CHECKSUM_MISMATCH');
    } finally {
      corrupt.clear();
    }
  });

  it('maps Azure error codes (x-ms-error-code) on blob downloads too, not only on listings', async () => {
    const r = await src().resolve(item('az://devacct/models/ckpt/llama'), ctx());
    const one = { allow: ['config.json'] };
    // The SAS stopped working between the listing and the download.
    const denied = await caught(
      src().download(r, join(tmp, 'dl-denied'), {
        ...dl(),
        ...one,
        secrets: { azure_sas: 'sv=1&sig=wrong-planted-sig' },
      }),
    );
    expect(denied.code).toBe('SOURCE_UNAUTHORIZED');
    expect(denied.message).toContain('AuthenticationFailed (HTTP 403); check the SAS token secret');
    expect(denied.message).not.toContain('wrong-planted-sig');
    // The default SAS is withheld from an unlisted account: the 403 says so on the download too.
    const anon = { ...r, item: { ...r.item, repo: 'az://evilacct/models/ckpt/llama', secretName: null } };
    const withheld = await caught(
      src({ defaultSas: SAS }).download(anon, join(tmp, 'dl-withheld'), { ...dl(), ...one }),
    );
    expect(withheld.message).toContain('no credential was sent: account "evilacct" is not in AZURE_STORAGE_ACCOUNTS');
    // The blob was deleted, or changed under a conditional request, after the listing.
    for (const [status, code, want, text] of [
      [404, 'BlobNotFound', 'SOURCE_NOT_FOUND', 'BlobNotFound (HTTP 404)'],
      [412, 'ConditionNotMet', 'ETAG_CHANGED', 'the blob changed during the fetch'],
    ] as const) {
      failing.set('ckpt/llama/config.json', { status, code });
      try {
        const err = await caught(src().download(r, join(tmp, `dl-${status}`), { ...dl(), ...one }));
        expect(err.code).toBe(want);
        expect(err.message).toContain(text);
      } finally {
        failing.clear();
      }
    }
  });

  it('maps AuthenticationFailed and ContainerNotFound, and keeps the SAS out of errors', async () => {
    const denied = await caught(src().resolve(item('az://devacct/models/ckpt'), ctx('sv=1&sig=wrong-planted-sig')));
    expect(denied.code).toBe('SOURCE_UNAUTHORIZED');
    expect(denied.message).not.toContain('wrong-planted-sig');
    expect((await caught(src().resolve(item('az://devacct/nocontainer/x'), ctx()))).code).toBe('SOURCE_NOT_FOUND');
    expect((await caught(src().resolve(item('az://devacct/models/missing'), ctx()))).code).toBe('SOURCE_NOT_FOUND');
    expect((await caught(src().resolve(item('az://devacct/models/x'), ctx('not-a-sas')))).code).toBe(
      'SOURCE_SECRET_INVALID',
    );
  });

  it('signs list and ranged blob requests with Shared Key when the secret holds an account key', async () => {
    const keySecret = JSON.stringify({ account_key: ACCOUNT_KEY });
    const before = seen.length;
    const r = await src().resolve(item('az://devacct/models/ckpt/llama'), ctx(keySecret));
    const dest = join(tmp, 'sharedkey');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(dest, { recursive: true });
    const w = blobs.get('ckpt/llama/rank0.safetensors') as Buffer;
    await writeFile(join(dest, 'rank0.safetensors.partial'), w.subarray(0, 1000));
    await src().download(r, dest, {
      secrets: { azure_sas: keySecret },
      signal: new AbortController().signal,
      allow: ['rank0.safetensors'],
    });
    expect((await readFile(join(dest, 'rank0.safetensors'))).equals(w)).toBe(true);
    const mine = seen.slice(before);
    expect(mine.every((q) => q.auth?.startsWith('SharedKey devacct:') === true && !q.query.has('sig'))).toBe(true);
    expect(mine.some((q) => q.range === 'bytes=1000-')).toBe(true);
    const wrongKey = JSON.stringify({ account_key: Buffer.from('another-key-entirely-0123456789').toString('base64') });
    const denied = await caught(src().resolve(item('az://devacct/models/ckpt'), ctx(wrongKey)));
    expect(denied.code).toBe('SOURCE_UNAUTHORIZED');
    expect(JSON.stringify(denied.toFailure())).not.toContain(ACCOUNT_KEY);
  });

  it('builds the documented Shared Key string-to-sign', () => {
    const url = new URL(
      'https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20',
    );
    const s = sharedKeyStringToSign(
      'GET',
      url,
      { 'x-ms-date': 'Sun, 11 Oct 2009 21:49:13 GMT', 'x-ms-version': '2009-09-19', 'Content-Length': '0' },
      'myaccount',
    );
    expect(s).toBe(
      'GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20',
    );
    const withRange = sharedKeyStringToSign(
      'GET',
      new URL('https://a.blob.core.windows.net/c/b%20x.bin'),
      { Range: 'bytes=5-', 'x-ms-version': 'v' },
      'a',
    );
    expect(withRange).toBe('GET\n\n\n\n\n\n\n\n\n\n\nbytes=5-\nx-ms-version:v\n/a/c/b%20x.bin');
    expect(() => azureCredentialFrom('{"account_key":"not base64!"}', 's')).toThrow(/not base64/);
    expect(azureCredentialFrom('{"sas_token":"sig=x"}', 's')).toEqual({ kind: 'sas', sas: 'sig=x' });
  });

  it('parses repo URLs, SAS secrets and list pages', () => {
    expect(parseAzureRepo('https://acct1.blob.core.windows.net/models/llama/8b/')).toEqual({
      account: 'acct1',
      container: 'models',
      prefix: 'llama/8b/',
      endpoint: 'https://acct1.blob.core.windows.net',
    });
    expect(parseAzureRepo('az://acct1/models')).toMatchObject({ container: 'models', prefix: '' });
    for (const bad of [
      'az://UPPER/models/x',
      'https://evil.example.com/c/p',
      'https://a1b.blob.core.windows.net/c/p?sig=x',
      'az://acct1/models/../x',
    ]) {
      expect(() => parseAzureRepo(bad)).toThrow();
    }
    expect(sasFrom('?sv=1&sig=abc', 's')).toBe('sv=1&sig=abc');
    expect(sasFrom('{"sas_token":"sv=1&sig=abc"}', 's')).toBe('sv=1&sig=abc');
    expect(sasFrom(null, null)).toBeNull();
    expect(parseListBlobs('<EnumerationResults><Blobs></Blobs><NextMarker/></EnumerationResults>')).toEqual({
      blobs: [],
      next: null,
    });
    expect(() => parseListBlobs('<Blob><Name>x</Name></Blob>')).toThrow();
  });
});

describe('Azure credentials go only to the storage accounts the operator listed', () => {
  const keySecret = JSON.stringify({ account_key: ACCOUNT_KEY });
  const leaked = (from: number): string[] =>
    seen
      .slice(from)
      .flatMap((q) => [q.query.get('sig') ?? '', q.auth ?? ''])
      .filter((v) => v !== '');

  it('refuses an item that names a secret for an unlisted account, before any request, without the secret', async () => {
    for (const secret of [SAS, `?${SAS}`, JSON.stringify({ sas_token: SAS }), keySecret]) {
      for (const repo of ['az://evilacct/models/ckpt', 'https://evilacct.blob.core.windows.net/models/ckpt']) {
        const before = seen.length;
        const err = await caught(src().resolve(item(repo), ctx(secret)));
        expect(err).toMatchObject({ code: 'SOURCE_SECRET_NOT_ALLOWED', retryable: false });
        expect(err.message).toContain('"evilacct"');
        expect(err.message).toContain('AZURE_STORAGE_ACCOUNTS');
        expect(err.message).toContain('listed: devacct');
        expect(err.message).not.toContain('planted');
        expect(err.message).not.toContain(ACCOUNT_KEY);
        expect(seen.slice(before)).toEqual([]);
      }
    }
  });

  it('refuses the download step too (a resolved fetch replayed against an unlisted account)', async () => {
    const r = await src().resolve(item('az://devacct/models/ckpt/llama'), ctx());
    const before = seen.length;
    const err = await caught(
      src().download({ ...r, item: { ...r.item, repo: 'az://evilacct/models/ckpt/llama' } }, join(tmp, 'evil'), dl()),
    );
    expect(err.code).toBe('SOURCE_SECRET_NOT_ALLOWED');
    expect(seen.slice(before)).toEqual([]);
  });

  it('sends no secret at all when no account is configured (the default)', async () => {
    const before = seen.length;
    const err = await caught(src({ secretAccounts: [] }).resolve(item('az://devacct/models/ckpt'), ctx(keySecret)));
    expect(err.code).toBe('SOURCE_SECRET_NOT_ALLOWED');
    expect(err.message).toContain('none are listed');
    expect(seen.slice(before)).toEqual([]);
    const bare = await caught(
      azureSource({ endpointFor: (a) => `${endpoint}/${a}` }).resolve(item('az://devacct/models/ckpt'), ctx()),
    );
    expect(bare.code).toBe('SOURCE_SECRET_NOT_ALLOWED');
    expect(seen.slice(before)).toEqual([]);
  });

  it('matches listed accounts after trimming and lower-casing the setting', async () => {
    const r = await src({ secretAccounts: [' DevAcct '] }).resolve(item('az://devacct/models/ckpt/llama'), ctx());
    expect(r.files.map((f) => f.path)).toContain('config.json');
  });

  it('withholds the default SAS from an unlisted account: the request goes out anonymous, and a 403 says why', async () => {
    const noSecret = { ...item('az://evilacct/models/ckpt'), secretName: null };
    const before = seen.length;
    const err = await caught(src({ defaultSas: SAS }).resolve(noSecret, ctx()));
    expect(seen.length).toBeGreaterThan(before);
    expect(leaked(before)).toEqual([]);
    expect(err.code).toBe('SOURCE_UNAUTHORIZED');
    expect(err.message).toContain('no credential was sent: account "evilacct" is not in AZURE_STORAGE_ACCOUNTS');
    // The same default SAS still reaches a listed account.
    const mid = seen.length;
    const ok = await src({ defaultSas: SAS }).resolve({ ...noSecret, repo: 'az://devacct/models/ckpt/llama' }, ctx());
    expect(ok.files.length).toBe(3);
    expect(seen.slice(mid).every((q) => q.query.get('sig') === 'planted/sas+signature')).toBe(true);
  });
});
