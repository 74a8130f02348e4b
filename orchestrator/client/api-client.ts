/**
 * The typed client of the trt-api REST service (`trt-orchestrator/client`): every call parses the
 * answer with the same zod schemas the OpenAPI document is generated from. The bearer token is
 * sent as a header only; it never appears in an error, a URL or a log line.
 */
import type { z } from 'zod';
import type { BuildList, Submitted, WebhookDeliveries } from '../api/api-schemas.js';
import { Build, ErrorBody, LogLine, LogPage, PlanOutcome } from '../api/api-schemas.js';
import { redactUrl } from '../config/redact-url.js';
import { OPERATIONS, operationPath } from './operations.js';
import type { OperationId } from './operations.js';
import { SseParser } from './sse-parser.js';

export type BuildT = z.infer<typeof Build>;
export type BuildListT = z.infer<typeof BuildList>;
export type LogPageT = z.infer<typeof LogPage>;
export type LogEntryT = z.infer<typeof LogLine>;
export type PlanOutcomeT = z.infer<typeof PlanOutcome>;
export type SubmittedT = z.infer<typeof Submitted>;
export type WebhookDeliveriesT = z.infer<typeof WebhookDeliveries>;
export type BuildStatusT = BuildT['status'];

/** The service answered with an error body (`{error: {code, message}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The service could not be reached, or answered something that is not the documented shape. */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

export interface ClientOptions {
  /** The service root, e.g. `http://trt-api:8080` (TRT_API_URL). */
  readonly baseUrl: string;
  /** A bearer token (TRT_API_TOKEN). */
  readonly token: string;
  readonly fetch?: typeof fetch;
  /** Stream reconnects before giving up (default 10) and the delay between them (default 1000 ms, doubling to 8 s). */
  readonly reconnect?: { readonly maxAttempts?: number; readonly delayMs?: number };
  readonly sleep?: (ms: number) => Promise<void>;
}

export type SubmitOutcome =
  | { readonly kind: 'submitted'; readonly submitted: SubmittedT }
  | { readonly kind: 'invalid'; readonly diagnostics: PlanOutcomeT };

/** What a followed log stream yields. */
export type StreamEvent =
  | { readonly type: 'log'; readonly entry: LogEntryT }
  | { readonly type: 'status'; readonly status: BuildStatusT }
  | { readonly type: 'end'; readonly status: BuildStatusT }
  | { readonly type: 'reconnect'; readonly attempt: number; readonly after: number };

const YAML = 'application/yaml';

/** Validates a service root URL: http(s), no userinfo, query or fragment. */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConnectionError(`TRT_API_URL is not a URL: ${JSON.stringify(redactUrl(raw).slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConnectionError(`TRT_API_URL must be http:// or https:// (got ${url.protocol})`);
  if (url.username || url.password)
    throw new ConnectionError('TRT_API_URL must not carry credentials; set TRT_API_TOKEN instead');
  if (url.search || url.hash) throw new ConnectionError('TRT_API_URL must not have a query or fragment');
  return url;
}

