/**
 * Why Lua remains: a build record (one hash, its log stream, the status indexes) must change together
 * with a guarded status transition, and BullMQ keeps job state, not this view. Each script takes all
 * its keys in KEYS (one hash tag on a Cluster) and one named-argument JSON object in ARGV[1].
 */

/**
 * Claim a plan: {0, id} when the plan's current build is live, {1, id} after creating build `id`,
 * {2, ''} when the plan's pointer moved since the caller read it (read again, retry).
 * KEYS: plan (hash: build, gen), currentBuild, newBuild, index, statusIndex, expiry, newFetchSecret.
 * Args: expectCur, expectGen, id, fields, live, fetch ('' = none), fetchTtlMs, now, expireAt, ttlMs.
 */
export const CLAIM_PLAN = `
local a = cjson.decode(ARGV[1])
local p = redis.call('HMGET', KEYS[1], 'build', 'gen')
if (p[1] or '') ~= a.expectCur or (p[2] or '0') ~= a.expectGen then return {2, ''} end
if p[1] then
  local st = redis.call('HGET', KEYS[2], 'status')
  for _, s in ipairs(a.live) do if st == s then return {0, p[1]} end end
end
redis.call('HSET', KEYS[1], 'build', a.id, 'gen', tonumber(a.expectGen) + 1)
redis.call('HSET', KEYS[3], unpack(a.fields))
redis.call('ZADD', KEYS[4], a.now, a.id)
redis.call('ZADD', KEYS[5], a.now, a.id)
if a.fetch ~= '' then redis.call('SET', KEYS[7], a.fetch, 'PX', a.fetchTtlMs) end
if a.expireAt ~= '' then
  redis.call('PEXPIRE', KEYS[3], a.ttlMs)
  redis.call('ZADD', KEYS[6], a.expireAt, a.id)
end
return {1, a.id}
`;

/**
 * Every change to an existing build, in one command. KEYS: 1 build, 2 log, 3 fetchSecret, 4 index,
 * 5 expiry, 6–10 status indexes (queued, running, succeeded, failed, cancelled), 11 stepMetrics,
 * 12 counters. Args (all optional but `now`):
 * - mark {kind, at}: the first step of that kind not yet succeeded or skipped starts (attempts + 1)
 *   when the build is live and no cancel is requested (marked 2: it was running, an attempt was lost);
 * - steps: whole step records to set; progress: [[stepId, fraction]]; patch {step, set}: fields of
 *   one step; close {pending, running, at}:
 *   unfinished steps end (pending ones as `pending`, running ones as `running`);
 * - lines + cap: log lines (numbered from the record's logSeq); observe {kind, seconds} + buckets;
 *   fetched + hits + misses: what a fetch resolved (its signed fetch items are deleted);
 * - to + from + fields + expireAt + ttlMs: a status change allowed from `from` (build/state-machine.ts),
 *   with extra fields; a terminal one closes the log with an `end` entry, expires the build's keys
 *   after ttlMs, and drops builds whose expireAt passed from the indexes;
 * - load: also return the record's status, plan, fetched, config, steps, times and the fetch secret.
 * Returns {changed (0/1), cancelRequested ('0'/'1'), marked (0/1/2), loaded or false}; {-1} when no build.
 */
