// Benchmark: validator throughput on the corpus (one process) and trt-plan start-to-exit wall time
// (fresh processes). Run: npx tsx bench/validate.ts   (builds dist/ first when it is missing)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { validateConfigText } from '../orchestrator/config/index.js';
import { CORPUS_DIR } from '../test/support/shared-paths.js';

const ROOT = join(import.meta.dirname, '..');
const CORPUS = CORPUS_DIR;
const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (timings are wall clock; a busy machine inflates them)`,
);

// 1. Corpus throughput: the first pass includes JIT warm-up, so report it and the median of later passes.
const texts = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(join(CORPUS, f), 'utf8'));
const passes: number[] = [];
for (let i = 0; i < 5; i += 1) {
  const t0 = performance.now();
  for (const t of texts) validateConfigText(t);
  passes.push(performance.now() - t0);
}
const first = passes[0] ?? 0;
const warm = median(passes.slice(1));
console.log(
  `corpus: ${texts.length} files; first pass ${first.toFixed(0)} ms (${((texts.length / first) * 1000).toFixed(0)} files/s), warm median ${warm.toFixed(0)} ms (${((texts.length / warm) * 1000).toFixed(0)} files/s)`,
);

// 2. CLI wall time as a fresh process on one recipe (or the CLI test fixture when no recipe exists).
if (!existsSync(join(ROOT, 'dist', 'cli', 'trt-plan.js'))) {
  console.log('dist/ missing: running npm run build');
  spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
const recipesDir = join(ROOT, 'recipes');
const preferred = 'llama-3.1-8b-fp8-h100.yaml';
const recipes = existsSync(recipesDir)
  ? readdirSync(recipesDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
  : [];
const target = recipes.includes(preferred)
  ? join('recipes', preferred)
  : recipes[0]
    ? join('recipes', recipes[0])
    : join('test', 'unit', 'cli', 'fixtures', 'valid.yaml');
const times: number[] = [];
let status: number | null = null;
for (let i = 0; i < RUNS; i += 1) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/trt-plan.js', target], { cwd: ROOT, stdio: 'ignore' });
  times.push(performance.now() - t0);
  status = r.status;
}
console.log(
  `cli: node bin/trt-plan.js ${target} (exit ${String(status)}): median ${median(times).toFixed(0)} ms over ${RUNS} fresh processes (min ${Math.min(...times).toFixed(0)} ms)`,
);
