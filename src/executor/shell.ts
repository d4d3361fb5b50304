// POSIX shell quoting for the one script a build container runs (script.ts).

/** Quotes one argument so sh treats it as a single literal word. */
export function quote(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One command line from an argv array, every argument quoted. */
export function command(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
