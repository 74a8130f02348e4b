/**
 * Lua scripts that make the build store's multi-key updates atomic and cheap (claim a plan, guarded
 * status change, numbered log append, step commit, progress). Some derive keys from a key base
 * passed in ARGV (single Redis, not Cluster-safe).
 */

/**
 * Claim a plan: return {0, id} when a queued/running/succeeded build of the plan exists, else
 * create a new build record (next generation) and return {1, id}.
 * KEYS: byPlan, generation. ARGV: base, idStem, nowMs, planHash, gpuType, planJson,
 * stepsJson ([[id, json]...]), status, artifactsJson, stepOrderJson, configJson.
 */
export const CLAIM_PLAN = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local st = redis.call('HGET', ARGV[1] .. 'build:' .. cur, 'status')
  if st == 'queued' or st == 'running' or st == 'succeeded' then return {0, cur} end
end
local n = redis.call('INCR', KEYS[2])
local id = ARGV[2] .. '-' .. n
local bk = ARGV[1] .. 'build:' .. id
redis.call('HSET', bk, 'id', id, 'planHash', ARGV[4], 'gpuType', ARGV[5], 'status', ARGV[8],
  'createdAt', ARGV[3], 'updatedAt', ARGV[3], 'plan', ARGV[6], 'artifacts', ARGV[9],
  'cancelRequested', '0', 'attempts', '0', 'error', 'null', 'stepOrder', ARGV[10], 'config', ARGV[11])
local steps = cjson.decode(ARGV[7])
for _, s in ipairs(steps) do redis.call('HSET', bk .. ':steps', s[1], s[2]) end
redis.call('SET', KEYS[1], id)
redis.call('ZADD', ARGV[1] .. 'index', ARGV[3], id)
redis.call('ZADD', ARGV[1] .. 'status:' .. ARGV[8], ARGV[3], id)
return {1, id}
`;

/**
 * Change a build's status unless it is already terminal; extra field/value pairs are set too.
 * KEYS: build. ARGV: base, id, newStatus, nowMs, [field, value]...
 * Returns 1 when changed, 0 when the build is missing or terminal.
 */
/**
 * Lua function shared by the status-changing scripts: moves the build at `bk` to `new` unless it
 * is missing or terminal, setting `kv` (a flat field/value list) too; 1 when changed, else 0.
 */
const SET_STATUS_FN = `
local function set_status(bk, base, id, new, now, kv)
  local st = redis.call('HGET', bk, 'status')
  if not st then return 0 end
  if st == 'succeeded' or st == 'failed' or st == 'cancelled' then return 0 end
  redis.call('HSET', bk, 'status', new, 'updatedAt', now)
  if #kv > 0 then redis.call('HSET', bk, unpack(kv)) end
  if st ~= new then
    local created = redis.call('HGET', bk, 'createdAt')
    redis.call('ZREM', base .. 'status:' .. st, id)
    redis.call('ZADD', base .. 'status:' .. new, created, id)
  end
  return 1
end
`;

/**
 * Change a build's status unless it is already terminal; extra field/value pairs are set too.
 * KEYS: build. ARGV: base, id, newStatus, nowMs, [field, value]...
 * Returns 1 when changed, 0 when the build is missing or terminal.
 */
export const SET_STATUS = `${SET_STATUS_FN}
local kv = {}
for i = 5, #ARGV do kv[#kv + 1] = ARGV[i] end
return set_status(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], kv)
`;

/**
 * What a worker needs to start a job, in one command; optionally also marks the step of a kind
 * `running` (attempts + 1, startedAt) when the build is live, not cancel-requested, and the step
 * has not succeeded.
 * KEYS: build, steps. ARGV: stepKind ('' = mark nothing), startedAtIso.
 * Returns {{status, cancelRequested, plan, fetched, config}, {stepId, json, ...}, markedStepId or false}.
 */
export const LOAD_BUILD = `
local h = redis.call('HMGET', KEYS[1], 'status', 'cancelRequested', 'plan', 'fetched', 'config')
local steps = redis.call('HGETALL', KEYS[2])
local marked = false
local st = h[1]
if ARGV[1] ~= '' and st and st ~= 'succeeded' and st ~= 'failed' and st ~= 'cancelled' and h[2] ~= '1' then
  for i = 1, #steps, 2 do
    local v = cjson.decode(steps[i + 1])
    if v['kind'] == ARGV[1] then
      if v['status'] ~= 'succeeded' then
        v['status'] = 'running'
        v['attempts'] = (tonumber(v['attempts']) or 0) + 1
        v['startedAt'] = ARGV[2]
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
 * The start of a build job on a worker in one command: status `running` with the attempt number
 * (unless terminal), the first step's `running` record, and the worker's GPU allocation report.
 * KEYS: build, steps, gpus. ARGV: base, id, nowMs, attempts, stepId ('' = none), stepJson,
 * worker ('' = no report), gpuJson. Returns 1 when the status changed.
 */
export const START_BUILD = `${SET_STATUS_FN}
local r = set_status(KEYS[1], ARGV[1], ARGV[2], 'running', ARGV[3], {'attempts', ARGV[4]})
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], ARGV[5], ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[3], ARGV[7], ARGV[8]) end
return r
`;

