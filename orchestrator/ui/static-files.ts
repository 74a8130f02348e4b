/**
 * The dashboard's static files: plain ES modules, CSS and one HTML page under `ui/static/`, read
 * once at startup into memory (no build step, no CDN: the page works air-gapped). Only files in
 * that folder with a known extension are served; names are matched against the loaded set, so no
 * request path ever reaches the file system.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Strong ETag (sha256 of the content). */
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The folder holding the page: `ui/static` beside this module when run from source, or the
 * package's `orchestrator/ui/static` when run from the compiled `dist/ui/` (tsc copies no assets).
 */
export function staticDir(moduleDir: URL = new URL('.', import.meta.url)): string {
  const here = fileURLToPath(moduleDir);
  const candidates = [join(here, 'static'), join(here, '../../orchestrator/ui/static')];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`dashboard files not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Loads every servable file under `dir`, keyed by its path relative to `dir` (`/`-separated). */
export function loadStaticFiles(dir: string = staticDir()): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      const type = TYPES[extname(entry.name)];
      if (!entry.isFile() || !type) continue;
      const body = readFileSync(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      files.set(relative(dir, full).split('\\').join('/'), { body, contentType: type, etag });
    }
  };
  walk(dir);
  return files;
}
