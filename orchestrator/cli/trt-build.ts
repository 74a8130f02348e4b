/**
 * `trt-build`: the client CLI of the trt-api service, for deploy pipelines and people. Built on
 * the typed client (`client/`). Exit codes are decided here only: 0 succeeded, 1 invalid config /
 * failed build / refused request, 2 usage or connection error, 3 cancelled. The token is read
 * from TRT_API_TOKEN and never printed.
 */
import { ApiError, ConnectionError, TrtClient } from '../client/api-client.js';
import type { BuildT, ClientOptions } from '../client/api-client.js';
import { artifactStoreFromUrl } from '../storage/artifacts/store-from-url.js';
import { verifyPublished } from '../storage/publish/verify-published.js';
import { readConfigFile, readLimited } from './read-input.js';
import { formatDiagnostic, renderText } from './render-diagnostics.js';
import { BUILD_USAGE, parseBuildArgs } from './trt-build-args.js';
import { headerLine, stepLine } from './trt-build-progress.js';
import type { BuildCommand } from './trt-build-args.js';
import { fetchBundle } from '../client/fetch-bundle.js';
import { waitForBuild } from './trt-build-wait.js';

export interface BuildCliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  /** Overrides for tests (fetch, reconnect delays). */
  readonly client?: Partial<ClientOptions>;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 3;

class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}

/** Exit code for a finished build. */
export function exitCodeFor(status: BuildT['status']): number {
  return status === 'succeeded' ? EXIT_OK : status === 'cancelled' ? EXIT_CANCELLED : EXIT_FAILED;
}

/** The reason and advice of a failed build, for people. */
export function failureText(build: BuildT): string {
  if (build.status === 'cancelled') return `trt-build: build ${build.id} was cancelled\n`;
  if (build.status !== 'failed') return '';
  const e = build.error;
  const step = build.steps.find((s) => s.status === 'failed');
  const where = step ? ` in step ${step.id}` : '';
  if (!e) return `trt-build: build ${build.id} failed${where}\n`;
  return `trt-build: build ${build.id} failed${where}: ${e.code}: ${e.message}\n${e.advice ? `advice: ${e.advice}\n` : ''}`;
}

function client(io: BuildCliIo): TrtClient {
  const token = io.env['TRT_API_TOKEN'] ?? '';
  if (token === '')
    throw new CliError(EXIT_USAGE, 'TRT_API_TOKEN is not set (the bearer token of the trt-api service)');
  return new TrtClient({ baseUrl: io.env['TRT_API_URL'] || 'http://127.0.0.1:8080', token, ...io.client });
}

