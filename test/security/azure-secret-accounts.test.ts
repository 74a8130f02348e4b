// Hostile corpus: a submitter holding a valid API token names their own Azure storage account
// (az://, azure:// or https://<account>.blob.core.windows.net) with the operator's secret name, to
// receive the SAS token or a Shared Key signature the worker holds. A credential goes only to the
// accounts in AZURE_STORAGE_ACCOUNTS (default: none); each case failed before that setting existed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchItem } from '../../orchestrator/plan/types.js';
import { fetchPlanItems } from '../../orchestrator/storage/fetch-plan-items.js';
import { sourcesFromEnv } from '../../orchestrator/storage/sources/sources-from-env.js';
import { caught } from '../integration/sources/caught-source-error.js';

const SAS = 'sv=2021-08-06&sp=rl&sig=OPERATOR%2Fsas%2Bmust-stay-home';
const SAS_SIG = 'OPERATOR/sas+must-stay-home';
const ACCOUNT_KEY = Buffer.from('operator-account-key-must-stay-home').toString('base64');
const WEIGHTS = Buffer.from('weights');

/** What reached the blob service: the account, and any credential the request carried. */
interface Seen {
  readonly account: string;
  readonly sig: string | null;
  readonly authorization: string | null;
}
const seen: Seen[] = [];
let server: Server;
let endpoint: string;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sec-azure-'));
  // A blob service that serves one blob to anyone and records what each request carried.
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const [, account = ''] = u.pathname.split('/');
    seen.push({ account, sig: u.searchParams.get('sig'), authorization: req.headers.authorization ?? null });
    if (u.searchParams.get('comp') === 'list') {
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<EnumerationResults><Blobs><Blob><Name>ckpt/model.bin</Name><Properties><Content-Length>${WEIGHTS.length}</Content-Length><Etag>0x1</Etag></Properties></Blob></Blobs><NextMarker/></EnumerationResults>`,
        );
      return;
    }
    res.writeHead(200, { 'content-length': WEIGHTS.length }).end(WEIGHTS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{account}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(tmp, { recursive: true, force: true });
});

const item = (repo: string, secretName: string | null = 'azure_cred'): FetchItem => ({
  role: 'checkpoint',
  name: null,
  source: 'AZURE',
  repo,
  revision: null,
  repoType: 'model',
  secretName,
  dest: '/workspace/inputs/checkpoint',
});
let n = 0;
const ctx = (env: Record<string, string>, secrets: Record<string, string>) => ({
  workspaceDir: join(tmp, `ws${n++}`),
  workspaceMount: '/workspace',
  secrets,
  signal: new AbortController().signal,
  sources: sourcesFromEnv({ AZURE_STORAGE_BLOB_ENDPOINT: endpoint, ...env }),
});
const OPERATOR_ENV = { AZURE_STORAGE_ACCOUNTS: 'operatoracct' };
const credentials = (from: number): string[] =>
  seen.slice(from).flatMap((s) => [s.sig, s.authorization].filter((v): v is string => v !== null));

describe('Azure secrets go only to the operator’s storage accounts', () => {
  const secretValues = [
    SAS,
    `?${SAS}`,
    JSON.stringify({ sas_token: SAS }),
    JSON.stringify({ account_key: ACCOUNT_KEY }),
  ];
  const attackerRepos = [
    'az://attackeracct/models/ckpt',
    'azure://attackeracct/models/ckpt',
    'https://attackeracct.blob.core.windows.net/models/ckpt',
  ];

  it('refuses the operator’s secret for a submitter-named account before any request is sent', async () => {
    for (const secret of secretValues) {
      for (const repo of attackerRepos) {
        const before = seen.length;
        const err = await caught(fetchPlanItems([item(repo)], ctx(OPERATOR_ENV, { azure_cred: secret })));
        expect(err).toMatchObject({ code: 'SOURCE_SECRET_NOT_ALLOWED', retryable: false });
        expect(err.message).toContain('AZURE_STORAGE_ACCOUNTS');
        expect(err.message).not.toContain('must-stay-home');
        expect(err.message).not.toContain(ACCOUNT_KEY);
        expect(seen.slice(before)).toEqual([]);
      }
    }
  });

  it('sends no Azure secret anywhere when the operator listed no account', async () => {
    for (const secret of secretValues) {
      const before = seen.length;
      const err = await caught(
        fetchPlanItems([item('az://operatoracct/models/ckpt')], ctx({}, { azure_cred: secret })),
      );
      expect(err.code).toBe('SOURCE_SECRET_NOT_ALLOWED');
      expect(seen.slice(before)).toEqual([]);
    }
  });

  it('never attaches the default SAS (AZURE_STORAGE_SAS_TOKEN) to a request for an unlisted account', async () => {
    const before = seen.length;
    // A public container: the fetch itself works, anonymously.
    const [got] = await fetchPlanItems(
      [item('az://attackeracct/models/ckpt', null)],
      ctx({ ...OPERATOR_ENV, AZURE_STORAGE_SAS_TOKEN: SAS }, {}),
    );
    expect(got?.resolved.files.map((f) => f.path)).toEqual(['model.bin']);
    expect(seen.slice(before).map((s) => s.account)).toContain('attackeracct');
    expect(credentials(before)).toEqual([]);
  });

  it('still sends the secret to a listed account (SAS and Shared Key)', async () => {
    const before = seen.length;
    const c = ctx(OPERATOR_ENV, { azure_cred: SAS });
    await fetchPlanItems([item('az://operatoracct/models/ckpt')], c);
    expect(await readFile(join(c.workspaceDir, 'inputs/checkpoint/model.bin'))).toEqual(WEIGHTS);
    const mine = seen.slice(before);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((s) => s.account === 'operatoracct' && s.sig === SAS_SIG)).toBe(true);
    const mid = seen.length;
    await fetchPlanItems(
      [item('az://operatoracct/models/ckpt')],
      ctx(OPERATOR_ENV, { azure_cred: JSON.stringify({ account_key: ACCOUNT_KEY }) }),
    );
    const signed = seen.slice(mid);
    expect(signed.length).toBeGreaterThanOrEqual(2);
    expect(signed.every((s) => s.authorization?.startsWith('SharedKey operatoracct:') === true)).toBe(true);
  });
});
