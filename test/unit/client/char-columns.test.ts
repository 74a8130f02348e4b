/**
 * trt-plan's columns count characters (code points), as editors do: a line with astral characters
 * (emoji, 4 UTF-8 bytes, 2 UTF-16 units) before the bad value reports the editor's column. The
 * source map counts them so (config/yaml-source.ts); the API and trt-build agree
 * (test/integration/api/char-columns.test.ts).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../orchestrator/cli/trt-plan.js';

async function runPlan(stdinText: string): Promise<string> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (b: Buffer) => chunks.push(b));
  stdin.end(stdinText);
  await main(['--json', '-'], { stdin, stdout, stderr: new PassThrough() });
  return Buffer.concat(chunks).toString('utf8');
}

describe('columns in characters', () => {
  it('trt-plan reports the editor column on a line with multi-byte text', async () => {
    // The flow mapping puts an emoji-bearing key before the bad value on the same line.
    const yaml = 'trt_llm:\n  build: {"🚀🚀": 1, max_batch_size: -1}\n';
    const body = JSON.parse(await runPlan(yaml)) as { errors: { path: string; line: number; column: number }[] };
    const err = body.errors.find((e) => e.path.endsWith('max_batch_size'));
    expect(err?.line).toBe(2);
    const line = yaml.split('\n')[1] ?? '';
    expect(err?.column).toBe([...line.slice(0, line.indexOf('-1'))].length + 1);
    expect(err?.column).not.toBe(line.indexOf('-1') + 1);
  });
});
