// The one redirect loop our HTTP clients share (policyFetch, directGet): which hops it sends,
// with which headers, what it drops, where it stops, against a scripted transport.
import { describe, expect, it } from 'vitest';
import { requestFollowingRedirects, type RedirectHops } from '../../../orchestrator/net/follow-redirect.js';

interface Scripted {
  readonly status: number;
  readonly location?: string;
  readonly name: string;
}

/** A transport answering each URL from `script`; records what was sent and what was discarded. */
function transport(script: Readonly<Record<string, Scripted>>) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const discarded: string[] = [];
  const hops: RedirectHops<Scripted> = {
    send: (url, headers) => {
      sent.push({ url: url.href, headers: { ...headers } });
      const r = script[url.href];
      return r === undefined ? Promise.reject(new Error(`unexpected ${url.href}`)) : Promise.resolve(r);
    },
    probe: (r) => ({ status: r.status, location: r.location }),
    discard: (r) => discarded.push(r.name),
  };
  return { hops, sent, discarded };
}

const AUTH = { authorization: 'Bearer t0k3n', accept: '*/*' };

describe('requestFollowingRedirects', () => {
  it('returns a non-redirect response as is, after one request', async () => {
    const t = transport({ 'https://a.example/x': { status: 200, name: 'ok' } });
    const { response, url } = await requestFollowingRedirects(new URL('https://a.example/x'), AUTH, 5, t.hops);
    expect(response.name).toBe('ok');
    expect(url.href).toBe('https://a.example/x');
    expect(t.sent).toEqual([{ url: 'https://a.example/x', headers: AUTH }]);
    expect(t.discarded).toEqual([]);
  });

  it('follows a chain, keeps Authorization on the same origin and drops it across origins', async () => {
    const t = transport({
      'https://a.example/x': { status: 302, location: '/y', name: 'r1' },
      'https://a.example/y': { status: 307, location: 'https://cdn.example/z?sig=1', name: 'r2' },
      'https://cdn.example/z?sig=1': { status: 200, name: 'body' },
    });
    const { response, url } = await requestFollowingRedirects(new URL('https://a.example/x'), AUTH, 5, t.hops);
    expect(response.name).toBe('body');
    expect(url.href).toBe('https://cdn.example/z?sig=1');
    expect(t.sent).toEqual([
      { url: 'https://a.example/x', headers: AUTH },
      { url: 'https://a.example/y', headers: AUTH },
      { url: 'https://cdn.example/z?sig=1', headers: { accept: '*/*' } },
    ]);
    // Each followed redirect's body is dropped; the last response's is not.
    expect(t.discarded).toEqual(['r1', 'r2']);
  });

  it('does not mutate the caller’s headers', async () => {
    const headers = { ...AUTH };
    const t = transport({
      'https://a.example/x': { status: 301, location: 'https://b.example/', name: 'r' },
      'https://b.example/': { status: 200, name: 'ok' },
    });
    await requestFollowingRedirects(new URL('https://a.example/x'), headers, 5, t.hops);
    expect(headers).toEqual(AUTH);
  });

  it('returns the redirect itself once maxRedirects hops were followed', async () => {
    const t = transport({
      'https://a.example/0': { status: 302, location: '/1', name: 'r0' },
      'https://a.example/1': { status: 302, location: '/2', name: 'r1' },
      'https://a.example/2': { status: 302, location: '/3', name: 'r2' },
    });
    const { response, url } = await requestFollowingRedirects(new URL('https://a.example/0'), {}, 2, t.hops);
    expect(response.name).toBe('r2');
    expect(url.href).toBe('https://a.example/2');
    expect(t.sent.map((s) => s.url)).toEqual(['https://a.example/0', 'https://a.example/1', 'https://a.example/2']);
    expect(t.discarded).toEqual(['r0', 'r1']);
  });

  it('with maxRedirects 0 returns the first response, redirect or not', async () => {
    const t = transport({ 'https://a.example/0': { status: 302, location: '/1', name: 'r0' } });
    const { response } = await requestFollowingRedirects(new URL('https://a.example/0'), {}, 0, t.hops);
    expect(response.name).toBe('r0');
    expect(t.discarded).toEqual([]);
  });

  it('treats a redirect status without Location, and a 304, as final', async () => {
    for (const r of [
      { status: 302, name: 'no-location' },
      { status: 304, location: '/elsewhere', name: 'not-modified' },
    ]) {
      const t = transport({ 'https://a.example/': r });
      const { response } = await requestFollowingRedirects(new URL('https://a.example/'), {}, 5, t.hops);
      expect(response.name).toBe(r.name);
      expect(t.sent).toHaveLength(1);
    }
  });

  it('refuses a start URL that is not http(s) before sending anything', async () => {
    const t = transport({});
    await expect(requestFollowingRedirects(new URL('ftp://a.example/x'), {}, 5, t.hops)).rejects.toThrow(
      new TypeError('unsupported protocol ftp:'),
    );
    expect(t.sent).toEqual([]);
  });

  it('refuses a redirect to another protocol without sending it', async () => {
    const t = transport({ 'https://a.example/': { status: 302, location: 'file:///etc/passwd', name: 'r' } });
    await expect(requestFollowingRedirects(new URL('https://a.example/'), {}, 5, t.hops)).rejects.toThrow(
      /redirect to unsupported protocol file:/,
    );
    expect(t.sent).toHaveLength(1);
  });
});
