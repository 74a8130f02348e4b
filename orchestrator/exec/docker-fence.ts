/**
 * The container fence over the docker CLI: finds this service's step containers by label
 * (`docker ps --filter label=… -q` + `docker inspect`) and stops them with `docker rm -f`, which
 * returns only once the container is gone. Every docker call has a time limit; failures are
 * `FenceError`s with a registry code and a message that names the command, never the environment.
 */
import { execa } from 'execa';
import { ORCHESTRATOR_LABEL, LABEL_KEYS, attemptFromLabels, gpusFromLabels, isLabelValue } from './container-labels.js';
import { attemptKey, type AttemptLabels, type ContainerFence } from './types.js';

export type FenceErrorCode = 'FENCE_DOCKER_FAILED' | 'FENCE_TIMEOUT' | 'FENCE_STOP_FAILED';

/** A fence operation that could not be completed (the caller must not assume the containers are gone). */
export class FenceError extends Error {
  override readonly name = 'FenceError';
  constructor(
    readonly code: FenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One labelled step container, as the fence sees it. */
export interface FencedContainer {
  readonly id: string;
  readonly name: string;
  /** Null when its labels are not a complete attempt (still ours: it carries `trt-orchestrator=1`). */
  readonly attempt: AttemptLabels | null;
  readonly gpuIds: readonly string[];
}

export interface DockerFenceOptions {
  /** Path or name of the docker CLI. Default `docker`. */
  readonly dockerBin?: string;
  /** Environment of the docker CLI (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Limit for one docker command (ps, inspect, rm). Default 15 s. */
  readonly timeoutMs?: number;
}

/** The docker fence, with `list` and `stop` for callers that need more than the contract. */
export interface DockerFence extends ContainerFence {
  /** Running labelled containers matching every `label=value` in `filter` (keys from LABEL_KEYS). */
  list(filter: Readonly<Partial<Record<keyof typeof LABEL_KEYS, string>>>): Promise<readonly FencedContainer[]>;
  /** Removes `containers` (`docker rm -f`); resolves to those that were still there. */
  stop(containers: readonly FencedContainer[]): Promise<readonly FencedContainer[]>;
}

/** Creates the docker fence. */
export function createDockerFence(options: DockerFenceOptions = {}): DockerFence {
  const dockerBin = options.dockerBin ?? 'docker';
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 15_000;

  const docker = async (args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
    const what = `docker ${args[0] ?? ''}`;
    const r = await execa(dockerBin, [...args], {
      reject: false,
      env,
      extendEnv: false,
      stdin: 'ignore',
      timeout: timeoutMs,
      forceKillAfterDelay: 1_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.timedOut) throw new FenceError('FENCE_TIMEOUT', `${what} did not finish within ${timeoutMs} ms`);
    if (r.exitCode === undefined)
      throw new FenceError('FENCE_DOCKER_FAILED', `${what} could not run: ${firstLine(r.shortMessage ?? '')}`);
    return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  };

  const list: DockerFence['list'] = async (filter) => {
    const args = ['ps', '--no-trunc', '-q', '--filter', `label=${ORCHESTRATOR_LABEL}=1`];
    for (const [k, v] of Object.entries(filter) as [keyof typeof LABEL_KEYS, string | undefined][]) {
      if (v === undefined) continue;
      // No container we started carries a value that is not a label token: nothing can match.
      if (!isLabelValue(v)) return [];
      args.push('--filter', `label=${LABEL_KEYS[k]}=${v}`);
    }
    const ps = await docker(args);
    if (ps.exitCode !== 0)
      throw new FenceError('FENCE_DOCKER_FAILED', `docker ps exited ${ps.exitCode}: ${firstLine(ps.stderr)}`);
    const ids = ps.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    if (ids.length === 0) return [];
    const bad = ids.find((id) => !/^[0-9a-f]{12,64}$/.test(id));
    if (bad !== undefined)
      throw new FenceError(
        'FENCE_DOCKER_FAILED',
        `docker ps printed ${JSON.stringify(bad.slice(0, 80))}, not a container id`,
      );
    const ins = await docker(['inspect', '--type', 'container', ...ids]);
    // A container that ended between ps and inspect is "No such object"; any other error is a failure.
    const otherErrors = ins.stderr.split('\n').filter((l) => l.trim() !== '' && !/No such (object|container)/i.test(l));
    if (ins.exitCode !== 0 && otherErrors.length > 0)
      throw new FenceError('FENCE_DOCKER_FAILED', `docker inspect exited ${ins.exitCode}: ${otherErrors[0] ?? ''}`);
    return parseInspect(ins.stdout)
      .filter((c) =>
        Object.entries(filter).every(
          ([k, v]) => v === undefined || c.labels[LABEL_KEYS[k as keyof typeof LABEL_KEYS]] === v,
        ),
      )
      .map(toFenced);
  };

  const stop: DockerFence['stop'] = async (containers) => {
    if (containers.length === 0) return [];
    const r = await docker(['rm', '-f', ...containers.map((c) => c.id)]);
    const removed = new Set(r.stdout.split('\n').map((l) => l.trim()));
    const failures = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/No such container/i.test(l));
    if (r.exitCode !== 0 && failures.length > 0)
      throw new FenceError('FENCE_STOP_FAILED', `docker rm -f exited ${r.exitCode}: ${failures[0] ?? ''}`);
    return containers.filter((c) => removed.has(c.id));
  };

  return {
    list,
    stop,
    async reapOrphans(host: string, keep: ReadonlySet<string>): Promise<readonly AttemptLabels[]> {
      const mine = await list({ host });
      const orphans = mine.filter((c) => c.attempt === null || !keep.has(attemptKey(c.attempt)));
      const stopped = await stop(orphans);
      return stopped.flatMap((c) => (c.attempt === null ? [] : [c.attempt]));
    },
    async stopBuild(build: string, step?: string): Promise<number> {
      const found = await list(step === undefined ? { build } : { build, step });
      return (await stop(found)).length;
    },
    async busyGpuIds(host: string): Promise<ReadonlySet<string>> {
      return new Set((await list({ host })).flatMap((c) => c.gpuIds));
    },
  };
}

interface Inspected {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly deviceIds: readonly string[];
}

/** Reads `docker inspect` JSON; anything that is not an array of containers is a FenceError. */
function parseInspect(stdout: string): Inspected[] {
  let data: unknown;
  try {
    data = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  } catch {
    throw new FenceError(
      'FENCE_DOCKER_FAILED',
      `docker inspect printed something that is not JSON: ${JSON.stringify(stdout.slice(0, 80))}`,
    );
  }
  if (!Array.isArray(data)) throw new FenceError('FENCE_DOCKER_FAILED', 'docker inspect did not print a JSON array');
  return data.map((raw: unknown): Inspected => {
    const c = (raw ?? {}) as {
      Id?: unknown;
      Name?: unknown;
      Config?: { Labels?: unknown };
      HostConfig?: { DeviceRequests?: unknown };
    };
    if (typeof c.Id !== 'string')
      throw new FenceError('FENCE_DOCKER_FAILED', 'docker inspect printed a container without an Id');
    const labels: Record<string, string> = {};
    if (c.Config?.Labels && typeof c.Config.Labels === 'object') {
      for (const [k, v] of Object.entries(c.Config.Labels as Record<string, unknown>))
        if (typeof v === 'string') labels[k] = v;
    }
    const deviceIds: string[] = [];
    if (Array.isArray(c.HostConfig?.DeviceRequests)) {
      for (const req of c.HostConfig.DeviceRequests as { DeviceIDs?: unknown }[]) {
        if (Array.isArray(req?.DeviceIDs))
          deviceIds.push(...req.DeviceIDs.filter((d): d is string => typeof d === 'string'));
      }
    }
    return { id: c.Id, name: typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : c.Id, labels, deviceIds };
  });
}

/** The fence's view of an inspected container: devices from its label, else from its device requests. */
function toFenced(c: Inspected): FencedContainer {
  const fromLabel = gpusFromLabels(c.labels);
  return {
    id: c.id,
    name: c.name,
    attempt: attemptFromLabels(c.labels),
    gpuIds: fromLabel.length > 0 ? fromLabel : [...c.deviceIds],
  };
}

function firstLine(s: string): string {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length <= 200 ? line : `${line.slice(0, 200)}…`;
}
