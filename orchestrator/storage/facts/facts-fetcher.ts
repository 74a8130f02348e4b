/**
 * Reads a checkpoint's facts without its weights: resolves the revision through the same source
 * adapters (and credentials, and outbound policy) the worker's fetch uses, lists the files for
 * sizes, and downloads only `config.json` and `model.safetensors.index.json` (and an adapter's
 * `adapter_config.json`) into a temporary directory. Facts are cached by resolved revision; a
 * moving revision (a branch) is re-resolved after `resolveTtlMs`, a commit sha never.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAdapterConfig, type AdapterFacts } from '../../preflight/check-lora.js';
import { parseModelConfigText } from '../../preflight/model-facts.js';
import type { CheckpointFacts, FactsProblem, FactsResult } from '../../preflight/types.js';
import type { FetchItem } from '../../plan/types.js';
import { isSourceError } from '../sources/errors.js';
import type { ResolvedFetch, SourceRegistry } from '../sources/port.js';

export interface FactsFetcherOptions {
  readonly sources: SourceRegistry;
  /** Secret values by name, as the worker gets them (never logged or returned). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Parent of the per-read temporary directories (default: the OS temp dir). */
  readonly tmpDir?: string;
  readonly now?: () => number;
  /** How long a branch/tag → commit resolution is reused (default 60 s). */
  readonly resolveTtlMs?: number;
  /** Time limit of one read (default 20 s). */
  readonly timeoutMs?: number;
  /** Most cached entries (default 512; oldest dropped first). */
  readonly maxEntries?: number;
}

export interface FactsFetcher {
  /** Facts of the base checkpoint. Never rejects. */
  checkpoint(item: FetchItem): Promise<FactsResult<CheckpointFacts>>;
  /** `adapter_config.json` of a LoRA adapter. Never rejects. */
  adapter(item: FetchItem): Promise<FactsResult<AdapterFacts>>;
  /** Requests to a source made so far (resolve + file reads), for tests and the bench. */
  readonly stats: { resolves: number; reads: number; hits: number };
}

