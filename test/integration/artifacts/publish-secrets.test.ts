/**
 * A planted secret must not reach anything a publish writes (manifest, launch files, object keys)
 * nor the errors it throws. The S3 store runs with planted credentials (s3rver checks only the key id).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../../../orchestrator/storage/artifacts/s3-store.js';
import { publishBuild } from '../../../orchestrator/storage/publish/publish-build.js';
import { readManifest } from '../../../orchestrator/storage/publish/read-manifest.js';
import { startS3Server, type S3ServerHandle } from '../../fixtures/servers/s3-server.js';
import { NOW, PLAN_HASH, makeBuildDir, makeMeta } from './helpers.js';

const HF_TOKEN = 'hf_PlantedTokenAbcdefghijklmnopqrstuv';
const S3_SECRET = 'planted-s3-secret-key-0123456789abcdef';
const WORKER_SECRET = 'planted-worker-secret-zyxwvu';
const URL_PASSWORD = 'planted-url-password-42';
const PLANTED = [HF_TOKEN, S3_SECRET, WORKER_SECRET, URL_PASSWORD];

let s3: S3ServerHandle;
let base: string;
let store: S3ArtifactStore;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('secrets');
  base = await mkdtemp(join(tmpdir(), 'publish-secrets-'));
  store = new S3ArtifactStore('secrets', 'p/', {
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: S3_SECRET },
  });
});
afterAll(async () => {
  store.destroy();
  await s3.close();
  await rm(base, { recursive: true, force: true });
});

describe('secrets never reach published objects', () => {
  it('redacts planted secrets from the manifest and every stored object, keeping the rest of the config', async () => {
    const dir = join(base, 'build');
    await makeBuildDir(dir);
    const config = {
      model_name: 'tiny',
      secrets: { hf_access_token: HF_TOKEN, other_secret: null },
      environment_variables: { HF_TOKEN: HF_TOKEN, NOTE: `token is ${WORKER_SECRET}` },
      weights: [{ source: 'hf://acme/tiny@main', auth_secret_name: 'hf_access_token' }],
      trt_llm: {
        build: {
          max_num_tokens: 8192,
          checkpoint_repository: { repo: 'acme/tiny', source: 'HF', revision: 'main' },
          aws_secret_access_key: S3_SECRET,
        },
        runtime: { max_tokens: 512, endpoint: `https://user:${URL_PASSWORD}@example.com/v1` },
      },
    };
    const meta = {
      ...makeMeta(config),
      launch: { serve: { server: 'trtllm-serve', argv: ['trtllm-serve', '--api-key', WORKER_SECRET] } },
    };
    const result = await publishBuild({
      store,
      planHash: PLAN_HASH,
      sourceDir: dir,
      launchFiles: [{ path: 'env.txt', content: `HF_TOKEN=${HF_TOKEN}\n` }],
      meta,
      now: NOW,
      secretValues: [WORKER_SECRET],
    }).catch((e: unknown) => e);
    // A launch file that carries a secret is the caller's bug, but it must not be published either.
    expect(result).toMatchObject({ name: 'PublishError', code: 'SECRET_IN_LAUNCH_FILE', path: 'env.txt' });
    expect(JSON.stringify(result)).not.toContain(HF_TOKEN);
    expect(String(result)).not.toContain(HF_TOKEN);

    const ok = await publishBuild({
      store,
      planHash: PLAN_HASH,
      sourceDir: dir,
      launchFiles: [{ path: 'env.txt', content: 'HF_TOKEN is read from the secret store\n' }],
      meta,
      now: NOW,
      secretValues: [WORKER_SECRET],
    });
    expect(ok.status).toBe('published');

    let everything = '';
    for (const obj of await store.list('')) {
      everything += `${obj.key}\n${Buffer.from((await store.getBytes(obj.key)) ?? []).toString('latin1')}\n`;
    }
    for (const secret of PLANTED) expect(everything).not.toContain(secret);

    const manifest = await readManifest(store, PLAN_HASH);
    expect(manifest?.config).toEqual({
      model_name: 'tiny',
      secrets: { hf_access_token: '[REDACTED]', other_secret: null },
      environment_variables: { HF_TOKEN: '[REDACTED]', NOTE: 'token is [REDACTED]' },
      weights: [{ source: 'hf://acme/tiny@main', auth_secret_name: 'hf_access_token' }],
      trt_llm: {
        build: {
          max_num_tokens: 8192,
          checkpoint_repository: { repo: 'acme/tiny', source: 'HF', revision: 'main' },
          aws_secret_access_key: '[REDACTED]',
        },
        runtime: { max_tokens: 512, endpoint: 'https://user:[REDACTED]@example.com/v1' },
      },
    });
    expect(manifest?.launch).toEqual({
      serve: { server: 'trtllm-serve', argv: ['trtllm-serve', '--api-key', '[REDACTED]'] },
    });
  });
});
