import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import { CheckpointCache } from '../../../orchestrator/storage/cache/checkpoint-cache.js';
import { fetchPlanItems, hostPathFor } from '../../../orchestrator/storage/fetch-plan-items.js';
import type { FetchProgress } from '../../../orchestrator/storage/ports.js';
import { sourcesFromEnv } from '../../../orchestrator/storage/sources/sources-from-env.js';
import { startFakeHub, type FakeHub } from '../../fixtures/servers/fake-hub.js';
import { makeTar, startRemoteUrlServer, type RemoteUrlServer } from '../../fixtures/servers/remote-url-server.js';
import { caught } from './caught-source-error.js';

const TOKEN = 'hf_PLANTED_leak_canary_5c1f';
const weights = randomBytes(200_000);
let hub: FakeHub;
let urls: RemoteUrlServer;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'fetch-items-'));
  hub = await startFakeHub([
    {
      id: 'acme/llm',
      privateToken: TOKEN,
      files: [
        { path: 'config.json', data: Buffer.from('{}') },
        { path: 'model.safetensors', data: weights },
        { path: 'original/consolidated.00.pth', data: Buffer.from('duplicate weights') },
        { path: '.gitattributes', data: Buffer.from('*.safetensors filter=lfs') },
      ],
    },
    { type: 'dataset', id: 'acme/calib', files: [{ path: 'calib.jsonl', data: Buffer.from('{"text":"x"}\n') }] },
  ]);
  urls = await startRemoteUrlServer();
  urls.set('/lora.tar.gz', {
    data: gzipSync(
      makeTar([
        { name: 'adapter_config.json', data: '{"r":8}' },
        { name: 'adapter_model.safetensors', data: randomBytes(5000) },
      ]),
    ),
  });
});
afterAll(async () => {
  await hub.close();
  await urls.close();
  await rm(tmp, { recursive: true, force: true });
});

const items = (): FetchItem[] => [
  {
    role: 'checkpoint',
    name: null,
    source: 'HF',
    repo: 'acme/llm',
    revision: null,
    repoType: 'model',
    secretName: 'hf_access_token',
    dest: '/workspace/inputs/checkpoint',
  },
  {
    role: 'calibration_dataset',
    name: null,
    source: 'HF',
    repo: 'acme/calib',
    revision: null,
    repoType: 'dataset',
    secretName: null,
    dest: '/workspace/inputs/calibration',
  },
  {
    role: 'lora_adapter',
    name: 'sql',
    source: 'REMOTE_URL',
    repo: `${urls.url}/lora.tar.gz`,
    revision: null,
    repoType: 'model',
    secretName: null,
    dest: '/workspace/inputs/lora/sql',
  },
];
const sources = () =>
  sourcesFromEnv({ HF_ENDPOINT: hub.url, TRT_FETCH_MAX_ARCHIVE_BYTES: '1000000', OUTBOUND_ALLOW: '127.0.0.1' });
function ctx(workspaceDir: string, over: Partial<Parameters<typeof fetchPlanItems>[1]> = {}) {
  return {
    workspaceDir,
    workspaceMount: '/workspace',
    secrets: { hf_access_token: TOKEN },
    signal: new AbortController().signal,
    sources: sources(),
    ...over,
  };
}

