/**
 * A worker-like process for fault tests: runs one container step through the real docker executor
 * (fake docker first on PATH) and prints the outcome as one JSON line. Tests SIGKILL it mid-step.
 * Usage: node --import tsx run-step-child.ts '<json: {step, workspaceDir, runName, gpuIds, labels, env}>'
 */
import { createDockerExecutor } from '../../../orchestrator/exec/docker-executor.js';
import type { AttemptLabels } from '../../../orchestrator/exec/types.js';
import type { ContainerStep } from '../../../orchestrator/plan/types.js';

interface ChildInput {
  readonly step: ContainerStep;
  readonly workspaceDir: string;
  readonly runName: string;
  readonly gpuIds: readonly string[];
  readonly labels: AttemptLabels;
  readonly env: Record<string, string>;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const executor = createDockerExecutor({ env: input.env, forceKillAfterMs: 1_000 });
const outcome = await executor.run(input.step, {
  workspaceDir: input.workspaceDir,
  workspaceMount: '/workspace',
  gpuIds: input.gpuIds,
  secrets: {},
  runName: input.runName,
  signal: new AbortController().signal,
  onLine: (line) => process.stdout.write(`line ${line}\n`),
  labels: input.labels,
});
process.stdout.write(
  `outcome ${JSON.stringify(outcome.ok ? { ok: true } : { ok: false, code: outcome.failure.code })}\n`,
);
