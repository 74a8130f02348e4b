/**
 * The dashboard's SSE client (orchestrator/ui/static/js/sse.js, a browser module that Node runs
 * as is): the text/event-stream parser under any chunking, and `followSse`'s reconnect with
 * Last-Event-ID, its stop on the `end` event, and its stop on a 4xx answer.
 */
import { describe, expect, it } from 'vitest';
import { createSseParser, followSse } from '../../../orchestrator/ui/static/js/sse.js';
import type { SseEvent, SseState } from '../../../orchestrator/ui/static/js/sse.js';

const STREAM =
  ': comment\r\nid: 1\r\nevent: log\r\ndata: {"seq":1}\r\n\r\nevent: status\ndata: a\ndata: b\n\nid: 2\nevent: log\ndata:{"seq":2}\n\nevent: nodata\n\nevent: end\rdata: {"status":"succeeded"}\r\r';
const EXPECTED: SseEvent[] = [
  { event: 'log', data: '{"seq":1}', id: '1' },
  { event: 'status', data: 'a\nb', id: '1' },
  { event: 'log', data: '{"seq":2}', id: '2' },
  { event: 'end', data: '{"status":"succeeded"}', id: '2' },
];

function parseIn(chunks: string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = createSseParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  return out;
}

describe('createSseParser', () => {
  it('parses fields, comments, multi-line data, CR/LF/CRLF, and skips events without data', () => {
    expect(parseIn([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events however the text is split (every split point, CRLF halves included)', () => {
    for (let i = 0; i <= STREAM.length; i++) expect(parseIn([STREAM.slice(0, i), STREAM.slice(i)])).toEqual(EXPECTED);
    expect(parseIn([...STREAM])).toEqual(EXPECTED);
  });

  it('does not dispatch an event whose blank line has not arrived', () => {
    expect(parseIn(['id: 9\nevent: log\ndata: x\n'])).toEqual([]);
  });
});

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
}

interface Call {
  readonly headers: Record<string, string>;
}

function run(responses: (() => Response)[]): {
  calls: Call[];
  events: SseEvent[];
  states: string[];
  follow: ReturnType<typeof followSse>;
} {
  const calls: Call[] = [];
  const events: SseEvent[] = [];
  const states: string[] = [];
  const follow = followSse('/v1/builds/x/logs?follow=true', {
    headers: () => ({ authorization: 'Bearer t' }),
    onEvent: (e) => events.push(e),
    onState: (s: SseState, message?: string) => states.push(message === undefined ? s : `${s}: ${message}`),
    retryMs: 1,
    fetchImpl: (_url, init) => {
      calls.push({ headers: init.headers });
      const next = responses[calls.length - 1];
      if (!next) return Promise.reject(new Error('no more responses'));
      return Promise.resolve(next());
    },
  });
  return { calls, events, states, follow };
}

describe('followSse', () => {
  it('reconnects after a dropped stream with Last-Event-ID and stops for good on the end event', async () => {
    const r = run([
      () =>
        new Response(streamOf(['id: 1\nevent: log\ndata: one\n\n', 'id: 2\nevent: log\ndata: two\n\n']), {
          status: 200,
        }),
      () => new Response(null, { status: 503 }),
      () => new Response(streamOf(['id: 3\nevent: log\ndata: three\n\nevent: end\ndata: {}\n\n']), { status: 200 }),
    ]);
    await r.follow.done;
    expect(r.calls.map((c) => c.headers)).toEqual([
      { authorization: 'Bearer t', accept: 'text/event-stream' },
      { authorization: 'Bearer t', accept: 'text/event-stream', 'last-event-id': '2' },
      { authorization: 'Bearer t', accept: 'text/event-stream', 'last-event-id': '2' },
    ]);
    expect(r.events.map((e) => e.data)).toEqual(['one', 'two', 'three', '{}']);
    expect(r.states).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live', 'ended']);
  });

  it('stops on a 4xx answer with the service message (retrying cannot help)', async () => {
    const r = run([
      () => Response.json({ error: { code: 'BUILD_NOT_FOUND', message: 'no build has this id' } }, { status: 404 }),
    ]);
    await r.follow.done;
    expect(r.calls).toHaveLength(1);
    expect(r.states).toEqual(['connecting', 'error: no build has this id']);
  });

  it('stop() ends a live stream without another connection', async () => {
    let cancelled = false;
    const r = run([
      () =>
        new Response(
          new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode('id: 1\nevent: log\ndata: x\n\n'));
            },
            cancel() {
              cancelled = true;
            },
          }),
          { status: 200 },
        ),
    ]);
    await expect.poll(() => r.events.length).toBe(1);
    r.follow.stop();
    await r.follow.done;
    expect(r.calls).toHaveLength(1);
    expect(r.states).toEqual(['connecting', 'live']);
    expect(cancelled).toBe(true);
  });
});
