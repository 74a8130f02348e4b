// Test helper: the process warnings (e.g. MaxListenersExceededWarning) emitted while `fn` runs.

/** Runs `fn`, then waits one turn for deferred warnings; returns the warnings emitted meanwhile. */
export async function warningsDuring(fn: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}
