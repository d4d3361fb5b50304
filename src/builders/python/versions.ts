// PEP 440 versions and specifiers, as far as lockfiles and markers need them: parse, compare, and
// test a version against `==`, `!=`, `<`, `<=`, `>`, `>=`, `~=`, `===` clauses (with `.*`).

export interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  /** `a`, `b` or `rc` and its number. */
  readonly pre?: readonly [string, number];
  readonly post?: number;
  readonly dev?: number;
  readonly local?: string;
}

const VERSION = /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;
const PRE: Readonly<Record<string, string>> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

/** Parses a PEP 440 version; undefined when it is not one. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text);
  if (!m) return undefined;
  const [, epoch, release, pre, preN, postImplicit, post, postN, dev, devN, local] = m;
  return {
    epoch: Number(epoch ?? 0),
    release: release!.split('.').map(Number),
    ...(pre ? { pre: [PRE[pre.toLowerCase()]!, Number(preN || 0)] as const } : {}),
    ...(postImplicit !== undefined ? { post: Number(postImplicit) } : post ? { post: Number(postN || 0) } : {}),
    ...(dev ? { dev: Number(devN || 0) } : {}),
    ...(local ? { local: local.toLowerCase().replace(/[-_]/g, '.') } : {}),
  };
}

function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const PRE_ORDER = ['a', 'b', 'rc'];

/** PEP 440 ordering: negative, zero or positive. */
export function compareVersions(a: Version, b: Version): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const release = compareRelease(a.release, b.release);
  if (release !== 0) return release;
  // A dev release without pre or post sorts before every pre-release of its version.
  const preKey = (v: Version): [number, number] => v.pre ? [PRE_ORDER.indexOf(v.pre[0]), v.pre[1]]
    : v.dev !== undefined && v.post === undefined ? [-1, 0] : [3, 0];
  const [pa, pb] = [preKey(a), preKey(b)];
  if (pa[0] !== pb[0]) return Math.sign(pa[0] - pb[0]);
  if (pa[1] !== pb[1]) return Math.sign(pa[1] - pb[1]);
  const post = (a.post ?? -1) - (b.post ?? -1);
  if (post !== 0) return Math.sign(post);
  const dev = (a.dev ?? Infinity) - (b.dev ?? Infinity);
  if (dev !== 0 && Number.isFinite(dev)) return Math.sign(dev);
  if (a.dev === undefined && b.dev !== undefined) return 1;
  if (a.dev !== undefined && b.dev === undefined) return -1;
  return (a.local ?? '').localeCompare(b.local ?? '');
}

/** The version without its local label, as `==` without a local label compares. */
function public_(v: Version): Version {
  const { local: _local, ...rest } = v;
  return rest;
}

/** Whether `version` satisfies one clause such as `>=3.9` or `==3.11.*`; undefined when the clause is not PEP 440. */
export function satisfiesClause(version: Version, clause: string): boolean | undefined {
  const m = /^\s*(===|==|!=|~=|<=|>=|<|>)\s*(\S+?)\s*$/.exec(clause);
  if (!m) return undefined;
  const [, op, raw] = m as unknown as [string, string, string];
  if (op === '===') return undefined;
  if (raw.endsWith('.*')) {
    if (op !== '==' && op !== '!=') return undefined;
    const prefix = parseVersion(raw.slice(0, -2));
    if (!prefix) return undefined;
    const same = version.epoch === prefix.epoch && prefix.release.every((n, i) => (version.release[i] ?? 0) === n);
    return op === '==' ? same : !same;
  }
  const target = parseVersion(raw);
  if (!target) return undefined;
  const cmp = compareVersions(target.local ? version : public_(version), target);
  switch (op) {
    case '==': return cmp === 0;
    case '!=': return cmp !== 0;
    case '<': return cmp < 0;
    case '<=': return cmp <= 0;
    case '>': return cmp > 0;
    case '>=': return cmp >= 0;
    default: {
      // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
      if (target.release.length < 2) return undefined;
      const prefix = target.release.slice(0, -1);
      return cmp >= 0 && prefix.every((n, i) => (version.release[i] ?? 0) === n);
    }
  }
}

/** Whether `version` satisfies a comma-separated specifier set (`>=3.9,<4`); '' allows everything. */
export function satisfies(version: string | Version, specifiers: string): boolean | undefined {
  const parsed = typeof version === 'string' ? parseVersion(version) : version;
  if (!parsed) return undefined;
  let all = true;
  for (const clause of specifiers.split(',').map((c) => c.trim()).filter(Boolean)) {
    const result = satisfiesClause(parsed, clause);
    if (result === undefined) return undefined;
    all &&= result;
  }
  return all;
}

/** A specifier set in one spelling: clauses without spaces, sorted (for comparing what two files require). */
export function canonicalSpecifiers(specifiers: string): string {
  return specifiers.split(',').map((c) => c.replace(/\s+/g, '')).filter(Boolean).sort().join(',');
}
