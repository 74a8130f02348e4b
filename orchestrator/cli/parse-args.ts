/** Command-line parsing for `trt-plan`, done once into a small discriminated union. Pure. */

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'schema' }
  | {
      readonly kind: 'plan';
      readonly file: string;
      readonly json: boolean;
      readonly outDir: string | null;
      readonly online?: true;
    }
  | { readonly kind: 'usage-error'; readonly message: string };

export const USAGE = `usage: trt-plan [--json] [--out DIR] [--online] <config.yaml | ->
       trt-plan schema
       trt-plan --help

Validates the trt_llm and resources sections of a Truss config.yaml and prints the build plan.
  -            read the config from stdin
  --json       print one JSON object {valid, errors, warnings, plan}
  --out DIR    also write DIR/plan.json and the launch files (only when the config is valid)
  --online     pre-flight: read the checkpoint's config.json and sizes (no weights) and check the
               plan against them; uses HF_TOKEN, HF_ENDPOINT, the AWS chain, GCS_*/AZURE_* settings
  schema       print the JSON Schema of the accepted config (for YAML editors)

Exit codes: 0 valid (warnings allowed), 1 invalid config, 2 usage or I/O error.
`;

/** Parses `argv` (without node and script). */
export function parseArgs(argv: readonly string[]): Command {
  let json = false;
  let outDir: string | null = null;
  let online = false;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (a === '--json') json = true;
    else if (a === '--online') online = true;
    else if (a === '--out' || a.startsWith('--out=')) {
      const v = a === '--out' ? argv[(i += 1)] : a.slice('--out='.length);
      if (v === undefined || v === '') return { kind: 'usage-error', message: '--out needs a directory' };
      outDir = v;
    } else if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-')
      return { kind: 'usage-error', message: `unknown option ${JSON.stringify(a.slice(0, 40))}` };
    else positional.push(a);
  }
  if (positional.length === 1 && positional[0] === 'schema' && !json && outDir === null && !online)
    return { kind: 'schema' };
  if (positional.length === 0) return { kind: 'usage-error', message: 'missing <config.yaml> (or - for stdin)' };
  if (positional.length > 1)
    return { kind: 'usage-error', message: `expected one config file, got ${positional.length}` };
  return { kind: 'plan', file: positional[0] ?? '-', json, outDir, ...(online ? { online: true as const } : {}) };
}
