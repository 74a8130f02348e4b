/**
 * `trt-orchestrator/client`: the typed client of the trt-api service, its wire schemas, and the
 * bundle download that checks every file against the published manifest.
 */
export { ApiError, ConnectionError, parseBaseUrl, TrtClient } from './api-client.js';
export type {
  BuildListT,
  BuildStatusT,
  BuildT,
  ClientOptions,
  LogEntryT,
  LogPageT,
  PlanOutcomeT,
  StreamEvent,
  SubmitOutcome,
  SubmittedT,
  WebhookDeliveriesT,
} from './api-client.js';
export { fetchBundle } from './fetch-bundle.js';
export type { BundleProblem, FetchBundleResult } from './fetch-bundle.js';
export { OPERATIONS, operationPath } from './operations.js';
export type { OperationId } from './operations.js';
export { SseParser } from './sse-parser.js';
export type { SseEvent } from './sse-parser.js';
export { verifySignature, signatureHeader, SIGNATURE_HEADER } from '../webhooks/signature.js';
