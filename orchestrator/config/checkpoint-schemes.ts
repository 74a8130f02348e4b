/**
 * The one table of checkpoint URL schemes per source: the validator (`rules/checkpoint.ts`), the
 * worker's sources (`storage/sources/`) and the README all read it, so a form that validates is a
 * form the worker fetches. Pure.
 */
import type { CheckpointSource } from './schema/enums.js';

export interface CheckpointUrlForm {
  /** URL schemes accepted for the source (the first is the canonical one). */
  readonly schemes: readonly string[];
  /** The forms shown in messages and the README. */
  readonly forms: readonly string[];
}

/** Accepted URL forms per source kind (HF and BASETEN_TRAINING take ids, not URLs). */
export const CHECKPOINT_URL_SCHEMES = {
  S3: { schemes: ['s3'], forms: ['s3://<bucket>/<path>'] },
  GCS: { schemes: ['gs'], forms: ['gs://<bucket>/<path>'] },
  AZURE: {
    schemes: ['az', 'azure', 'https'],
    forms: [
      'az://<account>/<container>/<path>',
      'azure://<account>/<container>/<path>',
      'https://<account>.blob.core.windows.net/<container>/<path>',
    ],
  },
  REMOTE_URL: { schemes: ['https', 'http'], forms: ['https://<host>/<path>.tar.gz (or .tgz, .tar, a single file)'] },
} as const satisfies Partial<Record<CheckpointSource, CheckpointUrlForm>>;

/** The Azure `<scheme>://account/container/path` shorthands (every Azure scheme except https). */
export const AZURE_SHORT_SCHEMES: readonly string[] = CHECKPOINT_URL_SCHEMES.AZURE.schemes.filter((s) => s !== 'https');

/** The scheme of `url` in lower case (`s3`, `gs`, …), or null when it has none. */
export function urlScheme(url: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]{0,15}):\/\//.exec(url);
  return m?.[1]?.toLowerCase() ?? null;
}
