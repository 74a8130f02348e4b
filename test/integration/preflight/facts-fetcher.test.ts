/** The facts fetcher against the fake hub serving the real config files: reads, cache by resolved revision, access errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfigText } from '../../../orchestrator/preflight/model-facts.js';
import type { FetchItem } from '../../../orchestrator/plan/types.js';
import { createFactsFetcher } from '../../../orchestrator/storage/facts/facts-fetcher.js';
import type { FakeHub } from '../../fixtures/servers/fake-hub.js';
import { configText } from '../../unit/preflight/helpers.js';
import { PRIVATE_TOKEN, hubSources, startPreflightHub } from './hub-fixture.js';

let hub: FakeHub;
beforeAll(async () => {
  hub = await startPreflightHub();
});
afterAll(async () => {
  await hub.close();
});

const item = (repo: string, o: Partial<FetchItem> = {}): FetchItem => ({
  role: 'checkpoint',
  name: null,
  source: 'HF',
  repo,
  revision: null,
  repoType: 'model',
  secretName: 'hf_access_token',
  dest: '/workspace/checkpoint',
  ...o,
});
const configReads = (repo: string): number =>
  hub.requests.filter((r) => r.url.startsWith(`/${repo}/resolve/`) && r.url.endsWith('/config.json')).length;
const revisionReads = (repo: string): number =>
  hub.requests.filter((r) => r.url.startsWith(`/api/models/${repo}/revision/`)).length;

describe('facts fetcher', () => {
  it('reads the real config.json and the listed weight bytes, pinned to the resolved commit, without touching weights', async () => {
    const f = createFactsFetcher({ sources: hubSources(hub), secrets: {} });
    const r = await f.checkpoint(item('meta-llama/Llama-3.1-8B-Instruct'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const expected = parseModelConfigText(configText('meta-llama__Llama-3.1-8B-Instruct'));
    expect(expected.ok && r.value.model).toEqual(expected.ok ? expected.facts : null);
    expect(r.value).toMatchObject({
      source: 'HF',
      repo: 'meta-llama/Llama-3.1-8B-Instruct',
      resolvedRevision: hub.shaOf('meta-llama/Llama-3.1-8B-Instruct'),
      checkpointBytes: 16_060_522_496,
    });
    expect(hub.requests.some((q) => q.url.endsWith('model.safetensors'))).toBe(false);
  });

  it('caches by resolved revision: a branch is re-resolved after the TTL, the config is read once; a commit is never re-resolved', async () => {
    let now = 0;
    const f = createFactsFetcher({ sources: hubSources(hub), secrets: {}, now: () => now, resolveTtlMs: 1000 });
    const repo = 'Qwen/Qwen2.5-7B-Instruct';
    const before = { config: configReads(repo), rev: revisionReads(repo) };
    await f.checkpoint(item(repo));
    await f.checkpoint(item(repo));
    expect(configReads(repo) - before.config).toBe(1);
    expect(revisionReads(repo) - before.rev).toBe(1);
    now = 5000;
    const again = await f.checkpoint(item(repo));
    expect(again.ok).toBe(true);
    expect(revisionReads(repo) - before.rev).toBe(2);
    expect(configReads(repo) - before.config).toBe(1);
    expect(f.stats).toMatchObject({ resolves: 2, reads: 1, hits: 2 });
    const sha = hub.shaOf(repo);
    await f.checkpoint(item(repo, { revision: sha }));
    now = 1e9;
    await f.checkpoint(item(repo, { revision: sha }));
    expect(revisionReads(repo) - before.rev).toBe(3);
  });

  it('reads adapter_config.json of a LoRA adapter', async () => {
    const f = createFactsFetcher({ sources: hubSources(hub), secrets: {} });
    const r = await f.adapter(item('example-org/rank64-lora', { role: 'lora_adapter', name: 'big' }));
    expect(r).toEqual({
      ok: true,
      value: {
        name: 'big',
        rank: 64,
        targetModules: ['q_proj', 'v_proj'],
        baseModel: 'meta-llama/Llama-3.1-8B-Instruct',
        modulesToSave: [],
      },
    });
  });

  it('a gated repo is denied; a private one needs the token the build would use (secret or HF_TOKEN), never echoed', async () => {
    const f = createFactsFetcher({ sources: hubSources(hub), secrets: {} });
    const gated = await f.checkpoint(item('acme/gated-llama'));
    expect(gated).toMatchObject({ ok: false, problem: { kind: 'denied' } });
    expect(await f.checkpoint(item('acme/private-llama'))).toMatchObject({ ok: false, problem: { kind: 'denied' } });
    const withSecret = createFactsFetcher({ sources: hubSources(hub), secrets: { hf_access_token: PRIVATE_TOKEN } });
    const ok = await withSecret.checkpoint(item('acme/private-llama'));
    expect(ok.ok).toBe(true);
    expect(JSON.stringify(ok)).not.toContain(PRIVATE_TOKEN);
    expect(
      (
        await createFactsFetcher({ sources: hubSources(hub, PRIVATE_TOKEN), secrets: {} }).checkpoint(
          item('acme/private-llama'),
        )
      ).ok,
    ).toBe(true);
  });

  it('missing repos, revisions and config files are told apart; archives are not opened', async () => {
    const f = createFactsFetcher({ sources: hubSources(hub), secrets: {} });
    expect(await f.checkpoint(item('nobody/nothing'))).toMatchObject({ ok: false, problem: { kind: 'missing' } });
    expect(await f.checkpoint(item('meta-llama/Llama-3.1-8B', { revision: 'no-such-branch' }))).toMatchObject({
      ok: false,
      problem: { kind: 'missing' },
    });
    expect(await f.checkpoint(item('example-org/no-config'))).toEqual({
      ok: false,
      problem: { kind: 'invalid', message: 'there is no config.json at the checkpoint root' },
    });
    expect(await f.checkpoint(item('https://x.example/a.tar.gz', { source: 'REMOTE_URL' }))).toMatchObject({
      ok: false,
      problem: { kind: 'unsupported' },
    });
  });

  it('an unreachable hub is "unavailable" (not an error for the plan)', async () => {
    const down = await (await import('../../fixtures/servers/fake-hub.js')).startFakeHub([]);
    const url = down.url;
    await down.close();
    const f = createFactsFetcher({ sources: hubSources({ ...hub, url }), secrets: {}, timeoutMs: 5000 });
    expect(await f.checkpoint(item('meta-llama/Llama-3.1-8B'))).toMatchObject({
      ok: false,
      problem: { kind: 'unavailable' },
    });
  });
});
