/**
 * Why Lua remains: a build record is a read model spread over a few keys (record, steps, log
 * stream, status indexes) that must change together with a guarded status transition; BullMQ keeps
 * job state, not this view. Every script takes all its keys in KEYS (one hash tag on a Cluster)
 * and one named-argument JSON object in ARGV[1]; numbers travel as strings.
 */

/**
 * KEYS shared by every status-changing script (positions 1–13); scripts append their own after.
 * 1 build, 2 steps, 3 log, 4 logSeq, 5 byPlan, 6 fetchSecret, 7 index, 8 expiry, 9–13 status
 * indexes in STATUS_ORDER (queued, running, succeeded, failed, cancelled).
 */
export const STATUS_KEY_COUNT = 13;

/**
 * Moves the build to `s.to` when its status is in `s.from` (computed from build/state-machine.ts),
 * sets `s.fields` (flat field/value list), moves it between status indexes; with `s.expireAt`
 * (a terminal status) an `end` entry closes the log stream, the build's keys expire after
 * `s.ttlMs`, and builds whose `expireAt` (service clock) passed leave the indexes.
 */
const SET_STATUS_FN = `
local IDX = {queued = 9, running = 10, succeeded = 11, failed = 12, cancelled = 13}
local function set_status(s)
  local st = redis.call('HGET', KEYS[1], 'status')
  if not st then return 0 end
  local allowed = false
  for _, f in ipairs(s.from) do if f == st then allowed = true end end
  if not allowed then return 0 end
  redis.call('HSET', KEYS[1], 'status', s.to, 'updatedAt', s.now)
  if #s.fields > 0 then redis.call('HSET', KEYS[1], unpack(s.fields)) end
  if st ~= s.to then
    local created = redis.call('HGET', KEYS[1], 'createdAt')
    redis.call('ZREM', KEYS[IDX[st]], s.id)
    redis.call('ZADD', KEYS[IDX[s.to]], created, s.id)
  end
  if s.expireAt ~= '' then
    local seq = redis.call('INCR', KEYS[4])
    redis.call('XADD', KEYS[3], seq .. '-1', 'end', s.to)
    for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], s.ttlMs) end
    if redis.call('GET', KEYS[5]) == s.id then redis.call('PEXPIRE', KEYS[5], s.ttlMs) end
    redis.call('DEL', KEYS[6])
    redis.call('ZADD', KEYS[8], s.expireAt, s.id)
    local gone = redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', s.now, 'LIMIT', 0, 100)
    for _, g in ipairs(gone) do
      redis.call('ZREM', KEYS[8], g)
      for i = 7, 13 do if i ~= 8 then redis.call('ZREM', KEYS[i], g) end end
    end
  end
  return 1
end
`;

/** Appends numbered lines to the log stream `lk` (ids `<seq>-1`), capped; keeps the build's TTL. */
const APPEND_FN = `
local function append(bk, lk, sk, lines, cap)
  if #lines == 0 then return 0 end
  local seq = 0
  for _, l in ipairs(lines) do
    seq = redis.call('INCR', sk)
    l['seq'] = seq
    redis.call('XADD', lk, 'MAXLEN', cap, seq .. '-1', 'e', cjson.encode(l))
  end
  local ttl = redis.call('PTTL', bk)
  if ttl > 0 then
    redis.call('PEXPIRE', lk, ttl)
    redis.call('PEXPIRE', sk, ttl)
  end
  return seq
end
`;

/**
 * Claim a plan: {0, id} when the plan's current build is live, {1, id} after creating build `id`,
 * {2, ''} when the plan key or generation moved since the caller read them (read again, retry).
 * KEYS: byPlan, generation, currentBuild, newBuild, newSteps, newFetchSecret, index, statusIndex,
 * expiry. Args: expectCur, expectGen, id, fields, steps, fetch, fetchTtlMs, now, live, expireAt, ttlMs.
 */
export const CLAIM_PLAN = `
local a = cjson.decode(ARGV[1])
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= a.expectCur then return {2, ''} end
if cur then
  local st = redis.call('HGET', KEYS[3], 'status')
  for _, s in ipairs(a.live) do if st == s then return {0, cur} end end
end
if (redis.call('GET', KEYS[2]) or '0') ~= a.expectGen then return {2, ''} end
redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[4], unpack(a.fields))
for _, s in ipairs(a.steps) do redis.call('HSET', KEYS[5], s[1], s[2]) end
if a.fetch ~= '' then redis.call('SET', KEYS[6], a.fetch, 'PX', a.fetchTtlMs) end
redis.call('SET', KEYS[1], a.id)
redis.call('ZADD', KEYS[7], a.now, a.id)
redis.call('ZADD', KEYS[8], a.now, a.id)
if a.expireAt ~= '' then
  for i = 4, 5 do redis.call('PEXPIRE', KEYS[i], a.ttlMs) end
  redis.call('PEXPIRE', KEYS[1], a.ttlMs)
  redis.call('ZADD', KEYS[9], a.expireAt, a.id)
end
return {1, a.id}
`;

