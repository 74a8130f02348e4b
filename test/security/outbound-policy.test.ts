// Issue 9 items 3–4: a submitter-chosen REMOTE_URL cannot reach loopback, private or metadata
// addresses (directly, through a name, or through a redirect), and the operator's HF token never
// goes to a REMOTE_URL host. Each case failed on the code before the outbound policy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OUTBOUND_POLICY,
  outboundPolicy,
  parseAllowList,
  refusedRange,
} from '../../orchestrator/net/address-policy.js';
import { AddressRefusedError } from '../../orchestrator/net/safe-lookup.js';
import type { FetchItem } from '../../orchestrator/plan/types.js';
import { fetchPlanItems } from '../../orchestrator/storage/fetch-plan-items.js';
import { sourcesFromEnv } from '../../orchestrator/storage/sources/sources-from-env.js';
import { directGet } from '../../orchestrator/storage/util/direct-get.js';
import { startRemoteUrlServer, type RemoteUrlServer } from '../fixtures/servers/remote-url-server.js';
import { caught } from '../integration/sources/caught-source-error.js';

const HF_TOKEN = 'hf_OPERATOR_token_must_stay_home_0123456789';
let internal: RemoteUrlServer;
let front: RemoteUrlServer;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sec-outbound-'));
  internal = await startRemoteUrlServer();
  internal.set('/metrics', { data: Buffer.from('trt_builds{status="running"} 1\n') });
  internal.set('/model.bin', { data: Buffer.from('weights') });
  front = await startRemoteUrlServer();
  // The "public" server redirects into the internal one (by IP literal).
  front.set('/redirect.bin', { data: Buffer.alloc(0), redirectTo: `${internal.url}/metrics` });
});
afterAll(async () => {
  await internal.close();
  await front.close();
  await rm(tmp, { recursive: true, force: true });
});

const item = (repo: string, over: Partial<FetchItem> = {}): FetchItem => ({
  role: 'checkpoint',
  name: null,
  source: 'REMOTE_URL',
  repo,
  revision: null,
  repoType: 'model',
  secretName: null,
  dest: '/workspace/inputs/checkpoint',
  ...over,
});
let n = 0;
const ctx = (env: Record<string, string>, secrets: Record<string, string> = {}) => ({
  workspaceDir: join(tmp, `ws${n++}`),
  workspaceMount: '/workspace',
  secrets,
  signal: new AbortController().signal,
  sources: sourcesFromEnv(env),
});
const localhostUrl = (s: RemoteUrlServer, path: string): string => `${s.url.replace('127.0.0.1', 'localhost')}${path}`;

describe('outbound address policy (default: global unicast only)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['fe80::1', 'linkLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(DEFAULT_OUTBOUND_POLICY, address)).toBe(range);
  });

  it('allows global unicast, and what the operator allow-lists', () => {
    expect(refusedRange(DEFAULT_OUTBOUND_POLICY, '8.8.8.8')).toBeNull();
    expect(refusedRange(DEFAULT_OUTBOUND_POLICY, '2606:4700:4700::1111')).toBeNull();
    const p = outboundPolicy(['10.20.0.0/16', 'fd12::/64', '127.0.0.1']);
    expect(refusedRange(p, '10.20.3.4')).toBeNull();
    expect(refusedRange(p, '10.21.3.4')).toBe('private');
    expect(refusedRange(p, 'fd12::5')).toBeNull();
    expect(refusedRange(p, '127.0.0.2')).toBe('loopback');
    expect(parseAllowList(['10.0.0.0/99', 'not a host!'])).toEqual({
      ok: false,
      errors: [expect.stringContaining('10.0.0.0/99'), expect.stringContaining('not a host!')],
    });
  });

  it('refuses a REMOTE_URL on loopback (the API /metrics case) before any request is sent', async () => {
    const before = internal.requests.length;
    const err = await caught(fetchPlanItems([item(`${internal.url}/metrics`)], ctx({})));
    expect(err).toMatchObject({ code: 'ADDRESS_REFUSED', retryable: false });
    expect(err.message).toMatch(/loopback/);
    expect(internal.requests.length).toBe(before);
  });

  it('refuses a host NAME that resolves to loopback (checked on the resolved address)', async () => {
    const before = internal.requests.length;
    const err = await caught(fetchPlanItems([item(localhostUrl(internal, '/metrics'))], ctx({})));
    expect(err.code).toBe('ADDRESS_REFUSED');
    expect(internal.requests.length).toBe(before);
  });

  it('refuses the metadata address without connecting', async () => {
    const err = await caught(
      fetchPlanItems([item('http://169.254.169.254/latest/meta-data/iam/security-credentials/')], ctx({})),
    );
    expect(err).toMatchObject({ code: 'ADDRESS_REFUSED' });
    expect(err.message).toMatch(/linkLocal/);
  });

  it('checks every redirect hop: an allowed host redirecting into a refused address is refused', async () => {
    // Only the name "localhost" is allowed; the redirect names 127.0.0.1 itself.
    const before = internal.requests.length;
    const err = await caught(
      fetchPlanItems([item(localhostUrl(front, '/redirect.bin'))], ctx({ OUTBOUND_ALLOW: 'localhost' })),
    );
    expect(err.code).toBe('ADDRESS_REFUSED');
    expect(internal.requests.length).toBe(before);
    // The download client (direct socket reads) applies the same rule per hop.
    await expect(
      directGet(localhostUrl(front, '/redirect.bin'), {}, new AbortController().signal, {
        policy: outboundPolicy(['localhost']),
      }),
    ).rejects.toBeInstanceOf(AddressRefusedError);
    expect(internal.requests.length).toBe(before);
  });

  it('fetches from an internal mirror the operator allow-listed', async () => {
    const [got] = await fetchPlanItems([item(`${internal.url}/model.bin`)], ctx({ OUTBOUND_ALLOW: '127.0.0.0/8' }));
    expect(got?.resolved.files.map((f) => f.path)).toEqual(['model.bin']);
  });
});

describe('secrets go only to their own origins', () => {
  it('never sends the HF token to a REMOTE_URL host (runtime_secret_name: hf_access_token)', async () => {
    const before = internal.requests.length;
    const err = await caught(
      fetchPlanItems(
        [item(`${internal.url}/model.bin`, { secretName: 'hf_access_token' })],
        ctx({ OUTBOUND_ALLOW: '127.0.0.1' }, { hf_access_token: HF_TOKEN }),
      ),
    );
    expect(err).toMatchObject({ code: 'SOURCE_SECRET_NOT_ALLOWED', retryable: false });
    expect(err.message).toContain('REMOTE_URL_SECRET_NAMES');
    expect(err.message).not.toContain(HF_TOKEN);
    expect(internal.requests.slice(before)).toEqual([]);
  });

  it('sends a secret the operator listed in REMOTE_URL_SECRET_NAMES, as a bearer token', async () => {
    const before = internal.requests.length;
    await fetchPlanItems(
      [item(`${internal.url}/model.bin`, { secretName: 'url_token' })],
      ctx({ OUTBOUND_ALLOW: '127.0.0.1', REMOTE_URL_SECRET_NAMES: 'url_token' }, { url_token: 'mirror-token-123456' }),
    );
    const seen = internal.requests.slice(before).map((r) => r.authorization);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['Bearer mirror-token-123456']));
  });
});
