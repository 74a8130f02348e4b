/**
 * No import cycles in the pure toolchain/ and plan/ layers: toolchain/ never imports plan/ (the
 * planner imports the toolchain), and no two toolchain modules import each other (type imports
 * included: a cycle of types is still a cycle for readers and for the lint guard).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ORCH = fileURLToPath(new URL('../../../orchestrator/', import.meta.url));

function modules(dir: string): string[] {
  return readdirSync(join(ORCH, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a module, as paths under orchestrator/ (`.js` → `.ts`). */
function importsOf(module: string): string[] {
  const text = readFileSync(join(ORCH, module), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map((m) =>
    resolve('/', dirname(module), (m[1] ?? '').replace(/\.js$/, '.ts')).slice(1),
  );
}

/** Every cycle (as a module list) in the import graph of `roots`. */
function cycles(roots: string[]): string[][] {
  return findCycles(new Map(roots.map((m) => [m, importsOf(m).filter((i) => roots.includes(i))])));
}

/** Every cycle of a graph (node → nodes it imports). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const visit = (m: string, stack: string[]): void => {
    const at = stack.indexOf(m);
    if (at >= 0) {
      found.push(stack.slice(at));
      return;
    }
    if (stack.length > 40) return;
    for (const next of graph.get(m) ?? []) visit(next, [...stack, m]);
  };
  for (const m of graph.keys()) visit(m, []);
  return found;
}

describe('import cycles', () => {
  it('toolchain/ imports nothing from plan/', () => {
    const bad = modules('toolchain').flatMap((m) =>
      importsOf(m)
        .filter((i) => i.startsWith('plan/'))
        .map((i) => `${m} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('no cycle among toolchain/, plan/ and bundle/ modules', () => {
    expect(cycles([...modules('toolchain'), ...modules('plan'), ...modules('bundle')])).toEqual([]);
  });

  it('the cycle finder finds a two-module cycle and reads type imports as edges', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', ['a']],
          ['c', ['a']],
        ]),
      ),
    ).toContainEqual(['a', 'b']);
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
    expect(importsOf('toolchain/surface-supplement.ts')).toEqual(['toolchain/surface-types.ts']);
  });
});