export const WRITE_BUILD = `
local a = cjson.decode(ARGV[1])
local IDX = {queued = 6, running = 7, succeeded = 8, failed = 9, cancelled = 10}
local h = redis.call('HMGET', KEYS[1], 'status', 'cancelRequested', 'steps')
local st = h[1]
if not st then return {-1} end
local touch = a.mark or a.steps or a.progress or a.patch or a.close
local steps = touch and h[3] and cjson.decode(h[3]) or {}
local live = st == 'queued' or st == 'running'
local function step(id) for _, s in ipairs(steps) do if s.id == id then return s end end end
local marked = 0
for _, s in ipairs(steps) do
  if marked == 0 and a.mark and live and h[2] ~= '1' and s.kind == a.mark.kind
    and s.status ~= 'succeeded' and s.status ~= 'skipped' then
    marked = s.status == 'running' and 2 or 1
    s.status, s.attempts, s.startedAt, s.finishedAt = 'running', s.attempts + 1, a.mark.at, cjson.null
  end
end
for _, v in ipairs(a.steps or {}) do
  for i, s in ipairs(steps) do if s.id == v.id then steps[i] = v end end
end
for _, p in ipairs(a.progress or {}) do
  local s = step(p[1])
  if s then s.progress = p[2] end
end
if a.patch then
  local s = step(a.patch.step)
  if s then for f, v in pairs(a.patch.set) do s[f] = v end end
end
if a.close then
  for _, s in ipairs(steps) do
    if s.status == 'pending' then s.status = a.close.pending
    elseif s.status == 'running' then s.status, s.finishedAt = a.close.running, a.close.at end
  end
end
if touch and #steps > 0 then
  h[3] = cjson.encode(steps)
  redis.call('HSET', KEYS[1], 'steps', h[3])
end
local lines = a.lines or {}
if #lines > 0 then
  local seq = redis.call('HINCRBY', KEYS[1], 'logSeq', #lines) - #lines
  for _, l in ipairs(lines) do
    seq = seq + 1
    l.seq = seq
    redis.call('XADD', KEYS[2], 'MAXLEN', a.cap, seq .. '-1', 'e', cjson.encode(l))
  end
end
if a.observe then
  local k = a.observe.kind
  redis.call('HINCRBYFLOAT', KEYS[11], k .. '|sum', a.observe.seconds)
  redis.call('HINCRBY', KEYS[11], k .. '|count', 1)
  for _, b in ipairs(a.buckets) do
    if tonumber(a.observe.seconds) <= tonumber(b) then redis.call('HINCRBY', KEYS[11], k .. '|le|' .. b, 1) end
  end
end
if a.fetched then
  redis.call('HSET', KEYS[1], 'fetched', a.fetched)
  redis.call('HINCRBY', KEYS[12], 'cache_hits', a.hits)
  redis.call('HINCRBY', KEYS[12], 'cache_misses', a.misses)
  redis.call('DEL', KEYS[3])
end
local changed = 0
local allowed = false
for _, f in ipairs(a.from or {}) do if f == st then allowed = true end end
if a.to and allowed then
  changed = 1
  redis.call('HSET', KEYS[1], 'status', a.to, 'updatedAt', a.now)
  if #a.fields > 0 then redis.call('HSET', KEYS[1], unpack(a.fields)) end
  if st ~= a.to then
    redis.call('ZREM', KEYS[IDX[st]], a.id)
    redis.call('ZADD', KEYS[IDX[a.to]], redis.call('HGET', KEYS[1], 'createdAt'), a.id)
  end
  if a.expireAt then
    local seq = redis.call('HINCRBY', KEYS[1], 'logSeq', 1)
    redis.call('XADD', KEYS[2], seq .. '-1', 'end', a.to)
    redis.call('DEL', KEYS[3])
    redis.call('ZADD', KEYS[5], a.expireAt, a.id)
    local gone = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', a.now, 'LIMIT', 0, 100)
    for _, g in ipairs(gone) do for i = 4, 10 do redis.call('ZREM', KEYS[i], g) end end
  end
end
if a.expireAt and changed == 1 then
  redis.call('PEXPIRE', KEYS[1], a.ttlMs)
  redis.call('PEXPIRE', KEYS[2], a.ttlMs)
elseif #lines > 0 then
  local ttl = redis.call('PTTL', KEYS[1]) -- lines after the end keep the build's expiry
  if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
end
local loaded = false
if a.load then
  loaded = redis.call('HMGET', KEYS[1], 'status', 'plan', 'fetched', 'config', 'steps', 'createdAt', 'updatedAt')
  loaded[8] = redis.call('GET', KEYS[3]) or ''
end
return {changed, h[2] or '0', marked, loaded}
`;

/** Names under which the scripts are defined on a connection (ioredis runs them with EVALSHA). */
export const SCRIPTS = {
  trtClaimPlan: { lua: CLAIM_PLAN, keys: 7 },
  trtWriteBuild: { lua: WRITE_BUILD, keys: 12 },
} as const;
export type ScriptName = keyof typeof SCRIPTS;

interface ScriptHost {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** Defines the scripts on an ioredis connection (or Cluster) once. */
export function defineScripts(redis: ScriptHost): void {
  const host = redis as unknown as Record<string, unknown>;
  for (const [name, s] of Object.entries(SCRIPTS))
    if (typeof host[name] !== 'function') redis.defineCommand(name, { lua: s.lua, numberOfKeys: s.keys });
}

/** Runs a script with its keys and named arguments (JSON-encoded into ARGV[1]). */
export function runScript<R>(target: object, name: ScriptName, keys: readonly string[], args: object): Promise<R> {
  if (keys.length !== SCRIPTS[name].keys)
    throw new Error(`redis script ${name} takes ${SCRIPTS[name].keys} keys, got ${keys.length}`);
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`redis script ${name} is not defined on this connection`);
  return (fn as (...a: string[]) => Promise<R>).apply(target, [...keys, JSON.stringify(args)]);
}