/**
 * Append log lines, numbering them, and cap the list.
 * KEYS: logs, logSeq. ARGV: cap, then one JSON object (without seq) per line.
 * Returns the last seq.
 */
export const APPEND_LOGS = `
local seq = 0
for i = 2, #ARGV do
  seq = redis.call('INCR', KEYS[2])
  local e = cjson.decode(ARGV[i])
  e['seq'] = seq
  redis.call('RPUSH', KEYS[1], cjson.encode(e))
end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return seq
`;

/**
 * The end of a step in one command: step records, the duration metric (sum, count, buckets), log
 * lines (numbered, capped), a fetch result with cache counters; after the last step also the
 * build's final status (with its field/value pairs) and the worker's GPU report. Returns
 * `cancelRequested`.
 * KEYS: steps, stepMetrics, logs, logSeq, build, counters, gpus.
 * ARGV: logCap, kind ('' = no metric), seconds, buckets (comma-separated), viewsJson ([[id, json]...]),
 * linesJson ([{ts, step, stream, line}...]), fetchedJson ('' = none), cacheHits, cacheMisses,
 * finalStatus ('' = none), nowMs, base, id, worker ('' = no GPU report), gpuJson, [field, value]...
 */
export const COMMIT_STEP = `${SET_STATUS_FN}
for _, v in ipairs(cjson.decode(ARGV[5])) do redis.call('HSET', KEYS[1], v[1], v[2]) end
if ARGV[2] ~= '' then
  local secs = tonumber(ARGV[3])
  redis.call('HINCRBYFLOAT', KEYS[2], ARGV[2] .. '|sum', ARGV[3])
  redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|count', 1)
  for b in string.gmatch(ARGV[4], '[^,]+') do
    if secs <= tonumber(b) then redis.call('HINCRBY', KEYS[2], ARGV[2] .. '|le|' .. b, 1) end
  end
end
if ARGV[6] ~= '[]' then
  local lines = cjson.decode(ARGV[6])
  if #lines > 0 then
    for _, l in ipairs(lines) do
      l['seq'] = redis.call('INCR', KEYS[4])
      redis.call('RPUSH', KEYS[3], cjson.encode(l))
    end
    redis.call('LTRIM', KEYS[3], -tonumber(ARGV[1]), -1)
  end
end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[5], 'fetched', ARGV[7])
  redis.call('HINCRBY', KEYS[6], 'cache_hits', ARGV[8])
  redis.call('HINCRBY', KEYS[6], 'cache_misses', ARGV[9])
end
if ARGV[10] ~= '' then
  local kv = {}
  for i = 16, #ARGV do kv[#kv + 1] = ARGV[i] end
  set_status(KEYS[5], ARGV[12], ARGV[13], ARGV[10], ARGV[11], kv)
end
if ARGV[14] ~= '' then redis.call('HSET', KEYS[7], ARGV[14], ARGV[15]) end
return redis.call('HGET', KEYS[5], 'cancelRequested')
`;

/** Sets one step's progress in place. KEYS: steps. ARGV: stepId, progress. */
export const SET_PROGRESS = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local v = cjson.decode(raw)
v['progress'] = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(v))
return 1
`;

/** Names under which the scripts are defined on a connection (ioredis runs them with EVALSHA). */
export const SCRIPT_NAMES = {
  claimPlan: 'trtClaimPlan',
  setStatus: 'trtSetStatus',
  appendLogs: 'trtAppendLogs',
  commitStep: 'trtCommitStep',
  setProgress: 'trtSetProgress',
  loadBuild: 'trtLoadBuild',
  startBuild: 'trtStartBuild',
} as const;
type ScriptName = (typeof SCRIPT_NAMES)[keyof typeof SCRIPT_NAMES];

const DEFINITIONS: readonly [ScriptName, string, number][] = [
  [SCRIPT_NAMES.claimPlan, CLAIM_PLAN, 2],
  [SCRIPT_NAMES.setStatus, SET_STATUS, 1],
  [SCRIPT_NAMES.appendLogs, APPEND_LOGS, 2],
  [SCRIPT_NAMES.commitStep, COMMIT_STEP, 7],
  [SCRIPT_NAMES.setProgress, SET_PROGRESS, 1],
  [SCRIPT_NAMES.loadBuild, LOAD_BUILD, 2],
  [SCRIPT_NAMES.startBuild, START_BUILD, 3],
];

interface ScriptHost {
  defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }): void;
}

/** Defines the scripts on an ioredis connection once (EVALSHA, reloaded by ioredis after a Redis restart). */
export function defineScripts(redis: ScriptHost): void {
  const host = redis as unknown as Record<string, unknown>;
  for (const [name, lua, numberOfKeys] of DEFINITIONS) if (typeof host[name] !== 'function') redis.defineCommand(name, { lua, numberOfKeys });
}

/** The script as a function on a connection or a MULTI (the scripts' arguments are strings). */
export function script<R>(target: object, name: ScriptName): (...args: string[]) => R {
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`redis script ${name} is not defined on this connection`);
  return (...args: string[]) => (fn as (...a: string[]) => R).apply(target, args);
}
