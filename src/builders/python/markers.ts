// PEP 508 environment markers evaluated for a Lambda task: the runtime's Python, the task's CPU,
// Linux, CPython, and the extras and dependency groups the config chose. What Lambda does not fix
// (the patch version of Python, the kernel release) is unknown: a marker whose outcome depends on
// it is an error, never a guess.
import type { Architecture, Runtime } from '../../runtimes.js';
import { normaliseProject } from '../pip-tags.js';
import { parseVersion, satisfiesClause } from './versions.js';

export interface MarkerEnvironment {
  /** `3.11`. */
  readonly pythonVersion: string;
  /** The exact version when known; otherwise any `3.11.x` release. */
  readonly pythonFullVersion?: string;
  /** `x86_64` or `aarch64`. */
  readonly platformMachine: string;
  /** Chosen extras (normalised): `extra == "x"` and `"x" in extras` hold for these. */
  readonly extras: readonly string[];
  /** Chosen dependency groups (normalised), for PEP 751 `"g" in dependency_groups`. */
  readonly dependencyGroups: readonly string[];
}

/** A marker that cannot be read or decided; callers name the file and package. */
export class MarkerError extends Error {
  constructor(readonly marker: string, readonly reason: string) {
    super(`marker "${marker}": ${reason}`);
  }
}

export function markerEnvironment(runtime: Runtime, arch: Architecture, choice: { extras?: readonly string[]; dependencyGroups?: readonly string[] } = {}): MarkerEnvironment {
  const [major, minor] = runtime.python!;
  return {
    pythonVersion: `${major}.${minor}`, platformMachine: arch.gnuArch,
    extras: (choice.extras ?? []).map(normaliseProject), dependencyGroups: (choice.dependencyGroups ?? []).map(normaliseProject),
  };
}

