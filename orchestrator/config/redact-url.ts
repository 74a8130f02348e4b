/**
 * URL redaction (pure): what a URL looks like wherever it is stored, logged, returned or published.
 * Userinfo (`user:password@`) is dropped and every query value is replaced, because presigned
 * URLs (S3 `X-Amz-Signature`, GCS `X-Goog-Signature`, Azure SAS `sig`) carry credentials there.
 * Query keys stay, so people can still tell which kind of URL it was.
 */

/** The marker that replaces a redacted value. */
export const REDACTED = 'REDACTED';

/** Returns `url` with userinfo removed and every query value replaced by `REDACTED`; non-URLs come back unchanged. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '' && parsed.search === '') return url;
  parsed.username = '';
  parsed.password = '';
  if (parsed.search !== '') {
    const keys = [...new Set([...parsed.searchParams.keys()])];
    parsed.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  }
  return parsed.toString();
}

/** True when `url` carries something `redactUrl` would remove (userinfo or a query). */
export function urlHasSecrets(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '' || parsed.search !== '';
  } catch {
    return false;
  }
}
