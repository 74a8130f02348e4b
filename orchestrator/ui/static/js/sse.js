// Server-Sent Events over fetch + ReadableStream: unlike EventSource, fetch can send the bearer
// header. Reconnects with Last-Event-ID after a dropped connection and stops for good on the
// server's `end` event. No DOM use here, so Node runs it in unit tests too.

/**
 * Incremental text/event-stream parser: feed decoded text in any chunking; `onEvent` gets
 * `{event, data, id}` per dispatched event (the spec's rules for fields, comments and CR/LF).
 */
export function createSseParser(onEvent) {
  let buffer = '';
  let data = [];
  let event = '';
  let id = null;
  let pendingCr = false;
  const line = (l) => {
    if (l === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id });
      data = [];
      event = '';
      return;
    }
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };
  return {
    /** Parses the next chunk of text. */
    push(text) {
      if (pendingCr && text.startsWith('\n')) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      const parts = buffer.split(/\r\n|\r|\n/);
      buffer = parts.pop() ?? '';
      // A trailing CR might be the first half of a CRLF split across chunks.
      if (buffer === '' && text.endsWith('\r')) pendingCr = true;
      for (const p of parts) line(p);
    },
    /** The last event id seen (for Last-Event-ID). */
    get lastId() {
      return id;
    },
  };
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * Follows an SSE URL: `headers()` gives the request headers for each (re)connection; `onEvent`
 * gets every event; `onState` gets 'connecting' | 'live' | 'reconnecting' | 'ended' | 'error'
 * (with a message). Returns `{stop()}`. A 4xx answer stops (it will not change by retrying).
 */
export function followSse(url, { headers, onEvent, onState, retryMs = 500, maxRetryMs = 10_000, fetchImpl = fetch }) {
  const stopper = new AbortController();
  let lastId = null;
  let delay = retryMs;
  const run = async () => {
    while (!stopper.signal.aborted) {
      onState(lastId === null ? 'connecting' : 'reconnecting');
      let ended = false;
      try {
        const h = { ...headers(), accept: 'text/event-stream' };
        if (lastId !== null) h['last-event-id'] = lastId;
        const res = await fetchImpl(url, { headers: h, signal: stopper.signal, cache: 'no-store' });
        if (res.status >= 400 && res.status < 500) {
          let message = `${res.status}`;
          try {
            message = (await res.json()).error.message;
          } catch {
            // not the service's JSON error body
          }
          onState('error', message, res.status);
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('live');
        delay = retryMs;
        const parser = createSseParser((ev) => {
          if (ev.id !== null) lastId = ev.id;
          if (ev.event === 'end') ended = true;
          onEvent(ev);
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        // stop() ends a pending read even where the body does not follow the fetch's signal.
        const cancel = () => void reader.cancel().catch(() => {});
        stopper.signal.addEventListener('abort', cancel, { once: true });
        try {
          while (!ended) {
            const { value, done } = await reader.read();
            if (done) break;
            parser.push(value);
          }
        } finally {
          stopper.signal.removeEventListener('abort', cancel);
        }
        if (ended) {
          await reader.cancel().catch(() => {});
          onState('ended');
          return;
        }
      } catch {
        if (stopper.signal.aborted) return;
      }
      await sleep(delay, stopper.signal);
      delay = Math.min(delay * 2, maxRetryMs);
    }
  };
  const done = run();
  return {
    stop() {
      stopper.abort();
    },
    done,
  };
}
