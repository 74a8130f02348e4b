/**
 * The import graph of orchestrator/ (value and type imports alike), read with TypeScript's own
 * pre-processor, and its cycles: between files and between top-level folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

/** Every .ts file under `root` (relative, '/'-separated). */
export function listTsFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(root, full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      out.push(relative(root, full).split('\\').join('/'));
  }
  return out.sort();
}

/** File → the files it imports (relative specifiers only; `.js` resolves to the `.ts` source). */
export function importGraph(root: string, files: Record<string, string> | null = null): ImportGraph {
  const names = files ? Object.keys(files).sort() : listTsFiles(root);
  const known = new Set(names);
  const graph: ImportGraph = new Map();
  for (const name of names) {
    const text = files ? (files[name] ?? '') : readFileSync(join(root, name), 'utf8');
    const targets = new Set<string>();
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const abs = resolve('/', dirname(name), ref.fileName.replace(/\.js$/, '.ts'));
      const target = abs.slice(1);
      if (known.has(target)) targets.add(target);
    }
    graph.set(name, [...targets].sort());
  }
  return graph;
}

/** The graph between top-level folders (a file at the root is its own node). */
export function folderGraph(graph: ImportGraph): ImportGraph {
  const folder = (file: string): string => file.split('/')[0] ?? file;
  const out = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const set = out.get(folder(from)) ?? new Set<string>();
    for (const to of targets) if (folder(to) !== folder(from)) set.add(folder(to));
    out.set(folder(from), set);
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}

/** Strongly connected components with more than one node (Tarjan), each sorted, listed sorted. */
export function cycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
