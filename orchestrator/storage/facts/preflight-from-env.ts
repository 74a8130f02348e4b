/**
 * The pre-flight hook of a composition root: the same source registry (HF_ENDPOINT, HF_TOKEN, the
 * AWS chain, GCS/Azure settings, OUTBOUND_ALLOW) and secrets the worker's fetch uses.
 * `PREFLIGHT_TIMEOUT_MS` bounds one checkpoint read (default 20000).
 */
import type { PreflightHook } from '../../preflight/hook.js';
import { sourcesFromEnv } from '../sources/sources-from-env.js';
import { createFactsFetcher } from './facts-fetcher.js';
import { createPreflightHook } from './preflight-hook.js';

/** A hook reading facts with the environment's sources and the given secrets. */
export function preflightHookFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  secrets: Readonly<Record<string, string>>,
): PreflightHook {
  const t = Number(env['PREFLIGHT_TIMEOUT_MS']);
  const timeoutMs = Number.isSafeInteger(t) && t > 0 ? t : 20_000;
  return createPreflightHook(createFactsFetcher({ sources: sourcesFromEnv(env), secrets, timeoutMs }));
}
