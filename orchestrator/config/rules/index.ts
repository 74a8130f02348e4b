/** The registry of cross-field rules, run in order on the zod output. */
import { checkpointRules } from './checkpoint.js';
import { gpuRules } from './gpu.js';
import { kvCacheRules } from './kv-cache.js';
import { loraRules } from './lora.js';
import { parallelismRules } from './parallelism.js';
import { runtimeValueRules } from './runtime-values.js';
import { sizeRules } from './sizes.js';
import { speculatorRules } from './speculator.js';
import type { Rule } from './types.js';
import { v2Rules } from './v2-stack.js';
import { versionOverrideRules } from './version-overrides.js';

/** Every rule group; each is a pure function of the rule context. */
export const RULES: readonly Rule[] = [
  checkpointRules,
  gpuRules,
  parallelismRules,
  sizeRules,
  kvCacheRules,
  speculatorRules,
  loraRules,
  v2Rules,
  versionOverrideRules,
  runtimeValueRules,
];
