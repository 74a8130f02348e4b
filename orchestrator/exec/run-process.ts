/**
 * The one process runner: spawns an argv array with execa (never a shell), streams stdout/stderr
 * line by line through secret redaction, enforces the timeout and cancel signal (SIGTERM, then
 * SIGKILL after a grace period) and returns how it ended as plain data.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { TailBuffer, capLine, makeRedactor } from './redact.js';
import type { ProcessResult } from './types.js';

export interface RunProcessOptions {
  readonly file: string;
  readonly args: readonly string[];
  /** The complete child environment (not merged with this process's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string | null;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Grace period between SIGTERM and SIGKILL. */
  readonly forceKillAfterMs: number;
  /** Values removed from every line and from the tail. */
  readonly secretValues: readonly string[];
  readonly onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** How long to wait for output pipes to drain after the child exited (grandchildren may hold them). */
const DRAIN_MS = 2_000;

/** Runs one process to completion and reports how it ended; never throws for process failures. */
export async function runProcess(opts: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const redact = makeRedactor(opts.secretValues);
  const tail = new TailBuffer();
  const emit = (raw: string, stream: 'stdout' | 'stderr'): void => {
    const line = capLine(redact(raw));
    tail.push(line);
    try {
      opts.onLine(line, stream);
    } catch {
      // A failing log sink must not break the step.
    }
  };
  const child = execa(opts.file, [...opts.args], {
    reject: false,
    env: opts.env,
    extendEnv: false,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdin: 'ignore',
    buffer: false,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    forceKillAfterDelay: opts.forceKillAfterMs,
    killSignal: 'SIGTERM',
  });
  const drained = Promise.all([pump(child.stdout, 'stdout', emit), pump(child.stderr, 'stderr', emit)]);
  const result = await child;
  await Promise.race([drained, delay(DRAIN_MS)]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  const canceled = result.isCanceled;
  const timedOut = result.timedOut;
  let exitCode = result.exitCode ?? null;
  const signal = result.signal ?? null;
  if (exitCode === null && signal === null && !canceled && !timedOut) {
    // The process never started (missing binary, not executable): report it like a shell would.
    exitCode = 127;
    emit(firstLine(result.shortMessage ?? `could not start ${opts.file}`), 'stderr');
  }
  return {
    exitCode,
    signal,
    timedOut,
    canceled,
    tail: redact(tail.text()),
    durationMs: Math.round(performance.now() - started),
  };
}

function pump(
  stream: Readable | null,
  name: 'stdout' | 'stderr',
  emit: (line: string, stream: 'stdout' | 'stderr') => void,
): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => emit(line, name));
    rl.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i === -1 ? s : s.slice(0, i);
}
