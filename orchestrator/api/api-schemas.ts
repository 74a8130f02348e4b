/**
 * The REST API's wire shapes as zod schemas: the one source the OpenAPI document is generated from
 * (`openapi.ts`) and the typed client parses responses with (`client/`). Type-level checks at the
 * bottom hold them equal to the queue's own view types, so the three cannot drift apart.
 * Pure: imports only zod and core constants.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../build/error-codes.js';
import type { ErrorCode } from '../build/error-codes.js';
import { BuildStatus, StepStatus } from '../build/state-machine.js';
import { GPU_TYPES } from '../gpu/catalog.js';
import { WebhookAttempt } from '../webhooks/attempt-schema.js';
import type { ArtifactsView, BuildError, BuildView, LogEntry, StepView } from '../records/build-view.js';

export const BUILD_ID_PATTERN = '^[0-9a-f]{16}-[1-9][0-9]*$';
const count = z.number().int().min(0);

export const ErrorBody = z
  .object({
    error: z.object({
      code: z
        .enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
        .describe('Stable code from the error-code registry'),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error', description: 'Every non-2xx answer (except 422 with diagnostics)' });

export const Diagnostic = z
  .object({
    code: z.string().describe('Stable upper-snake-case code, e.g. CALIB_SIZE_NOT_MULTIPLE_OF_64'),
    severity: z.enum(['error', 'warning']),
    path: z.string().describe('Dotted path from the document root ("" for the whole document)'),
    message: z.string(),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
  })
  .meta({ id: 'Diagnostic', description: 'One problem found in a config' });

export const PlanStepSummary = z
  .object({
    id: z.string(),
    kind: z.enum(['fetch', 'convert', 'quantize', 'engine_build', 'publish']),
    description: z.string(),
    image: z.string().nullable(),
    argv: z.array(z.string()),
    gpus: count,
    timeoutSeconds: count,
  })
  .meta({ id: 'PlanStep', description: 'One step of a build plan (kind-specific fields are not listed)' });

export const BuildPlan = z
  .object({
    schemaVersion: z.literal(1),
    planHash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    stack: z.string(),
    baseModel: z.string(),
    accelerator: z.object({ type: z.enum(GPU_TYPES), count: z.number().int().min(1), sm: z.number().int().min(1) }),
    builder: z.object({ gpuType: z.enum(GPU_TYPES), gpuCount: z.number().int().min(1) }),
    lane: z.object({ name: z.string(), image: z.string(), trtllmVersion: z.string() }),
    steps: z.array(PlanStepSummary),
    launch: z.record(
      z.string(),
      z.object({
        server: z.string(),
        argv: z.array(z.string()),
        files: z.array(z.object({ path: z.string(), content: z.string() })),
      }),
    ),
  })
  .meta({
    id: 'BuildPlan',
    description: 'The plan `trt-plan` prints (the fields listed here are stable; more may appear)',
  });

const nullableObject = z.record(z.string(), z.unknown()).nullable();
export const Preflight = z
  .object({
    checked: z
      .boolean()
      .describe('Whether checkpoint facts were read (false offline or when the source could not be read)'),
    model: nullableObject,
    memory: nullableObject,
    calibration: nullableObject,
    disk: nullableObject,
    buildTimeEstimate: nullableObject.describe('Rough, labelled as such'),
    adapters: z.array(z.record(z.string(), z.unknown())),
    notChecked: z.array(z.object({ what: z.string(), why: z.string() })),
  })
  .meta({
    id: 'Preflight',
    description:
      'Pre-flight facts about the checkpoint: model summary, memory and disk estimates (see preflight/README.md)',
  });

export const PlanOutcome = z
  .object({
    valid: z.boolean(),
    errors: z.array(Diagnostic),
    warnings: z.array(Diagnostic),
    plan: BuildPlan.nullable(),
    preflight: Preflight.optional(),
  })
  .meta({ id: 'Diagnostics', description: 'Exactly the `trt-plan --json` object' });

export const Callback = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .describe('Receives a signed POST on every status change (see README "Webhooks")'),
  })
  .meta({ id: 'Callback' });

export const SubmitJson = z
  .object({
    config: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .describe('The Truss config as an object, or as YAML text'),
    callback: Callback.nullable().optional(),
  })
  .meta({ id: 'SubmitRequest' });

export const Links = z
  .object({ self: z.string(), logs: z.string(), cancel: z.string() })
  .meta({ id: 'Links', description: 'Relative URLs a client follows from a build' });

export const Submitted = z
  .object({
    id: z.string().regex(new RegExp(BUILD_ID_PATTERN)),
    status: BuildStatus,
    planHash: z.string(),
    created: z.boolean().describe('False when the same plan was already queued, running or published'),
    warnings: z.array(Diagnostic),
    links: Links,
    preflight: Preflight.optional().describe(
      'What pre-flight read from the checkpoint (absent when pre-flight is off)',
    ),
  })
  .meta({ id: 'Submitted' });

export const Step = z
  .object({
    id: z.string(),
    kind: PlanStepSummary.shape.kind,
    status: StepStatus,
    attempts: count,
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    progress: z.number().min(0).max(1).nullable().describe('0..1 where the tool prints progress'),
  })
  .meta({ id: 'Step' });

export const Artifacts = z
  .object({
    store: z.string().describe('The artifact store URL (s3://… or file:///…)'),
    prefix: z.string(),
    manifest: z.string().describe('Key of manifest.json in the store'),
  })
  .meta({ id: 'Artifacts', description: 'Where a published build lives' });

export const BuildErrorSchema = z
  .object({ code: z.string(), message: z.string(), advice: z.string().nullable() })
  .meta({ id: 'BuildError' });

const buildFields = {
  id: z.string(),
  status: BuildStatus,
  planHash: z.string(),
  gpuType: z.enum(GPU_TYPES),
  createdAt: z.string(),
  updatedAt: z.string(),
  cancelRequested: z.boolean(),
  attempts: count.describe('Times a worker started the build job (retries and stall recoveries included)'),
  steps: z.array(Step),
  artifacts: Artifacts.nullable(),
  error: BuildErrorSchema.nullable(),
  waitReason: z
    .string()
    .nullable()
    .describe('Why a queued build is not running yet (e.g. no worker has that many GPUs), else null'),
};

export const BuildSummary = z
  .object(buildFields)
  .meta({ id: 'BuildSummary', description: 'A build as the list shows it' });
export const Build = z.object({ ...buildFields, links: Links }).meta({ id: 'Build' });

export const BuildList = z
  .object({ items: z.array(BuildSummary), total: count, offset: count, limit: z.number().int().min(1).max(200) })
  .meta({ id: 'BuildList', description: 'A page of builds, newest first' });

export const LogLine = z
  .object({
    seq: z.number().int().min(1),
    ts: count.describe('Epoch ms'),
    step: z.string(),
    stream: z.enum(['stdout', 'stderr', 'system']),
    line: z.string(),
  })
  .meta({ id: 'LogEntry' });

export const LogPage = z
  .object({
    entries: z.array(LogLine),
    next: count.describe('Pass as `after` for the next page'),
    truncated: z.boolean().describe('Lines after `after` were dropped by the log cap'),
  })
  .meta({ id: 'LogPage' });

export const Health = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export const Ready = z.object({ status: z.literal('ready') }).meta({ id: 'Ready' });

export const WorkerList = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        host: z.string(),
        gpuType: z.enum(GPU_TYPES).nullable().describe('Null for a worker that serves only the io (fetch) queue'),
        io: z.boolean(),
        gpus: z.array(z.object({ id: z.string(), build: z.string().nullable(), step: z.string().nullable() })),
        lastHeartbeat: z.string(),
      }),
    ),
  })
  .meta({ id: 'WorkerList', description: 'Registered workers (heartbeat registry): their GPUs and what each runs' });

export { WebhookAttempt };

export const WebhookDeliveries = z
  .object({ buildId: z.string(), attempts: z.array(WebhookAttempt) })
  .meta({ id: 'WebhookDeliveries', description: 'Delivery attempts, oldest first' });

/** Every schema the document lists under components (order is the document's). */
export const COMPONENT_SCHEMAS = [
  ErrorBody,
  Diagnostic,
  PlanStepSummary,
  BuildPlan,
  PlanOutcome,
  Callback,
  SubmitJson,
  Links,
  Submitted,
  Step,
  Artifacts,
  BuildErrorSchema,
  BuildSummary,
  Build,
  BuildList,
  LogLine,
  LogPage,
  Health,
  Ready,
  Preflight,
  WorkerList,
  WebhookAttempt,
  WebhookDeliveries,
] as const;

// Compile-time parity with the queue's view types (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
const parity: [
  Same<z.infer<typeof BuildSummary>, Mutable<BuildView>>,
  Same<z.infer<typeof Step>, Mutable<StepView>>,
  Same<z.infer<typeof Artifacts>, Mutable<ArtifactsView>>,
  Same<z.infer<typeof BuildErrorSchema>, Mutable<BuildError>>,
  Same<z.infer<typeof LogLine>, Mutable<LogEntry>>,
] = [true, true, true, true, true];
void parity;
