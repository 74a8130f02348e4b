/**
 * Follows a build to its end for `trt-build --wait` / `wait`: reads the live log stream (which
 * reconnects with Last-Event-ID), re-reads the build when its status changes or lines arrive
 * (at most every `refreshMs`), and draws the step lines (in place on a terminal, plain otherwise).
 */
import { isTerminal } from '../build/state-machine.js';
import type { BuildT, TrtClient } from '../client/api-client.js';
import { PlainProgress, TtyProgress } from './trt-build-progress.js';

export interface WaitOptions {
  readonly write: (text: string) => Promise<void>;
  readonly tty: boolean;
  readonly now: () => number;
  /** Least time between two reads of the build while lines stream in (default 500 ms). */
  readonly refreshMs?: number;
  /** Terminal redraw interval for the elapsed times (default 1000 ms; 0: none). */
  readonly tickMs?: number;
}

/** Resolves to the finished build. */
export async function waitForBuild(
  api: Pick<TrtClient, 'getBuild' | 'follow'>,
  id: string,
  o: WaitOptions,
): Promise<BuildT> {
  const tty = o.tty ? new TtyProgress() : null;
  const plain = o.tty ? null : new PlainProgress();
  let last: BuildT | null = null;
  let chain = Promise.resolve();
  const draw = (b: BuildT): Promise<void> => {
    last = b;
    const text = tty ? tty.frame(b, o.now()) : (plain?.lines(b, o.now()) ?? []).map((l) => `${l}\n`).join('');
    chain = chain.then(() => (text ? o.write(text) : undefined));
    return chain;
  };
  const tickMs = o.tickMs ?? 1000;
  const ticker = tty && tickMs > 0 ? setInterval(() => void (last ? draw(last) : undefined), tickMs) : null;
  try {
    let build = await api.getBuild(id);
    await draw(build);
    if (isTerminal(build.status)) return build;
    let lastRead = o.now();
    for await (const ev of api.follow(id)) {
      if (ev.type === 'reconnect') {
        if (!tty) await o.write(`  (log stream dropped; reconnecting after line ${ev.after}, attempt ${ev.attempt})\n`);
        continue;
      }
      if (ev.type === 'log' && o.now() - lastRead < (o.refreshMs ?? 500)) continue;
      build = await api.getBuild(id);
      lastRead = o.now();
      await draw(build);
      if (ev.type === 'end') break;
    }
    build = await api.getBuild(id);
    await draw(build);
    return build;
  } finally {
    if (ticker) clearInterval(ticker);
    await chain;
  }
}
