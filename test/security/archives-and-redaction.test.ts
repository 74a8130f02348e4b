// Issue 9 items 5, 6, 9 and 11: symlink chains cannot write outside the extraction directory, a
// single-top-level-directory tarball lands in the layout the converter expects, URL credentials
// never show (validation, worker errors, published config), and revisions are path-safe.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfigText } from '../../orchestrator/config/index.js';
import type { FetchItem } from '../../orchestrator/plan/types.js';
import { fetchPlanItems } from '../../orchestrator/storage/fetch-plan-items.js';
import { redactConfig } from '../../orchestrator/storage/publish/redact-config.js';
import { sourcesFromEnv } from '../../orchestrator/storage/sources/sources-from-env.js';
import { extractTar } from '../../orchestrator/storage/util/tar-extract.js';
import { makeTar, startRemoteUrlServer, type RemoteUrlServer } from '../fixtures/servers/remote-url-server.js';
import { caught } from '../integration/sources/caught-source-error.js';

let tmp: string;
let srv: RemoteUrlServer;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sec-archive-'));
  srv = await startRemoteUrlServer();
});
afterAll(async () => {
  await srv.close();
  await rm(tmp, { recursive: true, force: true });
});

const item = (repo: string): FetchItem => ({
  role: 'checkpoint',
  name: null,
  source: 'REMOTE_URL',
  repo,
  revision: null,
  repoType: 'model',
  secretName: null,
  dest: '/workspace/inputs/checkpoint',
});
const ctx = (ws: string) => ({
  workspaceDir: join(tmp, ws),
  workspaceMount: '/workspace',
  secrets: {},
  signal: new AbortController().signal,
  sources: sourcesFromEnv({ OUTBOUND_ALLOW: '127.0.0.1' }),
});

describe('archives', () => {
  it('refuses a symlink chain (a/b → .., a/b/c → .., c/file) and writes nothing outside', async () => {
    const outer = join(tmp, 'chain');
    const dest = join(outer, 'dest');
    await mkdir(outer, { recursive: true });
    const tar = makeTar([
      { name: 'a/', type: '5' },
      { name: 'a/b', type: '2', linkname: '..' },
      { name: 'a/b/c', type: '2', linkname: '..' },
      { name: 'c/file', data: 'escaped' },
    ]);
    await expect(extractTar(Readable.from([tar]), dest, { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'ARCHIVE_LINK_ESCAPE',
    });
    expect(existsSync(join(outer, 'file'))).toBe(false);
    expect(existsSync(join(outer, 'c'))).toBe(false);
  });

  it('refuses a hardlink whose source goes through a symlink', async () => {
    const dest = join(tmp, 'hard', 'dest');
    const tar = makeTar([
      { name: 'd/f', data: 'x' },
      { name: 'd', type: '2', linkname: '.' },
      { name: 'g', type: '1', linkname: 'd/f' },
    ]);
    await expect(extractTar(Readable.from([tar]), dest, { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'ARCHIVE_LINK_ESCAPE',
    });
  });

  it('unwraps a tarball with a single top-level directory into the checkpoint layout', async () => {
    srv.set('/wrapped.tar.gz', {
      data: gzipSync(
        makeTar([
          { name: 'model/', type: '5' },
          { name: 'model/config.json', data: '{"architectures":["LlamaForCausalLM"]}' },
          { name: 'model/model.safetensors', data: 'w'.repeat(100) },
        ]),
      ),
    });
    const [got] = await fetchPlanItems([item(`${srv.url}/wrapped.tar.gz`)], ctx('wrapped'));
    expect(got?.resolved.files.map((f) => f.path).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(await readFile(join(tmp, 'wrapped', 'inputs', 'checkpoint', 'config.json'), 'utf8')).toContain(
      'LlamaForCausalLM',
    );
  });
});

describe('URL credentials never show', () => {
  const remote = (repo: string, extra = ''): string =>
    `resources:\n  accelerator: A100\ntrt_llm:\n  build:\n    base_model: decoder\n    checkpoint_repository:\n      source: REMOTE_URL\n      repo: ${repo}\n${extra}`;

  it('a user:password@ REMOTE_URL is a validation error that does not quote the password', () => {
    const r = validateConfigText(remote('https://alice:Pa55w0rd-LEAK@models.example.com/m.tar.gz'));
    expect(r.errors.map((e) => e.code)).toContain('REMOTE_URL_HAS_CREDENTIALS');
    expect(JSON.stringify(r)).not.toContain('Pa55w0rd-LEAK');
  });

  it('the worker refuses user:password@ too, without the password in the error', async () => {
    const err = await caught(
      fetchPlanItems([item(`${srv.url.replace('http://', 'http://alice:Pa55w0rd-LEAK@')}/m.tar.gz`)], ctx('userinfo')),
    );
    expect(err.code).toBe('SOURCE_REPO_INVALID');
    expect(JSON.stringify(err.toFailure())).not.toContain('Pa55w0rd-LEAK');
  });

  it('fetch errors and the published config never carry presigned query values', async () => {
    const sig = 'X-Amz-Signature=deadbeefSIGNATURE';
    const err = await caught(fetchPlanItems([item(`${srv.url}/missing.tar.gz?${sig}`)], ctx('presigned')));
    expect(JSON.stringify(err.toFailure())).not.toContain('deadbeefSIGNATURE');
    const published = JSON.stringify(
      redactConfig({
        trt_llm: {
          build: {
            checkpoint_repository: {
              source: 'REMOTE_URL',
              repo: `https://bucket.s3.amazonaws.com/m.tar.gz?${sig}&X-Amz-Credential=AKIAEXAMPLE`,
            },
          },
        },
      }),
    );
    expect(published).not.toContain('deadbeefSIGNATURE');
    expect(published).toContain('X-Amz-Signature=REDACTED');
  });
});

describe('path-like fields', () => {
  const hf = (revision: string): string =>
    `resources:\n  accelerator: A100\ntrt_llm:\n  build:\n    base_model: decoder\n    checkpoint_repository:\n      source: HF\n      repo: meta-llama/Llama-3.1-8B-Instruct\n      revision: ${JSON.stringify(revision)}\n`;

  it.each(['../../etc', 'main/../x', 'a..b', 'ma\u0000in', 'main branch', '-rf', '/abs'])(
    'refuses HF revision %j',
    (rev) => {
      expect(validateConfigText(hf(rev)).errors.map((e) => e.code)).toContain('CHECKPOINT_REVISION_INVALID');
    },
  );

  it('accepts branches, tags and commit shas', () => {
    for (const rev of ['main', 'v1.2.0', 'refs/pr/12', 'a'.repeat(40)])
      expect(validateConfigText(hf(rev)).errors.map((e) => e.code)).not.toContain('CHECKPOINT_REVISION_INVALID');
  });

  it('gs:// and az:// validate because the worker fetches them; gcs:// does not', () => {
    const repo = (source: string, r: string): string =>
      `resources:\n  accelerator: A100\ntrt_llm:\n  build:\n    base_model: decoder\n    checkpoint_repository:\n      source: ${source}\n      repo: ${r}\n`;
    const codes = (t: string): string[] => validateConfigText(t).errors.map((e) => e.code);
    expect(codes(repo('GCS', 'gs://bucket/m'))).not.toContain('GCS_URI_INVALID');
    expect(codes(repo('GCS', 'gcs://bucket/m'))).toContain('GCS_URI_INVALID');
    expect(codes(repo('AZURE', 'az://acct/models/m'))).not.toContain('AZURE_URL_INVALID');
  });
});
