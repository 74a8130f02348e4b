// Types of sse.js (a browser module served as is) for the Node unit tests that import it.

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

export type SseState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error';

/** Incremental text/event-stream parser. */
export function createSseParser(onEvent: (ev: SseEvent) => void): {
  push(text: string): void;
  readonly lastId: string | null;
};

/** Follows an SSE URL with reconnects (Last-Event-ID) until the `end` event or `stop()`. */
export function followSse(
  url: string,
  options: {
    headers: () => Record<string, string>;
    onEvent: (ev: SseEvent) => void;
    onState: (state: SseState, message?: string, status?: number) => void;
    retryMs?: number;
    maxRetryMs?: number;
    fetchImpl?: (
      url: string,
      init: { headers: Record<string, string>; signal: AbortSignal; cache: string },
    ) => Promise<Response>;
  },
): { stop(): void; readonly done: Promise<void> };
