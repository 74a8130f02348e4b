// Guard (issue 10 item 8): the lint config keeps the pure core free of the shell. The rules are
// read from eslint.config.js as eslint resolves them for a file in each folder, then run on samples.
import { ESLint, Linter } from 'eslint';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const CWD = fileURLToPath(new URL('../../..', import.meta.url));
const CORE = ['config', 'config/rules', 'gpu', 'toolchain', 'plan', 'build', 'preflight', 'bundle'];
const SHELL = ['storage', 'exec', 'queue', 'api', 'cli', 'main'];
const RECORDS = 'records';

type RuleEntry = Linter.RuleEntry;
const rulesFor = new Map<string, Record<string, RuleEntry | undefined>>();

beforeAll(async () => {
  const eslint = new ESLint({ cwd: CWD });
  for (const folder of [...CORE, ...SHELL, RECORDS]) {
    const config = (await eslint.calculateConfigForFile(`orchestrator/${folder}/sample.ts`)) as Linter.Config;
    rulesFor.set(folder, (config.rules ?? {}) as Record<string, RuleEntry | undefined>);
  }
}, 60_000);

/** The no-restricted-imports findings (line → message) eslint's config gives `code` in `folder`. */
function restrictedImports(folder: string, code: string): Array<{ line: number; message: string }> {
  const entry = rulesFor.get(folder)?.['no-restricted-imports'];
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-imports': entry ?? 'off' },
      },
    ],
    { filename: 'sample.ts' },
  );
  return messages.map((m) => ({ line: m.line, message: m.message }));
}

describe('import boundaries of the pure core', () => {
  const forbidden = [
    "import { Queue } from '../queue/build-queue.js';",
    "import type { FailureClass } from '../exec/types.js';",
    "import { x } from '../../storage/sources/hf.js';",
    "import { x } from '../api/build-app.js';",
    "import { x } from '../cli/trt-plan.js';",
    "import { x } from '../main/trt-worker.js';",
    "import { x } from '../net/x.js';",
    "import { x } from '../client/x.js';",
    "import { x } from '../webhooks/x.js';",
    "import { x } from '../ui/x.js';",
    "import { readFileSync } from 'node:fs';",
    "import { readFile } from 'fs/promises';",
    "import { spawn } from 'node:child_process';",
    "import http from 'node:http';",
    "import https from 'https';",
    "import net from 'node:net';",
    "import os from 'node:os';",
    "import { Queue } from 'bullmq';",
    "import Redis from 'ioredis';",
    "import { execa } from 'execa';",
    "import Fastify from 'fastify';",
    "import { S3Client } from '@aws-sdk/client-s3';",
  ];
  const allowed = [
    "import { createHash } from 'node:crypto';",
    "import { isDeepStrictEqual } from 'node:util';",
    "import { gpuInfo } from '../gpu/catalog.js';",
    "import { planHash } from '../plan/plan-hash.js';",
    "import { x } from './local.js';",
    "import { z } from 'zod';",
    "import { parseDocument } from 'yaml';",
  ];

  for (const folder of CORE) {
    it(`${folder}/: every shell folder, I/O built-in and shell package is refused, line by line`, () => {
      const found = restrictedImports(folder, forbidden.join('\n'));
      expect(found.map((f) => f.line)).toEqual(forbidden.map((_, i) => i + 1));
      expect(found[0]?.message).toContain(`the pure core (${folder.split('/')[0]}/) may not import from the shell`);
      expect(found[10]?.message).toContain('does no I/O');
    });
    it(`${folder}/: pure built-ins, other core folders and libraries stay allowed`, () => {
      expect(restrictedImports(folder, allowed.join('\n'))).toEqual([]);
    });
  }

  for (const folder of SHELL) {
    it(`${folder}/ (shell) may import anything`, () => {
      expect(restrictedImports(folder, forbidden.join('\n'))).toEqual([]);
    });
  }
});

describe('the build records (records/) are a read model', () => {
  it('refuses BullMQ and the queue, line by line, and allows Redis and the rest', () => {
    const code = [
      "import { Queue } from 'bullmq';",
      "import { x } from '../queue/build-queue.js';",
      "import { Redis } from 'ioredis';",
      "import { x } from '../build/state-machine.js';",
    ];
    const found = restrictedImports(RECORDS, code.join('\n'));
    expect(found).toEqual([
      { line: 1, message: expect.stringContaining('may not use BullMQ or the queue') as string },
      { line: 2, message: expect.stringContaining('may not use BullMQ or the queue') as string },
    ]);
  });
});

describe('the other guards are on for the product code', () => {
  it('switch-exhaustiveness-check, where a default: does not make a switch over a union exhaustive', () => {
    for (const folder of [...CORE, ...SHELL]) {
      expect(rulesFor.get(folder)?.['@typescript-eslint/switch-exhaustiveness-check']).toEqual([
        2,
        expect.objectContaining({ considerDefaultExhaustiveForUnions: false }),
      ]);
    }
  });
  it('import-x/no-cycle (value imports; test/unit/lint/import-cycles.test.ts covers type imports and folders)', () => {
    for (const folder of [...CORE, ...SHELL]) {
      expect(rulesFor.get(folder)?.['import-x/no-cycle']).toEqual([
        2,
        expect.objectContaining({ ignoreExternal: true }),
      ]);
    }
  });
});
