/**
 * Runs `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits` and
 * parses what it prints. A missing binary or a failing driver is reported as data (`available:
 * false` with the reason), so the worker can fall back to the `--gpu-type`/device-id overrides.
 */
import { execa } from 'execa';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi, type GpuDevice } from '../gpu/parse-nvidia-smi.js';

export type GpuDetection =
  | { readonly available: true; readonly devices: readonly GpuDevice[]; readonly problems: readonly string[] }
  | { readonly available: false; readonly reason: string };

export interface DetectGpusOptions {
  /** Path or name of nvidia-smi (default `nvidia-smi`, looked up on PATH). */
  readonly nvidiaSmiBin?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

/** Asks nvidia-smi for this host's GPUs. */
export async function detectGpus(options: DetectGpusOptions = {}): Promise<GpuDetection> {
  const bin = options.nvidiaSmiBin ?? 'nvidia-smi';
  const r = await execa(bin, [...NVIDIA_SMI_ARGS], {
    reject: false,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 15_000,
    forceKillAfterDelay: 2_000,
    maxBuffer: 1024 * 1024,
  });
  if (r.timedOut) return { available: false, reason: `${bin} did not answer within ${options.timeoutMs ?? 15_000} ms` };
  if (r.exitCode === undefined)
    return { available: false, reason: `${bin} could not be run (${r.code ?? 'spawn failed'})` };
  if (r.exitCode !== 0) {
    const said = `${r.stderr}\n${r.stdout}`.trim().split('\n')[0]?.slice(0, 300) ?? '';
    return { available: false, reason: `${bin} exited with code ${r.exitCode}${said ? `: ${said}` : ''}` };
  }
  const parsed = parseNvidiaSmi(r.stdout);
  return { available: true, devices: parsed.devices, problems: parsed.problems };
}
