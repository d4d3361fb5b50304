// One model for every Node lockfile (npm, pnpm, yarn classic and berry, bun): the packages it
// pins and the edges between them, so closures, cache keys and native-package checks are written
// once, whatever manager wrote the file.

export type LockfileKind = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry' | 'bun';

/** How one package reaches another: as npm's package.json fields name it. */
export type EdgeType = 'prod' | 'optional' | 'peer' | 'dev';

export interface LockEdge {
  /** The name the dependent `require`s (an alias name when the lockfile aliases). */
  readonly name: string;
  /** The id of the node it resolves to. */
  readonly target: string;
  readonly type: EdgeType;
}

export interface Platform {
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly libc?: readonly string[];
}

/** A package the lockfile pins, or a directory of the project (a workspace member, a file: target). */
export interface LockNode {
  /** Unique in its lockfile: the manager's own key (npm's path, pnpm's snapshot key, yarn's locator…). */
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** A project directory, relative to the lockfile's directory ('.' is the root); absent for fetched packages. */
  readonly localPath?: string;
  /** Where the manager fetches it from (a tarball URL, a yarn locator, git…), when the lockfile says. */
  readonly resolved?: string;
  /** Subresource integrity (sha512-…), when the lockfile carries it (yarn berry's checksum is not one). */
  readonly integrity?: string;
  readonly dependencies: readonly LockEdge[];
  /** Whether installing it runs a build (install scripts, node-gyp); undefined when the lockfile does not say. */
  readonly installScript?: boolean;
  readonly platform: Platform;
  /** The 1-based line of its entry, for messages. */
  readonly line?: number;
}

/** A dependency a node declares that the lockfile does not resolve. */
export interface MissingEdge {
  readonly from: string;
  readonly name: string;
  readonly type: EdgeType;
}

export interface Lockfile {
  readonly kind: LockfileKind;
  /** The lockfile's path as the user knows it (for messages). */
  readonly file: string;
  /** lockfileVersion (npm, pnpm, bun), "1" for yarn classic, __metadata.version for berry. */
  readonly version: string;
  readonly nodes: ReadonlyMap<string, LockNode>;
  /** Project directories (relative to the lockfile's directory) → node id: the root ('.') and workspace members. */
  readonly importers: ReadonlyMap<string, string>;
  /** Declared dependencies the lockfile does not resolve (optional peers excluded). */
  readonly missing: readonly MissingEdge[];
}

/** Builds a Lockfile from parsed nodes, dropping unresolvable edges into `missing`. */
export class LockfileBuilder {
  private readonly nodes = new Map<string, LockNode>();
  private readonly importers = new Map<string, string>();
  private readonly missing: MissingEdge[] = [];

  constructor(private readonly kind: LockfileKind, private readonly file: string, private readonly version: string) {}

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  add(node: LockNode): void {
    this.nodes.set(node.id, node);
    if (node.localPath !== undefined && !this.importers.has(node.localPath)) this.importers.set(node.localPath, node.id);
  }

  importer(localPath: string, id: string): void {
    this.importers.set(localPath, id);
  }

  miss(edge: MissingEdge): void {
    this.missing.push(edge);
  }

  build(): Lockfile {
    const nodes = new Map([...this.nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { kind: this.kind, file: this.file, version: this.version, nodes, importers: new Map([...this.importers].sort()), missing: this.missing };
  }
}

/** Package fields that declare dependencies, with the edge type each gives. */
export const DEPENDENCY_FIELDS: readonly (readonly [string, EdgeType])[] = [
  ['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['peerDependencies', 'peer'], ['devDependencies', 'dev'],
];

/** Splits "name@range" / "@scope/name@range" at the version's '@'. */
export function splitSpec(spec: string): { name: string; range: string } {
  const at = spec.indexOf('@', 1);
  return at < 0 ? { name: spec, range: '' } : { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

export function list(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

export function platformOf(entry: { os?: unknown; cpu?: unknown; libc?: unknown }): Platform {
  const platform: { os?: string[]; cpu?: string[]; libc?: string[] } = {};
  for (const key of ['os', 'cpu', 'libc'] as const) {
    const values = list(entry[key]);
    if (values) platform[key] = values;
  }
  return platform;
}

export function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
