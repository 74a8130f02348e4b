/** `trt-build` argument parsing: every command, and a precise usage error for bad input. */
import { describe, expect, it } from 'vitest';
import { parseBuildArgs } from '../../../orchestrator/cli/trt-build-args.js';

const ID = '0123456789abcdef-2';

describe('parseBuildArgs', () => {
  it('parses each command', () => {
    expect(parseBuildArgs(['submit', 'c.yaml', '--wait', '--json'])).toEqual({
      kind: 'submit',
      file: 'c.yaml',
      wait: true,
      json: true,
      callbackUrl: null,
    });
    expect(parseBuildArgs(['submit', '-', '--callback=https://h.example/x'])).toMatchObject({
      kind: 'submit',
      file: '-',
      callbackUrl: 'https://h.example/x',
    });
    expect(parseBuildArgs(['logs', ID, '-f'])).toEqual({ kind: 'logs', id: ID, follow: true, json: false });
    expect(parseBuildArgs(['list', '--status', 'failed', '--limit', '5'])).toEqual({
      kind: 'list',
      status: 'failed',
      limit: 5,
      offset: 0,
      json: false,
    });
    expect(parseBuildArgs(['fetch', ID, 'out'])).toEqual({ kind: 'fetch', id: ID, dir: 'out', json: false });
    for (const k of ['status', 'cancel', 'wait', 'verify'])
      expect(parseBuildArgs([k, ID, '--json'])).toEqual({ kind: k, id: ID, json: true });
    expect(parseBuildArgs(['--help'])).toEqual({ kind: 'help' });
  });

  it('rejects bad input with a message that names the problem', () => {
    const msg = (argv: string[]): string => {
      const r = parseBuildArgs(argv);
      return r.kind === 'usage-error' ? r.message : `no error: ${r.kind}`;
    };
    expect(msg([])).toBe('missing command');
    expect(msg(['deploy'])).toBe('unknown command "deploy"');
    expect(msg(['status'])).toBe('status takes one build id (got 0)');
    expect(msg(['status', 'nope'])).toContain('not a build id: "nope"');
    expect(msg(['fetch', ID])).toBe('fetch takes a build id and a directory (got 1)');
    expect(msg(['list', '--status', 'done'])).toContain('--status must be one of queued, running');
    expect(msg(['list', '--limit', '0'])).toBe('--limit must be an integer from 1 to 200');
    expect(msg(['status', ID, '--wait'])).toBe('--wait does not apply to status');
    expect(msg(['submit', 'c.yaml', '--token', 'x'])).toBe('unknown option "--token"');
    expect(msg(['submit', 'c.yaml', '--callback'])).toBe('--callback needs a value');
  });
});