function storeFor(
  build: BuildT,
  env: BuildCliIo['env'],
): { store: ReturnType<typeof artifactStoreFromUrl>; planHash: string } {
  if (build.status !== 'succeeded' || build.artifacts === null)
    throw new CliError(EXIT_FAILED, `build ${build.id} is ${build.status}: nothing is published`);
  if (!/^(s3|file):\/\//.test(build.artifacts.store))
    throw new CliError(
      EXIT_USAGE,
      `the build is published to a store this client cannot read (${build.artifacts.store.split(':')[0] ?? ''})`,
    );
  const endpoint = env['S3_ENDPOINT'];
  const store = artifactStoreFromUrl(build.artifacts.store, {
    s3: {
      region: env['AWS_REGION'] || 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: env['S3_FORCE_PATH_STYLE'] !== 'false',
    },
  });
  return { store, planHash: build.planHash };
}

async function runCommand(
  cmd: Exclude<BuildCommand, { kind: 'help' | 'usage-error' }>,
  io: BuildCliIo,
): Promise<number> {
  const api = client(io);
  const now = io.now ?? Date.now;
  const out = (t: string): Promise<void> => write(io.stdout, t);
  const err = (t: string): Promise<void> => write(io.stderr, t);
  const json = (v: unknown): Promise<void> => out(`${JSON.stringify(v, null, 2)}\n`);
  const finish = async (build: BuildT): Promise<number> => {
    if (build.status === 'queued' || build.status === 'running')
      throw new CliError(EXIT_USAGE, `stopped following build ${build.id} while it is ${build.status}`);
    await err(failureText(build));
    await (cmd.json ? json(build) : out(`${build.id}\n`));
    return exitCodeFor(build.status);
  };
  const follow = (id: string): Promise<BuildT> =>
    waitForBuild(api, id, { write: err, tty: io.stderr.isTTY === true, now });

  switch (cmd.kind) {
    case 'submit': {
      const label = cmd.file === '-' ? '<stdin>' : cmd.file;
      const read = cmd.file === '-' ? await readLimited(io.stdin) : await readConfigFile(cmd.file);
      if (!read.ok)
        throw new CliError(
          read.kind === 'io' ? EXIT_USAGE : EXIT_FAILED,
          `cannot read ${JSON.stringify(label)}: ${read.message}`,
        );
      const r = await api.submit(read.text, cmd.callbackUrl !== null ? { callbackUrl: cmd.callbackUrl } : {});
      if (r.kind === 'invalid') {
        // Columns count characters (code points) already: the API reports them so.
        await (cmd.json ? json(r.diagnostics) : err(renderText(label, { ...r.diagnostics, valid: false, plan: null })));
        return EXIT_FAILED;
      }
      for (const w of r.submitted.warnings) await err(`${formatDiagnostic(label, w)}\n`);
      await err(
        `submitted build ${r.submitted.id} (${r.submitted.created ? 'new' : 'already known'}, ${r.submitted.status})\n`,
      );
      if (cmd.wait) return finish(await follow(r.submitted.id));
      await (cmd.json ? json(r.submitted) : out(`${r.submitted.id}\n`));
      return EXIT_OK;
    }
    case 'wait':
      return finish(await follow(cmd.id));
    case 'status': {
      const b = await api.getBuild(cmd.id);
      if (cmd.json) await json(b);
      else {
        await out(`${[headerLine(b, now()), ...b.steps.map((s) => stepLine(s, now()))].join('\n')}\n`);
        if (b.artifacts) await out(`published: ${b.artifacts.store.replace(/\/+$/, '')}/${b.artifacts.prefix}\n`);
        await out(failureText(b).replace(/^trt-build: /, ''));
      }
      return EXIT_OK;
    }
    case 'cancel': {
      const r = await api.cancel(cmd.id);
      await (cmd.json
        ? json(r.build)
        : out(
            `${r.build.id} ${r.requested ? 'cancel requested (the running step is being stopped)' : r.build.status}\n`,
          ));
      return EXIT_OK;
    }
    case 'list': {
      const page = await api.listBuilds({
        ...(cmd.status ? { status: cmd.status } : {}),
        limit: cmd.limit,
        offset: cmd.offset,
      });
      if (cmd.json) await json(page);
      else {
        const rows = page.items.map(
          (b) => `${b.id.padEnd(22)} ${b.status.padEnd(10)} ${b.gpuType.padEnd(8)} ${b.createdAt}`,
        );
        await out(`${['ID'.padEnd(22) + ' STATUS     GPU      CREATED', ...rows].join('\n')}\n`);
        if (page.total > page.offset + page.items.length)
          await err(`(${page.total} builds; next page: --offset ${page.offset + page.items.length})\n`);
      }
      return EXIT_OK;
    }
    case 'logs': {
      if (cmd.follow) {
        for await (const ev of api.follow(cmd.id)) {
          if (ev.type === 'log')
            await out(cmd.json ? `${JSON.stringify(ev.entry)}\n` : `[${ev.entry.step}] ${ev.entry.line}\n`);
          else if (ev.type === 'reconnect')
            await err(`trt-build: log stream dropped; reconnecting after line ${ev.after} (attempt ${ev.attempt})\n`);
          else if (ev.type === 'end') return exitCodeFor(ev.status);
        }
        return EXIT_OK;
      }
      let after = 0;
      for (;;) {
        const page = await api.logs(cmd.id, { after, limit: 1000 });
        for (const e of page.entries) await out(cmd.json ? `${JSON.stringify(e)}\n` : `[${e.step}] ${e.line}\n`);
        if (page.entries.length === 0 || page.next <= after) return EXIT_OK;
        after = page.next;
      }
    }
    case 'fetch': {
      const { store, planHash } = storeFor(await api.getBuild(cmd.id), io.env);
      const r = await fetchBundle(store, planHash, cmd.dir);
      if (r.kind === 'not_published') throw new CliError(EXIT_FAILED, `build ${cmd.id} has no manifest in its store`);
      if (cmd.json)
        await json({ ok: r.ok, dir: cmd.dir, files: r.manifest.files.length, bytes: r.bytes, problems: r.problems });
      for (const p of r.problems)
        await err(
          `trt-build: ${p.path}: ${p.problem === 'missing' ? 'missing from the store' : `${p.problem} does not match the manifest`}\n`,
        );
      if (!r.ok) return EXIT_FAILED;
      if (!cmd.json)
        await out(
          `fetched ${r.manifest.files.length} files (${r.bytes} bytes) to ${cmd.dir}; every sha256 matches manifest.json\n`,
        );
      return EXIT_OK;
    }
    case 'verify': {
      const { store, planHash } = storeFor(await api.getBuild(cmd.id), io.env);
      const r = await verifyPublished(store, planHash);
      if (cmd.json) await json({ ok: r.ok, problems: r.problems });
      for (const p of r.problems)
        await err(
          `trt-build: ${p.path}: ${p.problem === 'missing' ? 'missing' : `${p.problem} does not match the manifest`}\n`,
        );
      if (!cmd.json && r.ok) await out(`verified ${r.manifest?.files.length ?? 0} files against manifest.json\n`);
      return r.ok ? EXIT_OK : EXIT_FAILED;
    }
  }
}

/** Runs the CLI; resolves to the exit code and never rejects. */
export async function main(argv: string[], io: BuildCliIo): Promise<number> {
  const cmd = parseBuildArgs(argv);
  if (cmd.kind === 'help') {
    await write(io.stdout, BUILD_USAGE);
    return EXIT_OK;
  }
  if (cmd.kind === 'usage-error') {
    await write(io.stderr, `trt-build: ${cmd.message}\n\n${BUILD_USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await runCommand(cmd, io);
  } catch (e) {
    if (e instanceof CliError) {
      await write(io.stderr, `trt-build: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ApiError) {
      const hint = e.status === 401 ? ' (check TRT_API_TOKEN)' : '';
      await write(io.stderr, `trt-build: the service refused: ${e.code}: ${e.message}${hint}\n`);
      return e.status === 409 || e.status === 404 ? EXIT_FAILED : EXIT_USAGE;
    }
    if (e instanceof ConnectionError) {
      await write(io.stderr, `trt-build: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const code = (e as { code?: unknown }).code;
    await write(
      io.stderr,
      `trt-build: ${typeof code === 'string' ? `${code}: ` : ''}${e instanceof Error ? e.message : 'unknown error'}\n`,
    );
    return EXIT_USAGE;
  }
}