/** Values Lambda fixes for every Python runtime. */
const FIXED: Readonly<Record<string, string>> = {
  os_name: 'posix', sys_platform: 'linux', platform_system: 'Linux',
  implementation_name: 'cpython', platform_python_implementation: 'CPython',
};
const ALIASES: Readonly<Record<string, string>> = {
  'os.name': 'os_name', 'sys.platform': 'sys_platform', 'platform.version': 'platform_version',
  'platform.machine': 'platform_machine', 'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};
const VARIABLES = new Set(['python_version', 'python_full_version', 'implementation_version', 'platform_machine',
  'platform_release', 'platform_version', 'extra', 'extras', 'dependency_groups', ...Object.keys(FIXED)]);
const VERSION_VARIABLES = new Set(['python_version', 'python_full_version', 'implementation_version']);

type Token = { kind: 'string' | 'name' | 'op' | '(' | ')'; text: string };

function tokenize(marker: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(["'])(.*?)\1|(===|==|!=|<=|>=|~=|<|>)|(\()|(\))|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let at = 0;
  while (at < marker.length) {
    if (/^\s*$/.test(marker.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(marker);
    if (!m) throw new MarkerError(marker, `cannot read it at "${marker.slice(at).trim()}"`);
    at = pattern.lastIndex;
    if (m[1]) tokens.push({ kind: 'string', text: m[2]! });
    else if (m[3]) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4]) tokens.push({ kind: '(', text: '(' });
    else if (m[5]) tokens.push({ kind: ')', text: ')' });
    else tokens.push({ kind: 'name', text: m[6]! });
  }
  return tokens;
}

type Value = { variable: string } | { literal: string };
export type MarkerNode =
  | { readonly kind: 'and' | 'or'; readonly left: MarkerNode; readonly right: MarkerNode }
  | { readonly kind: 'compare'; readonly left: Value; readonly op: string; readonly right: Value };

/** Parses a marker into its tree; throws MarkerError for anything PEP 508 does not allow. */
export function parseMarker(marker: string): MarkerNode {
  const tokens = tokenize(marker);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => { throw new MarkerError(marker, what); };
  const value = (): Value => {
    const t = tokens[i++] ?? fail('ends too early');
    if (t.kind === 'string') return { literal: t.text };
    if (t.kind !== 'name') return fail(`expected a variable or a quoted string, found "${t.text}"`);
    const variable = ALIASES[t.text] ?? t.text;
    if (!VARIABLES.has(variable)) fail(`"${t.text}" is not a marker variable`);
    return { variable };
  };
  const atom = (): MarkerNode => {
    if (peek()?.kind === '(') {
      i++;
      const inner = or();
      if (tokens[i++]?.kind !== ')') fail('a "(" is not closed');
      return inner;
    }
    const left = value();
    const t = tokens[i++] ?? fail('ends after a value');
    let op = t.text;
    if (t.kind === 'name' && t.text === 'not' && tokens[i]?.text === 'in') { i++; op = 'not in'; }
    else if (!(t.kind === 'op' || (t.kind === 'name' && t.text === 'in'))) fail(`expected a comparison, found "${t.text}"`);
    return { kind: 'compare', left, op, right: value() };
  };
  const and = (): MarkerNode => {
    let node = atom();
    while (peek()?.kind === 'name' && peek()!.text === 'and') { i++; node = { kind: 'and', left: node, right: atom() }; }
    return node;
  };
  const or = (): MarkerNode => {
    let node = and();
    while (peek()?.kind === 'name' && peek()!.text === 'or') { i++; node = { kind: 'or', left: node, right: and() }; }
    return node;
  };
  const tree = or();
  if (i < tokens.length) fail(`unexpected "${tokens[i]!.text}"`);
  return tree;
}

/** true, false, or undefined when the outcome depends on what Lambda does not fix. */
type Outcome = boolean | undefined;

function compareStrings(left: string, op: string, right: string): boolean {
  switch (op) {
    case '==': case '===': return left === right;
    case '!=': return left !== right;
    case 'in': return right.includes(left);
    case 'not in': return !right.includes(left);
    case '<': return left < right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '>=': return left >= right;
    default: return left === right; // ~= on strings: PEP 508 leaves it to string equality
  }
}

/** A version comparison: the specifier semantics when the literal is a version, string semantics otherwise. */
function compareVersion(version: string, op: string, literal: string, versionOnLeft: boolean): boolean {
  const parsed = parseVersion(version);
  if (versionOnLeft && parsed && !['in', 'not in', '==='].includes(op)) {
    const result = satisfiesClause(parsed, `${op}${literal}`);
    if (result !== undefined) return result;
  }
  return versionOnLeft ? compareStrings(version, op, literal) : compareStrings(literal, op, version);
}

/** Patch releases that stand for "any 3.x.y" around a literal: if all agree, so does every release. */
function patchSamples(pythonVersion: string, literal: string): string[] {
  const patch = /^\d+\.\d+\.(\d+)/.exec(literal)?.[1];
  const around = patch === undefined ? [] : [Number(patch) - 1, Number(patch), Number(patch) + 1].filter((n) => n >= 0);
  return [0, ...around, 99].map((n) => `${pythonVersion}.${n}`).concat(literal.startsWith(`${pythonVersion}.`) ? [literal] : []);
}

function evaluateCompare(node: Extract<MarkerNode, { kind: 'compare' }>, env: MarkerEnvironment): Outcome {
  const { left, op, right } = node;
  if ('variable' in left && 'variable' in right) throw new MarkerError(`${left.variable} ${op} ${right.variable}`, 'compares two variables');
  if ('literal' in left && 'literal' in right) return compareStrings(left.literal, op, right.literal);
  const variable = 'variable' in left ? left.variable : (right as { variable: string }).variable;
  const literal = 'literal' in left ? left.literal : (right as { literal: string }).literal;
  const onLeft = 'variable' in left;
  if (variable === 'extra' || variable === 'extras' || variable === 'dependency_groups') {
    const chosen = variable === 'dependency_groups' ? env.dependencyGroups : env.extras;
    if (variable === 'extra') {
      const hit = chosen.includes(normaliseProject(literal));
      return op === '!=' ? !hit : op === '==' ? hit : compareStrings(normaliseProject(literal), op, chosen.join(','));
    }
    // PEP 751: `"name" in extras` / `"name" not in dependency_groups`.
    const hit = chosen.includes(normaliseProject(literal));
    return op === 'not in' ? !hit : op === 'in' ? hit : undefined;
  }
  const known = FIXED[variable] ?? (variable === 'python_version' ? env.pythonVersion : variable === 'platform_machine' ? env.platformMachine : undefined);
  if (known !== undefined) return VERSION_VARIABLES.has(variable) ? compareVersion(known, op, literal, onLeft) : compareStrings(onLeft ? known : literal, op, onLeft ? literal : known);
  if (variable === 'python_full_version' || variable === 'implementation_version') {
    if (env.pythonFullVersion) return compareVersion(env.pythonFullVersion, op, literal, onLeft);
    const outcomes = new Set(patchSamples(env.pythonVersion, literal).map((v) => compareVersion(v, op, literal, onLeft)));
    return outcomes.size === 1 ? [...outcomes][0] : undefined;
  }
  return undefined; // platform_release, platform_version: the kernel of the machine that runs the function
}

function evaluateNode(node: MarkerNode, env: MarkerEnvironment): Outcome {
  if (node.kind === 'compare') return evaluateCompare(node, env);
  const left = evaluateNode(node.left, env);
  const right = evaluateNode(node.right, env);
  if (node.kind === 'and') return left === false || right === false ? false : left === undefined || right === undefined ? undefined : true;
  return left === true || right === true ? true : left === undefined || right === undefined ? undefined : false;
}

/**
 * Whether a marker holds on Lambda for this environment. Throws MarkerError when it cannot be read
 * or when its outcome depends on something Lambda does not fix.
 */
export function evaluateMarker(marker: string, env: MarkerEnvironment): boolean {
  const outcome = evaluateNode(parseMarker(marker), env);
  if (outcome === undefined) {
    throw new MarkerError(marker, `its outcome depends on ${/full_version|implementation_version/.test(marker) ? `the patch release of Python ${env.pythonVersion}, which Lambda updates on its own` : 'the kernel Lambda runs (platform_release/platform_version)'}`);
  }
  return outcome;
}
