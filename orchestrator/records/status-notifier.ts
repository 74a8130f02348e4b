/**
 * Delivers committed status changes to the status listeners (status-events.ts), in order per
 * build: each build has its own promise chain, so a slow listener never reorders one build's events.
 */
import type { BuildStore } from './build-store.js';
import type { BuildStatus } from './build-view.js';
import type { Log } from './service-log.js';
import type { StatusEventKind, StatusListener } from './status-events.js';

/** Statuses that produce an event. */
function eventKind(status: BuildStatus): StatusEventKind | null {
  switch (status) {
    case 'running':
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      return status;
    case 'queued':
      return null;
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** Serialises status events per build and hands them to every listener. */
export class StatusNotifier {
  private readonly chains = new Map<string, Promise<void>>();
  private store: BuildStore | null = null;
  private readonly listeners: StatusListener[];

  constructor(
    listeners: readonly StatusListener[],
    private readonly log: Log,
  ) {
    this.listeners = [...listeners];
  }

  /** Adds listeners (once each). */
  add(listeners: readonly StatusListener[]): void {
    for (const l of listeners) if (!this.listeners.includes(l)) this.listeners.push(l);
  }

  /** The store whose records the events show (set once by the owner of the store). */
  attach(store: BuildStore): void {
    this.store = store;
  }

  /** Called by the store after a committed change; never throws. */
  readonly notify = (id: string, status: BuildStatus, atMs: number): void => {
    const kind = eventKind(status);
    if (kind === null || this.listeners.length === 0 || !this.store) return;
    const store = this.store;
    const prev = this.chains.get(id) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const [build, callbackUrl] = await Promise.all([store.get(id), store.callbackUrl(id)]);
        if (!build) return;
        const event = {
          eventId: `${id}:${kind}`,
          buildId: id,
          status: kind,
          at: atMs,
          build: { ...build, status: kind },
          callbackUrl,
        };
        for (const listener of this.listeners) {
          try {
            await listener(event);
          } catch (err) {
            this.log.warn({ buildId: id, err: String(err) }, 'status listener failed');
          }
        }
      })
      .catch((err: unknown) => this.log.warn({ buildId: id, err: String(err) }, 'status event not delivered'));
    this.chains.set(id, next);
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  };

  /** Resolves when every event handed over so far was delivered (tests, shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }
}
