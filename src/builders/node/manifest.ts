// package.json as the Node builders read it: the fields that decide what installs and what ships.
import { ConfigError } from '../../errors.js';
import { jsonErrorLine } from './lockfile-text.js';
import { record, stringRecord } from './lockfile-model.js';

export interface PackageManifest {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly optionalDependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  /** Workspace globs (npm/yarn `workspaces`, array or { packages }). */
  readonly workspaces?: readonly string[];
  /** corepack's field: "pnpm@9.15.0+sha512.…". */
  readonly packageManager?: string;
  readonly files?: readonly string[];
  readonly main?: string;
  readonly bin?: Readonly<Record<string, string>> | string;
  readonly scripts: Readonly<Record<string, string>>;
  readonly gypfile?: boolean;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
  readonly dependenciesMeta: Readonly<Record<string, { built?: boolean; optional?: boolean; injected?: boolean }>>;
  readonly type?: string;
  /** The parsed document, for fields read rarely. */
  readonly raw: Readonly<Record<string, unknown>>;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** Parses package.json text; a syntax error names file:line. */
export function parseManifest(file: string, text: string): PackageManifest {
  let raw: Record<string, unknown>;
  try {
    raw = record(JSON.parse(text));
  } catch (error) {
    const message = (error as Error).message;
    const line = jsonErrorLine(text, error);
    throw new ConfigError('MANIFEST_INVALID',
      `${file}${line ? `:${line}` : ''}: cannot read package.json: not valid JSON (${message.split('\n')[0]}). Fix the JSON syntax of package.json.`,
      { file, fix: 'Fix the JSON syntax of package.json.' }, { cause: error });
  }
  const workspaces = strings(raw.workspaces) ?? strings(record(raw.workspaces).packages);
  const meta = Object.fromEntries(Object.entries(record(raw.dependenciesMeta)).map(([k, v]) => [k, record(v) as { built?: boolean }]));
  return {
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    ...(typeof raw.version === 'string' ? { version: raw.version } : {}),
    dependencies: stringRecord(raw.dependencies),
    optionalDependencies: stringRecord(raw.optionalDependencies),
    devDependencies: stringRecord(raw.devDependencies),
    peerDependencies: stringRecord(raw.peerDependencies),
    ...(workspaces ? { workspaces } : {}),
    ...(typeof raw.packageManager === 'string' ? { packageManager: raw.packageManager } : {}),
    ...(strings(raw.files) ? { files: strings(raw.files)! } : {}),
    ...(typeof raw.main === 'string' ? { main: raw.main } : {}),
    ...(typeof raw.bin === 'string' ? { bin: raw.bin } : raw.bin && typeof raw.bin === 'object' ? { bin: stringRecord(raw.bin) } : {}),
    scripts: stringRecord(raw.scripts),
    ...(typeof raw.gypfile === 'boolean' ? { gypfile: raw.gypfile } : {}),
    ...(strings(raw.os) ? { os: strings(raw.os)! } : {}),
    ...(strings(raw.cpu) ? { cpu: strings(raw.cpu)! } : {}),
    dependenciesMeta: meta,
    ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
    raw,
  };
}

/** Whether a manifest declares anything an install would put in node_modules for production. */
export function hasProductionDependencies(manifest: PackageManifest): boolean {
  return Object.keys(manifest.dependencies).length > 0 || Object.keys(manifest.optionalDependencies).length > 0;
}
