/** POSIX shell quoting for display only (commands are always run as argv arrays, never via a shell). */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted so a POSIX shell would pass it unchanged (the empty one as `''`: SAFE needs a character). */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one copy-pasteable command line. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
