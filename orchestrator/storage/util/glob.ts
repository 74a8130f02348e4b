/**
 * allow/ignore pattern filtering for file lists, with huggingface_hub's semantics: fnmatch-style
 * patterns where `*` also matches `/`, and a pattern ending in `/` matches everything below it.
 */

/** Compiles one fnmatch pattern (`*`, `?`, `[abc]`, `[!abc]`) to an anchored RegExp. */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.endsWith('/') ? `${pattern}*` : pattern;
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
      } else {
        let body = p.slice(i + 1, end);
        const negate = body.startsWith('!');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export interface PathFilter {
  readonly allow?: readonly string[] | undefined;
  readonly ignore?: readonly string[] | undefined;
}

/** Keeps items whose path matches any allow pattern (all when none) and no ignore pattern. */
export function filterPaths<T extends { readonly path: string }>(items: readonly T[], filter: PathFilter): T[] {
  const allow = (filter.allow ?? []).map(globToRegExp);
  const ignore = (filter.ignore ?? []).map(globToRegExp);
  return items.filter(
    (it) => (allow.length === 0 || allow.some((r) => r.test(it.path))) && !ignore.some((r) => r.test(it.path)),
  );
}
