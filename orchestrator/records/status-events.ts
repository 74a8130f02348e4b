/**
 * Build status-change events: the one hook through which anything outside the queue (webhooks,
 * dashboards) learns that a build changed status. The queue calls every listener after the new
 * status is committed to Redis, in order per build; a listener must not throw (failures are its own
 * to log and retry) and must return quickly (enqueue, don't deliver inline).
 */
import type { BuildView } from './build-view.js';

/** Statuses that produce an event (queued builds are announced by the submit response). */
export type StatusEventKind = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface StatusEvent {
  /** Unique per (build, status): `<buildId>:<status>`; receivers de-duplicate by it. */
  readonly eventId: string;
  readonly buildId: string;
  readonly status: StatusEventKind;
  /** Epoch ms when the status was committed. */
  readonly at: number;
  /** The build as `GET /v1/builds/:id` shows it right after the change. */
  readonly build: BuildView;
  /** The submit's `callback.url`, when it had one (webhook delivery checks it against the address policy). */
  readonly callbackUrl: string | null;
}

/** Receives status events; see the file comment for the contract. */
export type StatusListener = (event: StatusEvent) => Promise<void>;