/** A client bound to one service and token. */
export class TrtClient {
  private readonly root: string;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ClientOptions) {
    this.root = parseBaseUrl(options.baseUrl).href.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Where the service lives (for messages; carries no secret). */
  get origin(): string {
    return this.root;
  }

  /** Submits a config (YAML text or an object); 422 comes back as `invalid` with the diagnostics. */
  async submit(
    config: string | Record<string, unknown>,
    opts: { readonly callbackUrl?: string } = {},
  ): Promise<SubmitOutcome> {
    const body =
      typeof config === 'string' && opts.callbackUrl === undefined
        ? { type: YAML, text: config }
        : {
            type: 'application/json',
            text: JSON.stringify({
              config,
              ...(opts.callbackUrl !== undefined ? { callback: { url: opts.callbackUrl } } : {}),
            }),
          };
    const res = await this.request('submitBuild', undefined, { body: body.text, contentType: body.type });
    if (res.status === 422) return { kind: 'invalid', diagnostics: await this.parse(res, PlanOutcome) };
    return { kind: 'submitted', submitted: await this.ok(res, OPERATIONS.submitBuild.response) };
  }

  /** Validates and plans without enqueuing (200 and 422 both return the diagnostics). */
  async plan(config: string | Record<string, unknown>): Promise<PlanOutcomeT> {
    const res = await this.request(
      'planConfig',
      undefined,
      typeof config === 'string'
        ? { body: config, contentType: YAML }
        : { body: JSON.stringify({ config }), contentType: 'application/json' },
    );
    return res.status === 422 ? this.parse(res, PlanOutcome) : this.ok(res, OPERATIONS.planConfig.response);
  }

  /** One build. */
  async getBuild(id: string): Promise<BuildT> {
    return this.ok(await this.request('getBuild', id), OPERATIONS.getBuild.response);
  }

  /** A page of builds, newest first. */
  async listBuilds(
    q: { readonly status?: BuildStatusT; readonly offset?: number; readonly limit?: number } = {},
  ): Promise<BuildListT> {
    const qs = new URLSearchParams();
    if (q.status) qs.set('status', q.status);
    if (q.offset !== undefined) qs.set('offset', String(q.offset));
    if (q.limit !== undefined) qs.set('limit', String(q.limit));
    return this.ok(await this.request('listBuilds', undefined, { query: qs }), OPERATIONS.listBuilds.response);
  }

  /** Cancels; `requested` is true while a running build is still being stopped. */
  async cancel(id: string): Promise<{ readonly build: BuildT; readonly requested: boolean }> {
    const res = await this.request('cancelBuild', id);
    const build = await this.ok(res, OPERATIONS.cancelBuild.response);
    return { build, requested: res.status === 202 };
  }

  /** Log lines with seq > `after`. */
  async logs(id: string, q: { readonly after?: number; readonly limit?: number } = {}): Promise<LogPageT> {
    const qs = new URLSearchParams();
    if (q.after !== undefined) qs.set('after', String(q.after));
    if (q.limit !== undefined) qs.set('limit', String(q.limit));
    return this.ok(await this.request('getBuildLogs', id, { query: qs }), OPERATIONS.getBuildLogs.response);
  }

  /** Registered workers and what their GPUs run. */
  async workers(): Promise<z.infer<typeof OPERATIONS.listWorkers.response>> {
    return this.ok(await this.request('listWorkers', undefined), OPERATIONS.listWorkers.response);
  }

  /** Webhook delivery attempts of a build. */
  async webhooks(id: string): Promise<WebhookDeliveriesT> {
    return this.ok(await this.request('listBuildWebhooks', id), OPERATIONS.listBuildWebhooks.response);
  }

  /**
   * Follows the live log stream until its `end` event. A dropped connection is reopened with
   * `Last-Event-ID` (the last line seen), so no line is lost or repeated; yields `reconnect` then.
   */
  async *follow(
    id: string,
    opts: { readonly after?: number; readonly signal?: AbortSignal } = {},
  ): AsyncGenerator<StreamEvent> {
    const max = this.options.reconnect?.maxAttempts ?? 10;
    const baseDelay = this.options.reconnect?.delayMs ?? 1000;
    let after = opts.after ?? 0;
    let failures = 0;
    for (;;) {
      let ended = false;
      let progressed = false;
      try {
        const res = await this.request('getBuildLogs', id, {
          query: new URLSearchParams({ follow: 'true' }),
          accept: 'text/event-stream',
          lastEventId: after > 0 ? String(after) : undefined,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        if (!res.ok) await this.ok(res, LogPage); // throws the ApiError
        if (!res.body) throw new ConnectionError('the log stream has no body');
        const parser = new SseParser();
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const ev of parser.push(decoder.decode(chunk, { stream: true }))) {
            const out = this.streamEvent(ev.event, ev.data);
            if (out === null) continue;
            progressed = true;
            if (out.type === 'log') after = Math.max(after, out.entry.seq);
            yield out;
            if (out.type === 'end') ended = true;
          }
          if (ended) return;
        }
        if (ended) return;
      } catch (err) {
        if (err instanceof ApiError || opts.signal?.aborted) throw err;
        if (!(err instanceof ConnectionError) && !(err instanceof TypeError) && !isSocketError(err)) throw err;
      }
      failures = progressed ? 1 : failures + 1;
      if (failures > max) throw new ConnectionError(`the log stream of ${id} kept dropping (${max} reconnects)`);
      yield { type: 'reconnect', attempt: failures, after };
      await this.sleep(Math.min(baseDelay * 2 ** (failures - 1), 8000));
    }
  }

  private streamEvent(event: string, data: string): StreamEvent | null {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return null;
    }
    if (event === 'log') {
      const entry = LogLine.safeParse(json);
      return entry.success ? { type: 'log', entry: entry.data } : null;
    }
    if (event === 'status' || event === 'end') {
      const st = Build.shape.status.safeParse((json as { status?: unknown } | null)?.status);
      return st.success ? { type: event, status: st.data } : null;
    }
    return null;
  }

  private async request(
    op: OperationId,
    id: string | undefined,
    o: {
      body?: string;
      contentType?: string;
      query?: URLSearchParams;
      accept?: string;
      lastEventId?: string | undefined;
      signal?: AbortSignal;
    } = {},
  ): Promise<Response> {
    const qs = o.query && [...o.query.keys()].length > 0 ? `?${o.query.toString()}` : '';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: o.accept ?? 'application/json',
    };
    if (o.contentType) headers['content-type'] = o.contentType;
    if (o.lastEventId) headers['last-event-id'] = o.lastEventId;
    try {
      return await this.doFetch(`${this.root}${operationPath(op, id)}${qs}`, {
        method: OPERATIONS[op].method,
        headers,
        ...(o.body !== undefined ? { body: o.body } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      if (o.signal?.aborted) throw err;
      throw new ConnectionError(`cannot reach ${this.root}: ${causeOf(err)}`);
    }
  }

  private async ok<T extends z.ZodType>(res: Response, schema: T): Promise<z.infer<T>> {
    if (res.ok) return this.parse(res, schema);
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: reported below
    }
    const err = ErrorBody.safeParse(body);
    if (err.success) throw new ApiError(res.status, err.data.error.code, err.data.error.message);
    throw new ConnectionError(`${this.root} answered HTTP ${res.status} without an error body`);
  }

  private async parse<T extends z.ZodType>(res: Response, schema: T): Promise<z.infer<T>> {
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ConnectionError(`${this.root} answered HTTP ${res.status} with a body that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ConnectionError(
        `${this.root} answered a body that does not match the API (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'})`,
      );
    }
    return parsed.data;
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : 'unknown error');
}

function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_\w+)$/.test(code);
}
