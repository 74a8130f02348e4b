/** The SSE parser: any chunking, CRLF/CR/LF, comments, multi-line data, ids. */
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../orchestrator/client/sse-parser.js';

const STREAM =
  ': hello\nid: 1\nevent: log\ndata: {"a":1}\n\nevent: status\r\ndata: x\r\ndata: y\r\n\r\nid: 2\rdata: plain\r\r\n';

describe('SseParser', () => {
  it('parses whole events', () => {
    expect(new SseParser().push(STREAM)).toEqual([
      { event: 'log', data: '{"a":1}', id: '1' },
      { event: 'status', data: 'x\ny', id: null },
      { event: 'message', data: 'plain', id: '2' },
    ]);
  });

  it('gives the same events whatever the chunking, one character at a time included', () => {
    const whole = new SseParser().push(STREAM);
    for (const size of [1, 2, 3, 7]) {
      const p = new SseParser();
      const got = [];
      for (let i = 0; i < STREAM.length; i += size) got.push(...p.push(STREAM.slice(i, i + size)));
      expect(got, `chunk ${size}`).toEqual(whole);
    }
  });

  it('keeps an incomplete event until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.push('event: end\ndata: {}\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'end', data: '{}', id: null }]);
  });
});
