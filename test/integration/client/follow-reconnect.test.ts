/**
 * The client's log stream over real HTTP: when the server drops the connection mid-stream, the
 * client reconnects with `Last-Event-ID` = the last line it saw, so every line arrives exactly once,
 * and it stops at `end` without reconnecting. Errors come back typed, without the token.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, TrtClient } from '../../../orchestrator/client/api-client.js';
import type { StreamEvent } from '../../../orchestrator/client/api-client.js';

const TOKEN = 'follow-token-0123456789';
const ID = '0123456789abcdef-1';
const requests: IncomingHttpHeaders[] = [];
let server: Server;
let base = '';

const line = (seq: number): string =>
  `id: ${seq}\nevent: log\ndata: ${JSON.stringify({ seq, ts: 1, step: 'convert', stream: 'stdout', line: `line ${seq}` })}\n\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.headers);
    if (!req.url?.startsWith(`/v1/builds/${ID}/logs`)) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'BUILD_NOT_FOUND', message: 'no build has this id' } }));
      return;
    }
    const after = Number(req.headers['last-event-id'] ?? '0');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (requests.length === 1) {
      // First connection: status, lines 1..3, then the connection breaks.
      res.write(`event: status\ndata: {"status":"running"}\n\n${line(1)}${line(2)}${line(3)}`, () => res.socket?.end());
      return;
    }
    for (let s = after + 1; s <= 5; s++) res.write(line(s));
    res.end(`event: end\ndata: {"status":"succeeded"}\n\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('TrtClient.follow', () => {
  it('reconnects with Last-Event-ID and delivers every line once, then stops at end', async () => {
    const sleeps: number[] = [];
    const client = new TrtClient({ baseUrl: base, token: TOKEN, sleep: (ms) => Promise.resolve(void sleeps.push(ms)) });
    const events: StreamEvent[] = [];
    for await (const ev of client.follow(ID)) events.push(ev);
    const seqs = events.flatMap((e) => (e.type === 'log' ? [e.entry.seq] : []));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(events.filter((e) => e.type === 'reconnect')).toEqual([{ type: 'reconnect', attempt: 1, after: 3 }]);
    expect(events.at(-1)).toEqual({ type: 'end', status: 'succeeded' });
    expect(requests.length).toBe(2);
    expect(requests[1]?.['last-event-id']).toBe('3');
    expect(requests.every((h) => h.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(sleeps).toEqual([1000]);
  });

  it('reports API errors typed and connection failures without the token', async () => {
    const client = new TrtClient({ baseUrl: base, token: TOKEN });
    await expect(client.getBuild('ffffffffffffffff-1')).rejects.toEqual(
      new ApiError(404, 'BUILD_NOT_FOUND', 'no build has this id'),
    );
    const down = new TrtClient({
      baseUrl: 'http://127.0.0.1:1',
      token: TOKEN,
      reconnect: { maxAttempts: 1, delayMs: 0 },
    });
    const err = await down.getBuild(ID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(String(err)).toContain('cannot reach http://127.0.0.1:1');
    expect(String(err)).not.toContain(TOKEN);
    expect(() => new TrtClient({ baseUrl: 'http://user:pw@h', token: TOKEN })).toThrow('must not carry credentials');
  });
});
