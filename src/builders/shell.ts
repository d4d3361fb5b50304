// POSIX shell quoting for the few places a build runs a script in its container.

/** Quotes one argument so sh treats it as a single literal word. */
export function quote(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One command line from an argv array, every argument quoted. */
export function command(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}

/** A line that stops the build with `message` on stderr (exit 127: a tool missing) unless `test` succeeds. */
export function requireOrExit(test: string, message: string): string {
  return `${test} || { echo ${quote(message)} >&2; exit 127; }`;
}
