import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import { hfSource } from '../../../orchestrator/storage/sources/hf-source.js';
import type { DownloadOptions } from '../../../orchestrator/storage/sources/port.js';
import { startFakeHub, type FakeHub } from '../../fixtures/servers/fake-hub.js';
import { caught } from './caught-source-error.js';

const TOKEN = 'hf_planted_secret_token_9f8e7d';
const weights = randomBytes(300_000);
const shard2 = randomBytes(200_000);
// Large enough to span several 4 MiB write slabs and many socket reads.
const hugeWeights = randomBytes(33 << 20);
const config = Buffer.from('{"architectures":["LlamaForCausalLM"]}');
const pointer = Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n');

let hub: FakeHub;
let tmp: string;

function item(repo: string, over: Partial<FetchItem> = {}): FetchItem {
  return {
    role: 'checkpoint',
    name: null,
    source: 'HF',
    repo,
    revision: null,
    repoType: 'model',
    secretName: null,
    dest: '/workspace/inputs/checkpoint',
    ...over,
  };
}
const ctx = (secrets: Record<string, string> = {}) => ({ secrets, signal: new AbortController().signal });
const dl = (over: Partial<DownloadOptions> = {}): DownloadOptions => ({
  secrets: {},
  signal: new AbortController().signal,
  ...over,
});