const WEIGHT_FILE = /(^|\/)[^/]+\.(safetensors|bin|pt|pth)$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** A source failure as a pre-flight problem (messages are the sources' own, secret-free). */
export function problemOf(err: unknown): FactsProblem {
  if (isSourceError(err)) {
    const c = err.code;
    const kind: FactsProblem['kind'] =
      c === 'HF_REPO_GATED' ||
      c === 'HF_REPO_UNAUTHORIZED' ||
      c === 'SOURCE_UNAUTHORIZED' ||
      c === 'SOURCE_SECRET_INVALID' ||
      c === 'ADDRESS_REFUSED'
        ? 'denied'
        : c === 'HF_REPO_NOT_FOUND' ||
            c === 'HF_REVISION_NOT_FOUND' ||
            c === 'SOURCE_NOT_FOUND' ||
            c === 'SOURCE_EMPTY' ||
            c === 'SOURCE_REPO_INVALID'
          ? 'missing'
          : c === 'SOURCE_UNSUPPORTED'
            ? 'unsupported'
            : 'unavailable';
    return { kind, message: err.message };
  }
  return {
    kind: 'unavailable',
    message:
      err instanceof Error && err.name === 'TimeoutError'
        ? 'the source did not answer in time'
        : 'the source could not be read',
  };
}

/** Builds a fetcher with its own cache. */
export function createFactsFetcher(opts: FactsFetcherOptions): FactsFetcher {
  const now = opts.now ?? (() => Date.now());
  const ttl = opts.resolveTtlMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const maxEntries = opts.maxEntries ?? 512;
  const resolvedCache = new Map<string, { at: number; resolved: ResolvedFetch }>();
  const factsCache = new Map<string, Promise<FactsResult<unknown>>>();
  const stats = { resolves: 0, reads: 0, hits: 0 };

  const remember = <K, V>(m: Map<K, V>, k: K, v: V): void => {
    m.set(k, v);
    if (m.size > maxEntries) m.delete(m.keys().next().value as K);
  };

  const requestKey = (item: FetchItem): string =>
    `${item.source}:${item.repoType}:${item.repo}@${item.revision ?? ''}#${item.secretName ?? ''}`;

  async function resolve(item: FetchItem, signal: AbortSignal): Promise<ResolvedFetch> {
    const key = requestKey(item);
    const hit = resolvedCache.get(key);
    if (hit !== undefined && (COMMIT.test(hit.resolved.requestedRevision ?? '') || now() - hit.at < ttl))
      return hit.resolved;
    stats.resolves += 1;
    const resolved = await opts.sources[item.source].resolve(item, { secrets: opts.secrets, signal });
    remember(resolvedCache, key, { at: now(), resolved });
    return resolved;
  }

  async function readFiles(
    resolved: ResolvedFetch,
    paths: readonly string[],
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const wanted = resolved.files.filter((f) => paths.includes(f.path) && f.size <= 16 << 20);
    const out = new Map<string, string>();
    if (wanted.length === 0) return out;
    stats.reads += 1;
    const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'trt-preflight-'));
    try {
      await opts.sources[resolved.item.source].download({ ...resolved, files: wanted }, dir, {
        allow: wanted.map((f) => f.path),
        signal,
        secrets: opts.secrets,
        concurrency: 2,
      });
      for (const f of wanted) out.set(f.path, await readFile(join(dir, f.path), 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return out;
  }

  async function cached<T>(
    item: FetchItem,
    kind: string,
    read: (r: ResolvedFetch, signal: AbortSignal) => Promise<FactsResult<T>>,
  ): Promise<FactsResult<T>> {
    if (item.source === 'REMOTE_URL' || item.source === 'BASETEN_TRAINING') {
      return {
        ok: false,
        problem: {
          kind: 'unsupported',
          message:
            item.source === 'REMOTE_URL'
              ? 'a REMOTE_URL checkpoint is an archive; its config.json is read only after the worker downloads it'
              : 'Baseten training checkpoints cannot be listed',
        },
      };
    }
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const resolved = await resolve(item, signal);
      const key = `${kind}:${resolved.source}:${item.repoType}:${resolved.repo}@${resolved.resolvedRevision}`;
      const hit = factsCache.get(key);
      if (hit !== undefined) {
        stats.hits += 1;
        return (await hit) as FactsResult<T>;
      }
      const p = read(resolved, signal).catch(
        (err: unknown): FactsResult<T> => ({ ok: false, problem: problemOf(err) }),
      );
      remember(factsCache, key, p as Promise<FactsResult<unknown>>);
      const r = await p;
      if (!r.ok && r.problem.kind === 'unavailable') factsCache.delete(key);
      return r;
    } catch (err) {
      return { ok: false, problem: problemOf(err) };
    }
  }

  return {
    stats,
    checkpoint: (item) =>
      cached(item, 'checkpoint', async (resolved, signal) => {
        const files = await readFiles(resolved, ['config.json', 'model.safetensors.index.json'], signal);
        const text = files.get('config.json');
        if (text === undefined)
          return { ok: false, problem: { kind: 'invalid', message: 'there is no config.json at the checkpoint root' } };
        const parsed = parseModelConfigText(text);
        if (!parsed.ok) return { ok: false, problem: { kind: 'invalid', message: parsed.message } };
        let bytes: number | null = null;
        const index = files.get('model.safetensors.index.json');
        if (index !== undefined) {
          try {
            const t = (JSON.parse(index) as { metadata?: { total_size?: unknown } }).metadata?.total_size;
            if (typeof t === 'number' && Number.isSafeInteger(t) && t > 0) bytes = t;
          } catch {
            bytes = null;
          }
        }
        if (bytes === null) {
          const weights = resolved.files.filter((f) => WEIGHT_FILE.test(f.path));
          bytes = weights.length > 0 ? weights.reduce((a, f) => a + f.size, 0) : null;
        }
        return {
          ok: true,
          value: {
            source: resolved.source,
            repo: resolved.repo,
            requestedRevision: item.revision,
            resolvedRevision: resolved.resolvedRevision,
            model: parsed.facts,
            checkpointBytes: bytes,
          },
        };
      }),
    adapter: (item) =>
      cached(item, 'adapter', async (resolved, signal) => {
        const text = (await readFiles(resolved, ['adapter_config.json'], signal)).get('adapter_config.json');
        if (text === undefined)
          return {
            ok: false,
            problem: { kind: 'invalid', message: 'there is no adapter_config.json at the adapter root' },
          };
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return { ok: false, problem: { kind: 'invalid', message: 'adapter_config.json is not valid JSON' } };
        }
        const r = parseAdapterConfig(item.name ?? '', json);
        return r.ok ? { ok: true, value: r.adapter } : { ok: false, problem: { kind: 'invalid', message: r.message } };
      }),
  };
}
