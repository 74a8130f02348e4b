/**
 * Where the dashboard's files are found: beside the module when run from source, and the
 * package's `orchestrator/ui/static` when run from the compiled `dist/ui/` (tsc copies no
 * assets); only known file types are loaded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadStaticFiles, staticDir } from '../../../orchestrator/ui/static-files.js';

const ROOT = join(import.meta.dirname, '../../..');
const SOURCE_STATIC = join(ROOT, 'orchestrator/ui/static');

describe('staticDir', () => {
  it('finds the page from the source folder and from a compiled dist/ui/ folder', () => {
    expect(staticDir()).toBe(SOURCE_STATIC);
    expect(staticDir(pathToFileURL(join(ROOT, 'dist/ui/')))).toBe(SOURCE_STATIC);
  });

  it('says where it looked when the page is missing', () => {
    expect(() => staticDir(pathToFileURL('/nonexistent/a/b/'))).toThrow(
      /dashboard files not found \(looked in \/nonexistent\/a\/b\/static, /,
    );
  });
});

describe('loadStaticFiles', () => {
  it('loads html, js and css by relative path, with a content type and a strong ETag, and skips other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ui-static-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<!doctype html>');
      writeFileSync(join(dir, 'notes.ts'), 'secret');
      writeFileSync(join(dir, '.env'), 'X=1');
      const files = loadStaticFiles(dir);
      expect([...files.keys()]).toEqual(['index.html']);
      expect(files.get('index.html')).toMatchObject({
        contentType: 'text/html; charset=utf-8',
        etag: expect.stringMatching(/^"[A-Za-z0-9_-]{27}"$/) as unknown,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const real = loadStaticFiles();
    expect(real.get('js/main.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(real.get('app.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(real.has('js/sse.d.ts')).toBe(false);
  });
});
