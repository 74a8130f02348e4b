// Type-aware lint: the rules that catch real bugs in async orchestration code, plus the guards
// that keep the house in order (pure core imports nothing from the shell; no import cycles;
// switches over unions are exhaustive).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

/** The pure core: no I/O, no clock, no environment (DESIGN.md §2). */
export const CORE_FOLDERS = ['config', 'gpu', 'toolchain', 'plan', 'build', 'preflight', 'bundle'];
/** The shell: everything that talks to the world. */
export const SHELL_FOLDERS = [
  'storage',
  'exec',
  'queue',
  'records',
  'api',
  'cli',
  'main',
  'net',
  'client',
  'webhooks',
  'ui',
];
/** Why records/ may not import a job queue. */
export const RECORDS_MESSAGE = 'records/ (the build read model) may not use BullMQ or the queue';
/** Node built-ins that do I/O or spawn (node:crypto, node:util, node:path stay allowed: pure). */
const IO_BUILTINS = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'worker_threads',
  'cluster',
  'os',
  'process',
  'readline',
  'readline/promises',
  'inspector',
  'stream',
  'stream/promises',
  'timers',
  'timers/promises',
];
/** Packages that only the shell may use. */
const SHELL_PACKAGES = [
  'bullmq',
  'ioredis',
  'fastify',
  'fastify/**',
  '@fastify/**',
  'execa',
  '@aws-sdk/**',
  '@huggingface/hub',
  'pino',
  'tar',
  'proper-lockfile',
  'undici',
  '@bull-board/**',
];

/** no-restricted-imports options for a file in core folder `folder` (relative imports and names). */
export function coreImportRestrictions(folder) {
  const shellPaths = SHELL_FOLDERS.flatMap((shell) => [
    `../${shell}/**`,
    `../../${shell}/**`,
    `**/orchestrator/${shell}/**`,
  ]);
  return {
    paths: IO_BUILTINS.flatMap((name) => [
      { name, message: `the pure core (${folder}/) does no I/O; take the data as an argument instead` },
      { name: `node:${name}`, message: `the pure core (${folder}/) does no I/O; take the data as an argument instead` },
    ]),
    patterns: [
      {
        group: shellPaths,
        message: `the pure core (${folder}/) may not import from the shell (${SHELL_FOLDERS.join(', ')})`,
      },
      { group: SHELL_PACKAGES, message: `the pure core (${folder}/) may not use shell packages` },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'coverage/**', '.tmp/**', 'reports/**', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // No import cycles anywhere in the product code (type-only imports count too).
    files: ['orchestrator/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  ...CORE_FOLDERS.map((folder) => ({
    files: [`orchestrator/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', coreImportRestrictions(folder)] },
  })),
  {
    // The build records are a read model in Redis: they know nothing of BullMQ or the queue that writes them.
    files: ['orchestrator/records/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['bullmq', '../queue/**', '**/orchestrator/queue/**'], message: RECORDS_MESSAGE }],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'stryker.config.mjs', 'vitest.mutation.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The dashboard's browser modules (served as they are, no build step): plain JS, no types.
    files: ['orchestrator/ui/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'navigator',
          'sessionStorage',
          'fetch',
          'setTimeout',
          'clearTimeout',
          'queueMicrotask',
          'confirm',
          'alert',
          'console',
          'Event',
          'Node',
          'URLSearchParams',
          'AbortController',
          'TextDecoderStream',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
