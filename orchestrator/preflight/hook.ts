/**
 * The pre-flight hook the API calls after a config has been validated and planned: it reads the
 * checkpoint's facts (config.json, sizes, adapters) and returns the outcome with a `preflight`
 * section and any pre-flight errors/warnings added. It never changes the plan or its hash. An
 * outcome that gains errors is answered like a validation failure (422) and nothing is enqueued.
 */
import type { PreflightOutcome as PlanOutcome } from './types.js';

/** Adds pre-flight findings to a valid plan outcome; must not throw (failures become diagnostics). */
export type PreflightHook = (outcome: PlanOutcome, configText: string) => Promise<PlanOutcome>;
