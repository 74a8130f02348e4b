/**
 * The config text from a request body: YAML as is (`application/yaml`), or JSON `{"config": …}`
 * where `config` is a YAML string or an object (JSON is YAML, so the planner reads it unchanged).
 */

export type ConfigBody =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string };

/** Extracts the config text from a parsed body (string for YAML bodies, value for JSON bodies). */
export function readConfigBody(body: unknown): ConfigBody {
  if (typeof body === 'string')
    return body.trim() ? { ok: true, text: body } : { ok: false, message: 'the YAML body is empty' };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'expected a JSON object {"config": …} or an application/yaml body' };
  }
  const config = (body as Record<string, unknown>)['config'];
  if (typeof config === 'string')
    return config.trim() ? { ok: true, text: config } : { ok: false, message: '"config" is an empty string' };
  if (typeof config === 'object' && config !== null && !Array.isArray(config))
    return { ok: true, text: JSON.stringify(config, null, 2) };
  return {
    ok: false,
    message: `"config" must be an object or a YAML string (got ${config === undefined ? 'nothing' : Array.isArray(config) ? 'array' : typeof config})`,
  };
}
