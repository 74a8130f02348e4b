/**
 * What the REST app needs, injected as one object (main/ builds it from the environment).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { PreflightHook } from '../preflight/hook.js';
import type { BuildQueue } from '../queue/build-queue.js';
import type { LogFollower } from '../records/log-follower.js';
import type { PlanConfig, Publisher } from '../queue/ports.js';
import type { StatusListener } from '../records/status-events.js';

export interface ApiDeps {
  /** For `/readyz` (PING). */
  readonly redis: Redis;
  readonly queue: BuildQueue;
  /** The same validator+planner as `trt-plan`. */
  readonly planConfig: PlanConfig;
  /** Asked whether a plan is already published (then the build succeeds at once). */
  readonly publisher: Pick<Publisher, 'published'>;
  /**
   * The config text as a JSON value with secrets removed, kept on the build for its manifest
   * (main/ wires the storage layer's redaction). Default: nothing is kept.
   */
  readonly configForRecord?: (text: string) => unknown;
  /** Accepted bearer tokens (never logged or echoed). */
  readonly tokens: readonly string[];
  /** Largest accepted request body, bytes. */
  readonly bodyLimit: number;
  /**
   * The one blocking reader behind every live log stream of this process (XREAD BLOCK on the
   * followed builds' log streams). Default: buildApp creates one on a duplicate connection.
   */
  readonly follower?: LogFollower;
  /** Ignored: live logs no longer poll (kept so existing callers compile). */
  readonly streamPollMs?: number;
  /** Pre-flight checks run after a config planned; an outcome that gains errors is answered 422. */
  readonly preflight?: PreflightHook;
  /** Status listeners for changes the API commits (a cancel of a queued build); added to the queue's. */
  readonly statusListeners?: readonly StatusListener[];
  /** Reads an artifact-store object (the dashboard shows a build's manifest); absent: not shown. */
  readonly readArtifact?: (key: string) => Promise<Uint8Array | null>;
  /** A pino logger for requests (default: no logging). */
  readonly logger?: FastifyBaseLogger;
}
