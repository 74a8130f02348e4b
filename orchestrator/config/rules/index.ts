/** The registry of cross-field rules, run in order on the zod output. */
import type { Rule } from './types.js';

/** Every rule group; each is a pure function of the rule context. */
export const RULES: readonly Rule[] = [];
