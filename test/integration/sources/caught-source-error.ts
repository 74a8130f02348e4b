// Test helper: awaits a promise that must reject with a SourceError and returns that error.
import { isSourceError } from '../../../orchestrator/storage/sources/errors.js';
import type { SourceError } from '../../../orchestrator/storage/sources/errors.js';

/** The SourceError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function caught(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (err) {
    if (isSourceError(err)) return err;
    throw err;
  }
  throw new Error('expected a SourceError');
}
