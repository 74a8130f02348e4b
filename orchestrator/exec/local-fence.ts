/**
 * The fence of the local executor: its steps are child processes of the worker, not containers, so
 * there is nothing labelled to find (a SIGKILLed worker's children are the host supervisor's to
 * stop, e.g. systemd's KillMode=control-group). Every operation finds nothing.
 */
import type { AttemptLabels, ContainerFence } from './types.js';

/** Creates the no-op fence for hosts that run steps with the local executor. */
export function createLocalFence(): ContainerFence {
  return {
    reapOrphans(): Promise<readonly AttemptLabels[]> {
      return Promise.resolve([]);
    },
    stopBuild(): Promise<number> {
      return Promise.resolve(0);
    },
    busyGpuIds(): Promise<ReadonlySet<string>> {
      return Promise.resolve(new Set<string>());
    },
  };
}
