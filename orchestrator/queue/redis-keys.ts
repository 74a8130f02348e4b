/**
 * Redis key layout of the build records, under a configurable prefix (e.g. `trt`).
 */

/** All keys the build store uses, derived from one prefix. */
export function redisKeys(prefix: string) {
  const p = `${prefix}:svc:`;
  return {
    base: p,
    build: (id: string) => `${p}build:${id}`,
    steps: (id: string) => `${p}build:${id}:steps`,
    logs: (id: string) => `${p}build:${id}:logs`,
    logSeq: (id: string) => `${p}build:${id}:logseq`,
    byPlan: (planHash: string) => `${p}plan:${planHash}`,
    generation: (planHash: string) => `${p}plan:${planHash}:gen`,
    index: `${p}index`,
    statusIndex: (status: string) => `${p}status:${status}`,
    stepMetrics: `${p}metrics:steps`,
    counters: `${p}metrics:counters`,
    gpus: `${p}gpus`,
    cancelChannel: `${p}cancel`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