/** A guarded status change. KEYS: the 13 status keys. Args: the set_status fields. 1 when changed. */
export const SET_STATUS = `${SET_STATUS_FN}
return set_status(cjson.decode(ARGV[1]))
`;

/**
 * Load a build for a worker; with `kind`, also mark that step running (attempts + 1, startedAt)
 * when the status is in `live`, no cancel is requested and the step has not succeeded.
 * KEYS: build, steps. Args: kind ('' = none), at, live. Returns {record fields, steps, marked}.
 */
export const LOAD_BUILD = `
local a = cjson.decode(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'status', 'cancelRequested', 'plan', 'fetched', 'config', 'callbackUrl')
local steps = redis.call('HGETALL', KEYS[2])
local marked = false
local live = false
for _, s in ipairs(a.live) do if h[1] == s then live = true end end
if a.kind ~= '' and live and h[2] ~= '1' then
  for i = 1, #steps, 2 do
    local v = cjson.decode(steps[i + 1])
    if v['kind'] == a.kind then
      if v['status'] ~= 'succeeded' then
        v['status'] = 'running'
        v['attempts'] = (tonumber(v['attempts']) or 0) + 1
        v['startedAt'] = a.at
        v['finishedAt'] = cjson.null
        steps[i + 1] = cjson.encode(v)
        redis.call('HSET', KEYS[2], steps[i], steps[i + 1])
        marked = steps[i]
      end
      break
    end
  end
end
return {h, steps, marked}
`;

/**
 * The start of a build job: the status change (`status`), the first step's running record.
 * KEYS: the 13 status keys. Args: status (set_status fields), stepId ('' = none), stepJson.
 */
export const START_BUILD = `${SET_STATUS_FN}
local a = cjson.decode(ARGV[1])
local r = set_status(a.status)
if a.stepId ~= '' then redis.call('HSET', KEYS[2], a.stepId, a.stepJson) end
return r
`;

/**
 * Log lines and the latest progress per step, in one command.
 * KEYS: build, steps, log, logSeq. Args: lines, cap, progress ([[stepId, fraction]...]).
 */
export const LOG_BATCH = `${APPEND_FN}
local a = cjson.decode(ARGV[1])
for _, p in ipairs(a.progress) do
  local raw = redis.call('HGET', KEYS[2], p[1])
  if raw then
    local v = cjson.decode(raw)
    v['progress'] = tonumber(p[2])
    redis.call('HSET', KEYS[2], p[1], cjson.encode(v))
  end
end
return append(KEYS[1], KEYS[3], KEYS[4], a.lines, a.cap)
`;

/**
 * The end of a step: step records, the duration metric, log lines, what a fetch resolved (with
 * cache counters), and after the last step the final status.
 * KEYS: the 13 status keys, stepMetrics, counters. Args: views, observe, buckets, lines, cap,
 * fetched, hits, misses, final (set_status fields or ''). Returns {cancelRequested, finalChanged}.
 */
export const COMMIT_STEP = `${SET_STATUS_FN}${APPEND_FN}
local a = cjson.decode(ARGV[1])
for _, v in ipairs(a.views) do redis.call('HSET', KEYS[2], v[1], v[2]) end
if a.observe ~= '' then
  local secs = tonumber(a.observe.seconds)
  redis.call('HINCRBYFLOAT', KEYS[14], a.observe.kind .. '|sum', a.observe.seconds)
  redis.call('HINCRBY', KEYS[14], a.observe.kind .. '|count', 1)
  for _, b in ipairs(a.buckets) do
    if secs <= tonumber(b) then redis.call('HINCRBY', KEYS[14], a.observe.kind .. '|le|' .. b, 1) end
  end
end
append(KEYS[1], KEYS[3], KEYS[4], a.lines, a.cap)
if a.fetched ~= '' then
  redis.call('HSET', KEYS[1], 'fetched', a.fetched)
  redis.call('HINCRBY', KEYS[15], 'cache_hits', a.hits)
  redis.call('HINCRBY', KEYS[15], 'cache_misses', a.misses)
end
local changed = 0
if a.final ~= '' then changed = set_status(a.final) end
return {redis.call('HGET', KEYS[1], 'cancelRequested') or '0', changed}
`;

/** Names under which the scripts are defined on a connection (ioredis runs them with EVALSHA). */
export const SCRIPTS = {
  trtClaimPlan: { lua: CLAIM_PLAN, keys: 9 },
  trtSetStatus: { lua: SET_STATUS, keys: STATUS_KEY_COUNT },
  trtLoadBuild: { lua: LOAD_BUILD, keys: 2 },
  trtStartBuild: { lua: START_BUILD, keys: STATUS_KEY_COUNT },
  trtLogBatch: { lua: LOG_BATCH, keys: 4 },
  trtCommitStep: { lua: COMMIT_STEP, keys: STATUS_KEY_COUNT + 2 },
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
