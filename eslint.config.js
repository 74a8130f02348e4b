// Type-aware lint: the rules that catch real bugs in async orchestration code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'coverage/**', '.tmp/**', '**/*.tmp.ts'] },
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
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The dashboard's browser modules (served as they are, no build step): plain JS, no types.
    files: ['orchestrator/ui/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'location', 'navigator', 'sessionStorage', 'fetch', 'setTimeout', 'clearTimeout', 'queueMicrotask', 'confirm', 'alert', 'console', 'Event', 'Node', 'URLSearchParams', 'AbortController', 'TextDecoderStream'].map((g) => [g, 'readonly'])),
    },
  },
);
