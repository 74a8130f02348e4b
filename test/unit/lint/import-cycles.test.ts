// Guard (issue 10 item 8): no import cycles in orchestrator/, between files or between top-level
// folders, counting `import type` too (eslint's import-x/no-cycle, also on in eslint.config.js,
// skips type-only imports, and every cycle this tree has had was type-only).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, importGraph } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../../orchestrator', import.meta.url));

describe('the cycle finder', () => {
  const sample = {
    'plan/a.ts': "import { b } from './b.js';\nexport const a = b;",
    'plan/b.ts': "import type { A } from './a.js';\nexport const b = 1;",
    'plan/c.ts': "import { a } from './a.js';\nimport { l } from '../toolchain/l.js';",
    'toolchain/l.ts': "import type { P } from '../plan/types.js';\nexport const l = 1;",
    'plan/types.ts': 'export type P = 1;',
    'gpu/g.ts': "import { l } from '../toolchain/l.js';\nimport x from 'yaml';\nconst y = await import('./h.js');",
    'gpu/h.ts': 'export const h = 1;',
  };
  const graph = importGraph('/', sample);

  it('reads value, type and dynamic imports, resolving .js to the .ts source and skipping packages', () => {
    expect(graph.get('plan/b.ts')).toEqual(['plan/a.ts']);
    expect(graph.get('gpu/g.ts')).toEqual(['gpu/h.ts', 'toolchain/l.ts']);
    expect(graph.get('plan/types.ts')).toEqual([]);
  });

  it('finds a file cycle through a type-only import, and a folder cycle, and nothing else', () => {
    expect(cycles(graph)).toEqual([['plan/a.ts', 'plan/b.ts']]);
    expect(cycles(folderGraph(graph))).toEqual([['plan', 'toolchain']]);
  });

  it('finds nothing in an acyclic graph and a self-import as a cycle', () => {
    expect(cycles(importGraph('/', { 'a.ts': "import './b.js';", 'b.ts': '' }))).toEqual([]);
    expect(cycles(importGraph('/', { 'a.ts': "import './a.js';" }))).toEqual([['a.ts']]);
  });
});

/** Cycles allowed in orchestrator/: none. A new one fails the tests below. */
const KNOWN_FILE_CYCLES: string[][] = [];
const KNOWN_FOLDER_CYCLES: string[][] = [];

describe('orchestrator/', () => {
  const graph = importGraph(ROOT);

  it('reads the real tree', () => {
    expect(graph.get('plan/make-plan.ts')).toContain('plan/plan-hash.ts');
  });

  it('has no import cycle between files (beyond the listed ones)', () => {
    expect(cycles(graph)).toEqual(KNOWN_FILE_CYCLES);
  });

  it('has no import cycle between top-level folders (beyond the listed ones)', () => {
    expect(cycles(folderGraph(graph))).toEqual(KNOWN_FOLDER_CYCLES);
  });

  it('the pure core is in no cycle at all', () => {
    const core = new Set(['config', 'gpu', 'toolchain', 'plan', 'build', 'preflight', 'bundle']);
    expect(
      cycles(folderGraph(graph))
        .flat()
        .filter((f) => core.has(f)),
    ).toEqual([]);
    expect(
      cycles(graph)
        .flat()
        .filter((f) => core.has(f.split('/')[0] ?? '')),
    ).toEqual([]);
  });
});
