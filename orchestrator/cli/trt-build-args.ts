/** Command-line parsing for `trt-build`, done once into a small discriminated union. Pure. */
import { BuildStatus } from '../build/state-machine.js';

export type BuildCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string }
  | {
      readonly kind: 'submit';
      readonly file: string;
      readonly wait: boolean;
      readonly json: boolean;
      readonly callbackUrl: string | null;
    }
  | { readonly kind: 'status' | 'cancel' | 'wait' | 'verify'; readonly id: string; readonly json: boolean }
  | { readonly kind: 'logs'; readonly id: string; readonly follow: boolean; readonly json: boolean }
  | {
      readonly kind: 'list';
      readonly status: BuildStatus | null;
      readonly limit: number;
      readonly offset: number;
      readonly json: boolean;
    }
  | { readonly kind: 'fetch'; readonly id: string; readonly dir: string; readonly json: boolean };

export const BUILD_USAGE = `usage: trt-build submit <config.yaml | -> [--wait] [--json] [--callback URL]
       trt-build status <id> [--json]
       trt-build logs <id> [-f] [--json]
       trt-build cancel <id> [--json]
       trt-build list [--status S] [--limit N] [--offset N] [--json]
       trt-build wait <id> [--json]
       trt-build fetch <id> <dir> [--json]
       trt-build verify <id> [--json]

Talks to the trt-api service at TRT_API_URL (default http://127.0.0.1:8080) with the bearer
token in TRT_API_TOKEN. Progress goes to stderr; results (the build id, or JSON) to stdout.
  --wait       follow the build to its end (live step lines on a terminal, plain lines otherwise)
  --json       print JSON for scripts
  -f           follow the log stream until the build ends
  --callback   a URL that receives a signed POST on every status change

Exit codes: 0 succeeded, 1 invalid config, failed build or refused request (reason printed),
2 usage or connection error, 3 build cancelled.
`;

const ID = /^[0-9a-f]{16}-[1-9][0-9]{0,8}$/;
const ARITY: Record<string, number> = {
  submit: 1,
  status: 1,
  logs: 1,
  cancel: 1,
  wait: 1,
  verify: 1,
  fetch: 2,
  list: 0,
};

/** Parses `argv` (without node and script). */
export function parseBuildArgs(argv: readonly string[]): BuildCommand {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  const valued = new Set(['--status', '--limit', '--offset', '--callback']);
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-f' || a === '--follow') flags.set('--follow', true);
    else if (a === '--wait' || a === '--json') flags.set(a, true);
    else if (valued.has(a.split('=')[0] ?? '')) {
      const name = a.split('=')[0] ?? '';
      const v = a.includes('=') ? a.slice(name.length + 1) : argv[(i += 1)];
      if (v === undefined || v === '') return { kind: 'usage-error', message: `${name} needs a value` };
      flags.set(name, v);
    } else if (a.startsWith('-') && a !== '-')
      return { kind: 'usage-error', message: `unknown option ${JSON.stringify(a.slice(0, 40))}` };
    else positional.push(a);
  }
  const [cmd, ...args] = positional;
  if (cmd === undefined) return { kind: 'usage-error', message: 'missing command' };
  const arity = ARITY[cmd];
  if (arity === undefined)
    return { kind: 'usage-error', message: `unknown command ${JSON.stringify(cmd.slice(0, 40))}` };
  if (args.length !== arity)
    return {
      kind: 'usage-error',
      message: `${cmd} takes ${arity === 0 ? 'no arguments' : arity === 1 ? (cmd === 'submit' ? 'one config file (or -)' : 'one build id') : 'a build id and a directory'} (got ${args.length})`,
    };
  const allowed: Record<string, readonly string[]> = {
    submit: ['--wait', '--json', '--callback'],
    logs: ['--follow', '--json'],
    list: ['--status', '--limit', '--offset', '--json'],
  };
  for (const f of flags.keys())
    if (!(allowed[cmd] ?? ['--json']).includes(f))
      return { kind: 'usage-error', message: `${f} does not apply to ${cmd}` };
  const json = flags.has('--json');
  if (cmd !== 'submit' && cmd !== 'list' && !ID.test(args[0] ?? ''))
    return {
      kind: 'usage-error',
      message: `not a build id: ${JSON.stringify((args[0] ?? '').slice(0, 40))} (expected 16 hex digits, a dash, a number)`,
    };
  const id = args[0] ?? '';
  switch (cmd) {
    case 'submit': {
      const cb = flags.get('--callback');
      return {
        kind: 'submit',
        file: id,
        wait: flags.has('--wait'),
        json,
        callbackUrl: typeof cb === 'string' ? cb : null,
      };
    }
    case 'logs':
      return { kind: 'logs', id, follow: flags.has('--follow'), json };
    case 'fetch':
      return { kind: 'fetch', id, dir: args[1] ?? '', json };
    case 'list': {
      const st = flags.get('--status');
      const status = typeof st === 'string' ? BuildStatus.safeParse(st) : null;
      if (status && !status.success)
        return { kind: 'usage-error', message: `--status must be one of ${BuildStatus.options.join(', ')}` };
      const limit = intFlag(flags.get('--limit'), 1, 200, 20);
      const offset = intFlag(flags.get('--offset'), 0, 1_000_000, 0);
      if (limit === null) return { kind: 'usage-error', message: '--limit must be an integer from 1 to 200' };
      if (offset === null) return { kind: 'usage-error', message: '--offset must be an integer from 0 to 1000000' };
      return { kind: 'list', status: status?.data ?? null, limit, offset, json };
    }
    default:
      return { kind: cmd as 'status' | 'cancel' | 'wait' | 'verify', id, json };
  }
}

function intFlag(v: string | true | undefined, min: number, max: number, def: number): number | null {
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^\d{1,7}$/.test(v)) return null;
  const n = Number(v);
  return n >= min && n <= max ? n : null;
}
