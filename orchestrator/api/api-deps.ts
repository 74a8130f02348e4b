/**
 * What the REST app needs, injected as one object (main/ builds it from the environment).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { BuildQueue } from '../queue/build-queue.js';
import type { PlanConfig, Publisher } from '../queue/ports.js';

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
  /** Poll interval of the live log stream, ms (default 250). */
  readonly streamPollMs?: number;
  /** Reads an artifact-store object (the dashboard shows a build's manifest); absent: not shown. */
  readonly readArtifact?: (key: string) => Promise<Uint8Array | null>;
  /** A pino logger for requests (default: no logging). */
  readonly logger?: FastifyBaseLogger;
}
