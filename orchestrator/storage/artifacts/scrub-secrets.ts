/** Removes known secret values from text that may end up in an error message or a log. */

const MIN_SECRET_LENGTH = 4;

/** Replaces every occurrence of each secret (at least 4 chars; shorter ones are left alone) with `***`. */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  const sorted = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join('***');
  return out;
}