async function listAll(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listAll(dir, r)));
    else out.push(r);
  }
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hf-src-'));
  hub = await startFakeHub(
    [
      {
        id: 'acme/tiny',
        files: [
          { path: 'config.json', data: config },
          { path: 'model-00001-of-00002.safetensors', data: weights },
          { path: 'model-00002-of-00002.safetensors', data: shard2 },
          { path: 'tokenizer/tokenizer.json', data: Buffer.from('{"v":1}') },
          { path: 'README.md', data: Buffer.from('# tiny') },
        ],
        refs: { main: 'a'.repeat(40), v1: 'b'.repeat(40) },
      },
      { id: 'acme/gated', files: [{ path: 'config.json', data: config }], gated: true },
      { id: 'acme/private', files: [{ path: 'config.json', data: config }], privateToken: TOKEN },
      { id: 'acme/pointer', files: [{ path: 'model.safetensors', data: pointer, lfs: false }] },
      { id: 'acme/badsha', files: [{ path: 'model.safetensors', data: weights, advertisedSha256: 'f'.repeat(64) }] },
      { id: 'acme/big', files: [{ path: 'big.safetensors', data: hugeWeights }] },
      {
        type: 'dataset',
        id: 'acme/calib',
        files: [{ path: 'data/train.jsonl', data: Buffer.from('{"text":"hi"}\n') }],
      },
    ],
    { pageSize: 2 },
  );
});
afterAll(async () => {
  await hub.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('HF source against a local hub', () => {
  const src = () => hfSource({ hubUrl: hub.url });

  it('resolves a branch to its commit sha, follows tree pagination, and downloads verified files', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    expect(resolved.resolvedRevision).toBe('a'.repeat(40));
    expect(resolved.files.map((f) => f.path)).toEqual([
      'README.md',
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'tokenizer/tokenizer.json',
    ]);
    const w = resolved.files.find((f) => f.path.startsWith('model-00001'));
    expect(w?.sha256).toBe(createHash('sha256').update(weights).digest('hex'));
    expect(hub.requests.some((r) => r.url.includes('/tree/') && r.url.includes('cursor='))).toBe(true);
    const dest = join(tmp, 'tiny');
    const progress: number[] = [];
    const res = await src().download(resolved, dest, dl({ onProgress: (p) => progress.push(p.bytesDone) }));
    expect(res.bytes).toBe(resolved.files.reduce((n, f) => n + f.size, 0));
    expect(await listAll(dest)).toEqual(resolved.files.map((f) => f.path));
    expect((await readFile(join(dest, 'model-00001-of-00002.safetensors'))).equals(weights)).toBe(true);
    expect(progress.at(-1)).toBe(res.bytes);
    expect(hub.requests.some((r) => r.url === `/acme/tiny/resolve/${'a'.repeat(40)}/config.json`)).toBe(true);
  });

  it('resolves a tag and honours allow/ignore patterns', async () => {
    const resolved = await src().resolve(item('acme/tiny', { revision: 'v1' }), ctx());
    expect(resolved.resolvedRevision).toBe('b'.repeat(40));
    const dest = join(tmp, 'patterns');
    const res = await src().download(
      resolved,
      dest,
      dl({ allow: ['*.json', '*.safetensors'], ignore: ['tokenizer/'] }),
    );
    expect(res.files.map((f) => f.path)).toEqual([
      'config.json',
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
    expect(await listAll(dest)).toEqual(res.files.map((f) => f.path));
  });

  it('fetches datasets through the same client', async () => {
    const resolved = await src().resolve(
      item('acme/calib', { repoType: 'dataset', role: 'calibration_dataset' }),
      ctx(),
    );
    const dest = join(tmp, 'calib');
    await src().download(resolved, dest, dl());
    expect(await readFile(join(dest, 'data/train.jsonl'), 'utf8')).toBe('{"text":"hi"}\n');
    expect(hub.requests.some((r) => r.url.startsWith('/api/datasets/acme/calib/revision/main'))).toBe(true);
  });

  it('gives distinct errors for gated, private, missing repos and missing revisions', async () => {
    expect((await caught(src().resolve(item('acme/gated'), ctx()))).code).toBe('HF_REPO_GATED');
    expect((await caught(src().resolve(item('acme/private'), ctx()))).code).toBe('HF_REPO_UNAUTHORIZED');
    expect((await caught(src().resolve(item('acme/nope'), ctx()))).code).toBe('HF_REPO_NOT_FOUND');
    const rev = await caught(src().resolve(item('acme/tiny', { revision: 'no-such-branch' }), ctx()));
    expect(rev.code).toBe('HF_REVISION_NOT_FOUND');
    expect(rev.retryable).toBe(false);
    expect((await caught(src().resolve(item('../etc/passwd'), ctx()))).code).toBe('SOURCE_REPO_INVALID');
  });

  it('uses the token from the named secret, and never puts it in errors', async () => {
    const it1 = item('acme/private', { secretName: 'hf_access_token' });
    const resolved = await src().resolve(it1, ctx({ hf_access_token: TOKEN }));
    expect(hub.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    await src().download(resolved, join(tmp, 'private'), dl({ secrets: { hf_access_token: TOKEN } }));
    const wrong = await caught(src().resolve(it1, ctx({ hf_access_token: `${TOKEN}x` })));
    expect(wrong.code).toBe('HF_REPO_UNAUTHORIZED');
    expect(JSON.stringify(wrong.toFailure()) + String(wrong.stack)).not.toContain(TOKEN);
  });

  it('rejects a Git LFS pointer where weights were expected', async () => {
    const resolved = await src().resolve(item('acme/pointer'), ctx());
    const dest = join(tmp, 'pointer');
    const err = await caught(src().download(resolved, dest, dl()));
    expect(err.code).toBe('LFS_POINTER_INSTEAD_OF_WEIGHTS');
    expect(await listAll(dest)).toEqual(['model.safetensors.partial']);
  });

  it('rejects bytes whose sha256 differs from the LFS oid and leaves nothing at the final path', async () => {
    const resolved = await src().resolve(item('acme/badsha'), ctx());
    const dest = join(tmp, 'badsha');
    const err = await caught(src().download(resolved, dest, dl()));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.retryable).toBe(true);
    expect(await listAll(dest)).toEqual([]);
  });

  it('resumes a body cut mid-way with a Range request', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    hub.cutOnce('acme/tiny', 'model-00001-of-00002.safetensors', 100_000);
    const dest = join(tmp, 'cut');
    const before = hub.requests.length;
    await src().download(resolved, dest, dl({ allow: ['model-00001*'] }));
    expect((await readFile(join(dest, 'model-00001-of-00002.safetensors'))).equals(weights)).toBe(true);
    const ranges = hub.requests.slice(before).map((r) => r.range);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBeNull();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
  });

  it('verifies non-LFS files against their git blob id', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    hub.corrupt('acme/tiny', 'config.json');
    const err = await caught(src().download(resolved, join(tmp, 'gitblob'), dl({ allow: ['config.json'] }))).finally(
      () => hub.corrupt('acme/tiny', 'config.json', false),
    );
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.message).toMatch(/git blob id/);
  });

  it('continues a .partial left by an earlier run', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    const dest = join(tmp, 'resume');
    await mkdir(dest, { recursive: true });
    await writeFile(join(dest, 'model-00002-of-00002.safetensors.partial'), shard2.subarray(0, 50_000));
    const before = hub.requests.length;
    await src().download(resolved, dest, dl({ allow: ['model-00002*'] }));
    expect((await readFile(join(dest, 'model-00002-of-00002.safetensors'))).equals(shard2)).toBe(true);
    expect(hub.requests.slice(before).map((r) => r.range)).toEqual(['bytes=50000-']);
    // A second run finds the verified final file and sends no request.
    const n = hub.requests.length;
    await src().download(resolved, dest, dl({ allow: ['model-00002*'] }));
    expect(hub.requests.length).toBe(n);
  });

  it('restarts from zero when the server ignores Range', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    const dest = join(tmp, 'norange');
    await mkdir(dest, { recursive: true });
    await writeFile(join(dest, 'model-00002-of-00002.safetensors.partial'), Buffer.alloc(50_000, 7));
    hub.ignoreRange(true);
    try {
      await src().download(resolved, dest, dl({ allow: ['model-00002*'] }));
    } finally {
      hub.ignoreRange(false);
    }
    expect((await readFile(join(dest, 'model-00002-of-00002.safetensors'))).equals(shard2)).toBe(true);
  });

  it('verifies a large multi-slab file while streaming, and catches corruption in it', async () => {
    const resolved = await src().resolve(item('acme/big'), ctx());
    // Cut mid-way: the resume keeps feeding the same worker digest, which must still match.
    hub.cutOnce('acme/big', 'big.safetensors', 10 << 20);
    const before = hub.requests.length;
    await src().download(resolved, join(tmp, 'big'), dl());
    expect(hub.requests.slice(before).filter((r) => r.range !== null)).toHaveLength(1);
    expect((await readFile(join(tmp, 'big/big.safetensors'))).equals(hugeWeights)).toBe(true);
    hub.corrupt('acme/big', 'big.safetensors');
    const err = await caught(src().download(resolved, join(tmp, 'big-bad'), dl()));
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(await listAll(join(tmp, 'big-bad'))).toEqual([]);
  });

  it('stops with FETCH_ABORTED when the signal fires', async () => {
    const resolved = await src().resolve(item('acme/tiny'), ctx());
    const ac = new AbortController();
    ac.abort();
    const err = await caught(src().download(resolved, join(tmp, 'abort'), dl({ signal: ac.signal })));
    expect(err.code).toBe('FETCH_ABORTED');
  });
});
