// Diagnostic columns count characters (code points) at the source (config/yaml-source.ts), so the
// API's 422, trt-plan and trt-build (through the API client) report the same editor column for
// a line with astral characters (emoji: 2 UTF-16 units each) before the error.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../orchestrator/api/build-app.js';
import { main as trtBuild } from '../../../orchestrator/cli/trt-build.js';
import { main as trtPlan } from '../../../orchestrator/cli/trt-plan.js';
import { planConfigText } from '../../../orchestrator/plan/plan-config.js';
import { openTestQueue, type TestQueue } from '../../support/redis-queue.js';

const TOKEN = 'char-columns-token-0123456789';
let q: TestQueue;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  q = openTestQueue('charcol');
  app = buildApp({
    redis: q.redis,
    queue: q.queue,
    planConfig: (t) => planConfigText(t),
    publisher: { published: () => Promise.resolve(null) },
    tokens: [TOKEN],
    bodyLimit: 64 * 1024,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await q.close();
});

interface D {
  readonly path: string;
  readonly line: number;
  readonly column: number;
}

function io(stdinText: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  stdin.end(stdinText);
  return {
    io: { stdin, stdout, stderr, env: { TRT_API_URL: base, TRT_API_TOKEN: TOKEN } },
    out: () => Buffer.concat(out).toString('utf8'),
    err: () => Buffer.concat(err).toString('utf8'),
  };
}

const find = (errors: readonly D[], suffix: string): D | undefined => errors.find((e) => e.path.endsWith(suffix));

describe('diagnostic columns in characters, the same everywhere', () => {
  // Three emoji (6 UTF-16 units) and an accented letter (1 unit) before the bad value.
  const yaml = 'trt_llm:\n  build: {"🚀🚀": 1, "é🎉": 2, max_batch_size: -1}\n';
  const line = yaml.split('\n')[1] ?? '';
  const utf16 = line.indexOf('-1') + 1;
  const chars = [...line.slice(0, line.indexOf('-1'))].length + 1;

  it('the expected columns differ (the test would not notice a UTF-16 column otherwise)', () => {
    expect(utf16 - chars).toBe(3);
  });

  it('API /v1/plans, trt-plan --json and trt-build --json (via the client) agree on the character column', async () => {
    const r = await fetch(`${base}/v1/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(r.status).toBe(422);
    const api = find(((await r.json()) as { errors: D[] }).errors, 'max_batch_size');
    expect(api).toMatchObject({ line: 2, column: chars });

    const plan = io(yaml);
    await trtPlan(['--json', '-'], plan.io);
    const cli = find((JSON.parse(plan.out()) as { errors: D[] }).errors, 'max_batch_size');
    expect(cli).toMatchObject({ line: 2, column: chars });

    const build = io(yaml);
    expect(await trtBuild(['submit', '--json', '-'], build.io)).toBe(1);
    const client = find((JSON.parse(build.out()) as { errors: D[] }).errors, 'max_batch_size');
    expect(client).toMatchObject({ line: 2, column: chars });
  });

  it('trt-build text output names the character column too', async () => {
    const build = io(yaml);
    expect(await trtBuild(['submit', '-'], build.io)).toBe(1);
    expect(build.err()).toContain(`<stdin>:2:${chars}: error `);
  });
});
