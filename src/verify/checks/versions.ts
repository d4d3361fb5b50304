// Dotted symbol versions as found in ELF version needs: GLIBC_2.38, GLIBCXX_3.4.30, CXXABI_1.3.13.

/** The numbers of `<prefix>_<n>.<n>…`, or undefined for another prefix (GLIBC_PRIVATE, other libraries). */
export function symbolVersion(prefix: string, name: string): number[] | undefined {
  if (!name.startsWith(`${prefix}_`)) return undefined;
  const parts = name.slice(prefix.length + 1).split('.');
  if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
  return parts.map(Number);
}

/** Whether version `a` is newer than `b` (missing parts count as 0). */
export function newerThan(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

/** Needs whose version under `prefix` is newer than `provided`, newest first, with example symbols. */
export function versionsTooNew(
  needs: ReadonlyArray<{ version: string }>,
  symbols: ReadonlyArray<{ name: string; defined: boolean; version?: string }>,
  prefix: string,
  provided: readonly number[],
): { newest: string; examples: string } | undefined {
  const tooNew = [...new Set(needs.map((n) => n.version))].filter((v) => {
    const version = symbolVersion(prefix, v);
    return version !== undefined && newerThan(version, provided);
  });
  if (!tooNew.length) return undefined;
  const newest = tooNew.reduce((a, b) => (newerThan(symbolVersion(prefix, b)!, symbolVersion(prefix, a)!) ? b : a));
  const using = symbols.filter((s) => !s.defined && s.version !== undefined && tooNew.includes(s.version)).map((s) => `${s.name}@${s.version}`);
  const examples = using.length ? ` (${using.slice(0, 3).join(', ')}${using.length > 3 ? `, +${using.length - 3} more` : ''})` : '';
  return { newest, examples };
}