describe('fetchPlanItems', () => {
  it('fetches checkpoint, calibration dataset and LoRA adapter into the workspace', async () => {
    const ws = join(tmp, 'ws1');
    const progress: FetchProgress[] = [];
    const fetched = await fetchPlanItems(items(), ctx(ws, { onProgress: (p) => progress.push(p) }));
    expect(fetched.map((f) => [f.item.role, f.fromCache])).toEqual([
      ['checkpoint', false],
      ['calibration_dataset', false],
      ['lora_adapter', false],
    ]);
    expect(fetched[0]?.resolved.resolvedRevision).toBe(hub.shaOf('acme/llm'));
    expect(fetched[0]?.resolved.files.map((f) => f.path)).toEqual(['config.json', 'model.safetensors']);
    expect((await readdir(join(ws, 'inputs/checkpoint'))).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(await readFile(join(ws, 'inputs/calibration/calib.jsonl'), 'utf8')).toBe('{"text":"x"}\n');
    expect(await readFile(join(ws, 'inputs/lora/sql/adapter_config.json'), 'utf8')).toBe('{"r":8}');
    const last = progress.filter((p) => p.item.role === 'checkpoint').at(-1);
    expect(last).toMatchObject({
      bytesDone: weights.length + 2,
      bytesTotal: weights.length + 2,
      filesDone: 2,
      filesTotal: 2,
    });
  });

  it('downloads once through the cache and hardlinks into the next workspace', async () => {
    const cache = new CheckpointCache({ dir: join(tmp, 'cache'), maxBytes: 10_000_000 });
    const first = await fetchPlanItems(items(), ctx(join(tmp, 'ws2'), { cache }));
    expect(first.map((f) => f.fromCache)).toEqual([false, false, false]);
    const before = hub.requests.filter((r) => r.url.includes('/resolve/')).length;
    const second = await fetchPlanItems(items(), ctx(join(tmp, 'ws3'), { cache }));
    expect(second.map((f) => f.fromCache)).toEqual([true, true, true]);
    expect(hub.requests.filter((r) => r.url.includes('/resolve/')).length).toBe(before);
    const [a, b] = await Promise.all([
      stat(join(tmp, 'ws2/inputs/checkpoint/model.safetensors')),
      stat(join(tmp, 'ws3/inputs/checkpoint/model.safetensors')),
    ]);
    expect(a.ino).toBe(b.ino);
    expect(second[0]?.resolved).toEqual(first[0]?.resolved);
  });

  it('refuses destinations outside the workspace mount', async () => {
    for (const dest of ['/etc/passwd', '/workspace/../etc', '/workspace', '/workspacex/a', '/workspace/a//b']) {
      expect(() => hostPathFor(dest, '/workspace', '/tmp/ws')).toThrow(
        expect.objectContaining({ code: 'DEST_OUTSIDE_WORKSPACE' }) as Error,
      );
    }
    expect(hostPathFor('/workspace/inputs/checkpoint/', '/workspace', '/tmp/ws')).toBe('/tmp/ws/inputs/checkpoint');
    const bad = { ...(items()[0] as FetchItem), dest: '/workspace/../../root' };
    expect((await caught(fetchPlanItems([bad], ctx(join(tmp, 'ws4'))))).code).toBe('DEST_OUTSIDE_WORKSPACE');
  });

  it('gives a typed SOURCE_UNSUPPORTED for BASETEN_TRAINING', async () => {
    const it1: FetchItem = {
      role: 'checkpoint',
      name: null,
      source: 'BASETEN_TRAINING',
      repo: 'job-123',
      revision: 'run-1',
      repoType: 'model',
      secretName: null,
      dest: '/workspace/inputs/checkpoint',
    };
    const err = await caught(fetchPlanItems([it1], ctx(join(tmp, 'ws5'))));
    expect(err).toMatchObject({ code: 'SOURCE_UNSUPPORTED', retryable: false });
  });

  it('stops with FETCH_ABORTED when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await caught(fetchPlanItems(items(), ctx(join(tmp, 'ws6'), { signal: ac.signal })))).code).toBe(
      'FETCH_ABORTED',
    );
  });

  it('never lets the planted token reach errors, results, progress or the cache', async () => {
    const seen: unknown[] = [];
    const cache = new CheckpointCache({ dir: join(tmp, 'leak-cache'), maxBytes: 10_000_000 });
    const ok = await fetchPlanItems(items(), ctx(join(tmp, 'ws7'), { cache, onProgress: (p) => seen.push(p) }));
    seen.push(ok);
    // A wrong token that embeds the canary, a token-bearing URL, and an unreachable host.
    const wrong = await caught(
      fetchPlanItems(items(), ctx(join(tmp, 'ws8'), { secrets: { hf_access_token: `${TOKEN}_x` } })),
    );
    expect(wrong.code).toBe('HF_REPO_UNAUTHORIZED');
    const urlItem: FetchItem = { ...(items()[2] as FetchItem), repo: `${urls.url}/missing.tar.gz?token=${TOKEN}` };
    const viaUrl = await caught(fetchPlanItems([urlItem], ctx(join(tmp, 'ws9'))));
    const down = await caught(
      fetchPlanItems(
        items(),
        ctx(join(tmp, 'ws10'), { sources: sourcesFromEnv({ HF_ENDPOINT: 'http://127.0.0.1:9' }) }),
      ),
    );
    expect(down).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    for (const e of [wrong, viaUrl, down]) seen.push({ failure: e.toFailure(), stack: e.stack });
    const cacheFiles = await readdir(join(tmp, 'leak-cache'), { recursive: true });
    for (const f of cacheFiles.filter((n) => n.endsWith('entry.json')))
      seen.push(await readFile(join(tmp, 'leak-cache', f), 'utf8'));
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
    expect(JSON.stringify(seen)).not.toContain('PLANTED');
  });
});
