/**
 * Builds the source registry from environment variables (the one place sources read the
 * environment; call it from a composition root and pass the result down):
 *
 * - HF: `HF_ENDPOINT` (hub URL, default https://huggingface.co), `HF_TOKEN` (used only when the item
 *   names no secret or the secret is absent).
 * - S3: `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` (S3-compatible endpoint), `AWS_REGION` /
 *   `AWS_DEFAULT_REGION` (default us-east-1), `S3_FORCE_PATH_STYLE=true`; without a secret the AWS
 *   SDK default credential chain applies (AWS_ACCESS_KEY_ID, profiles, instance roles…).
 * - GCS (XML API): `GCS_ENDPOINT` (default https://storage.googleapis.com), HMAC keys
 *   `GCS_HMAC_ACCESS_KEY_ID` + `GCS_HMAC_SECRET` when the item names no secret.
 * - AZURE: `AZURE_STORAGE_BLOB_ENDPOINT` (a template with `{account}`, e.g. Azurite's
 *   `http://127.0.0.1:10000/{account}`), `AZURE_STORAGE_SAS_TOKEN` when the item names no secret;
 *   the item's secret may hold a SAS token or `{"account_key": "<base64>"}` (Shared Key);
 *   `AZURE_STORAGE_ACCOUNTS` lists the storage accounts a credential may be sent to (default: none).
 * - REMOTE_URL: `TRT_FETCH_MAX_ARCHIVE_BYTES` (default 2 TiB) bounds what an archive may expand to;
 *   `REMOTE_URL_SECRET_NAMES` lists the secrets an item may send to its URL (default: none).
 * - Every source: `OUTBOUND_ALLOW` (comma-separated CIDRs, addresses or host names) widens the
 *   outbound address policy, which otherwise allows global unicast addresses only. Each source's
 *   operator-configured endpoint host is allowed for that source alone.
 */
import { outboundPolicy } from '../../net/address-policy.js';
import { azureSource } from './azure-source.js';
import { hfSource } from './hf-source.js';
import type { SourceRegistry } from './port.js';
import { remoteUrlSource } from './remote-url-source.js';
import { s3Source } from './s3-source.js';
import { unsupportedSource } from './unsupported-source.js';

type Env = Readonly<Record<string, string | undefined>>;

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The registry of all six source kinds configured from `env`. */
export function sourcesFromEnv(env: Env): SourceRegistry {
  const maxArchive = nonEmpty(env['TRT_FETCH_MAX_ARCHIVE_BYTES']);
  const maxExtractBytes = maxArchive !== undefined && /^\d+$/.test(maxArchive) ? Number(maxArchive) : 2 * 1024 ** 4;
  const s3Endpoint = nonEmpty(env['AWS_ENDPOINT_URL_S3']) ?? nonEmpty(env['AWS_ENDPOINT_URL']);
  const gcsKey = nonEmpty(env['GCS_HMAC_ACCESS_KEY_ID']);
  const gcsSecret = nonEmpty(env['GCS_HMAC_SECRET']);
  const azureEndpoint = nonEmpty(env['AZURE_STORAGE_BLOB_ENDPOINT']);
  const policy = outboundPolicy(list(env['OUTBOUND_ALLOW']));
  return {
    HF: hfSource({
      hubUrl: nonEmpty(env['HF_ENDPOINT']) ?? 'https://huggingface.co',
      defaultToken: nonEmpty(env['HF_TOKEN']) ?? null,
      policy,
    }),
    S3: s3Source({
      kind: 'S3',
      policy,
      region: nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? 'us-east-1',
      forcePathStyle: env['S3_FORCE_PATH_STYLE'] === 'true',
      ...(s3Endpoint !== undefined ? { endpoint: s3Endpoint } : {}),
    }),
    GCS: s3Source({
      kind: 'GCS',
      policy,
      endpoint: nonEmpty(env['GCS_ENDPOINT']) ?? 'https://storage.googleapis.com',
      region: 'auto',
      forcePathStyle: true,
      defaultCredentials:
        gcsKey !== undefined && gcsSecret !== undefined ? { accessKeyId: gcsKey, secretAccessKey: gcsSecret } : null,
    }),
    AZURE: azureSource({
      ...(azureEndpoint !== undefined
        ? { endpointFor: (account: string) => azureEndpoint.replace('{account}', account) }
        : {}),
      defaultSas: nonEmpty(env['AZURE_STORAGE_SAS_TOKEN']) ?? null,
      secretAccounts: list(env['AZURE_STORAGE_ACCOUNTS']),
      policy,
    }),
    REMOTE_URL: remoteUrlSource({ maxExtractBytes, policy, allowedSecretNames: list(env['REMOTE_URL_SECRET_NAMES']) }),
    BASETEN_TRAINING: unsupportedSource(
      'BASETEN_TRAINING',
      'Baseten training checkpoints have no public download API; export the checkpoint to S3/GCS/HF and point checkpoint_repository there',
    ),
  };
}
