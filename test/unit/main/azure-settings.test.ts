// AZURE_STORAGE_ACCOUNTS, the storage accounts an Azure credential may be sent to, is checked at
// start-up like every other setting: a typo (a host name, capitals) stops the service instead of
// silently matching no account.
import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../../orchestrator/main/service-config.js';

const base = { ARTIFACT_STORE_URL: 'file:///var/lib/trt/store', API_TOKENS: 'tok-0123456789abcdef' };

describe('AZURE_STORAGE_ACCOUNTS', () => {
  it('defaults to no account (no Azure credential leaves the worker)', () => {
    const r = parseServiceConfig(base, 'worker');
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.config.AZURE_STORAGE_ACCOUNTS).toEqual([]);
  });

  it('splits a comma list of account names', () => {
    const r = parseServiceConfig({ ...base, AZURE_STORAGE_ACCOUNTS: 'prodmodels, staging01 ,' }, 'worker');
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.config.AZURE_STORAGE_ACCOUNTS).toEqual(['prodmodels', 'staging01']);
  });

  it('refuses what is not an account name, naming the setting', () => {
    for (const bad of ['prodmodels.blob.core.windows.net', 'ProdModels', 'ab', 'a'.repeat(25), 'https://x']) {
      const r = parseServiceConfig({ ...base, AZURE_STORAGE_ACCOUNTS: bad }, 'worker');
      expect(r.ok, bad).toBe(false);
      expect(r.ok ? '' : r.errors.join('\n')).toMatch(/^AZURE_STORAGE_ACCOUNTS\.0: must be storage account names/m);
    }
  });
});
