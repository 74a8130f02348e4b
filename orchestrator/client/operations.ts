/**
 * The REST operations the client calls: operationId → method, path template and the schema its
 * success answer is parsed with, exactly as the OpenAPI document names them (a test holds the two
 * equal, so the client and the document cannot drift).
 */
import {
  Build,
  BuildList,
  LogPage,
  PlanOutcome,
  Ready,
  Submitted,
  WebhookDeliveries,
  WorkerList,
} from '../api/api-schemas.js';

export const OPERATIONS = {
  submitBuild: { method: 'POST', path: '/v1/builds', response: Submitted, status: [200, 202] },
  listBuilds: { method: 'GET', path: '/v1/builds', response: BuildList, status: [200] },
  planConfig: { method: 'POST', path: '/v1/plans', response: PlanOutcome, status: [200] },
  getBuild: { method: 'GET', path: '/v1/builds/{id}', response: Build, status: [200] },
  getBuildLogs: { method: 'GET', path: '/v1/builds/{id}/logs', response: LogPage, status: [200] },
  cancelBuild: { method: 'POST', path: '/v1/builds/{id}/cancel', response: Build, status: [200, 202] },
  listBuildWebhooks: { method: 'GET', path: '/v1/builds/{id}/webhooks', response: WebhookDeliveries, status: [200] },
  listWorkers: { method: 'GET', path: '/v1/workers', response: WorkerList, status: [200] },
  ready: { method: 'GET', path: '/readyz', response: Ready, status: [200] },
} as const;

export type OperationId = keyof typeof OPERATIONS;

/** The path of `op` with `{id}` filled in (URL-encoded). */
export function operationPath(op: OperationId, id?: string): string {
  const path: string = OPERATIONS[op].path;
  if (!path.includes('{id}')) return path;
  if (id === undefined) throw new Error(`${op} needs a build id`);
  return path.replace('{id}', encodeURIComponent(id));
}
