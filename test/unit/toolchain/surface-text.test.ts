/**
 * The CLI surface is compiled into code (`fixture/cli-surface-text.ts`) so no image needs the JSON
 * next to the compiled modules; the compiled text must equal the JSON fixture byte for byte.
 * Regenerate after changing the fixture: UPDATE_SURFACE_TEXT=1 npx vitest run test/unit/toolchain/surface-text.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_SURFACE_TEXT } from '../../../orchestrator/toolchain/fixture/cli-surface-text.js';
import { FIXTURE_URL } from '../../../orchestrator/toolchain/surface.js';

const GENERATED = fileURLToPath(
  new URL('../../../orchestrator/toolchain/fixture/cli-surface-text.ts', import.meta.url),
);
const SURFACE_SOURCE = fileURLToPath(new URL('../../../orchestrator/toolchain/surface.ts', import.meta.url));

describe('compiled CLI surface', () => {
  it('equals the JSON fixture', () => {
    const json = readFileSync(FIXTURE_URL, 'utf8');
    if (process.env['UPDATE_SURFACE_TEXT'] === '1' && json !== CLI_SURFACE_TEXT) {
      const head = readFileSync(GENERATED, 'utf8').split('export const')[0] ?? '';
      writeFileSync(GENERATED, `${head}export const CLI_SURFACE_TEXT: string = ${JSON.stringify(json)};\n`);
      return;
    }
    expect(CLI_SURFACE_TEXT === json).toBe(true);
  });

  it('surface.ts reads no file at run time', () => {
    const source = readFileSync(SURFACE_SOURCE, 'utf8');
    expect(source).not.toMatch(/node:fs|readFileSync/);
  });
});
