// The machine lambda-pack runs on, read once from the CLI's process: environment, platform,
// architecture, home, owner and the settings that change bytes. Library code takes these facts
// as a value; nothing below the CLI reads `process` for them.
import os from 'node:os';
import { ConfigError } from './errors.js';
import { ARCHITECTURES, type Architecture } from './runtimes.js';

export interface HostFacts {
  readonly env: Readonly<NodeJS.ProcessEnv>;
  readonly platform: NodeJS.Platform;
  /** This machine's architecture, when Lambda has it (an x86_64 or arm64 machine). */
  readonly arch: Architecture | undefined;
  readonly home: string;
  /** Who runs lambda-pack: containers run as them, outputs belong to them. */
  readonly owner: { readonly uid: number; readonly gid: number };
  readonly cpus: number;
  /** SOURCE_DATE_EPOCH as set (zipTimeFrom reads it): every zip entry's timestamp. */
  readonly sourceDateEpoch?: string;
  /** $SSL_CERT_FILE: the CA bundle the user says this machine trusts. */
  readonly sslCertFile?: string;
  readonly sshAuthSock?: string;
}

const DOS_EPOCH = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

/** The zip timestamp SOURCE_DATE_EPOCH asks for (clamped to 1980, which zips cannot go below). */
export function zipTimeFrom(raw: string | undefined): Date {
  if (raw === undefined || raw === '') return DOS_EPOCH;
  if (!/^\d+$/.test(raw)) {
    throw new ConfigError('INVALID_SOURCE_DATE_EPOCH', `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got ${JSON.stringify(raw)}. Set it to an integer such as the last commit time (git log -1 --format=%ct), or unset it.`, {
      field: 'SOURCE_DATE_EPOCH',
      fix: 'set it to an integer such as the last commit time (git log -1 --format=%ct), or unset it',
    });
  }
  return new Date(Math.max(Number(raw) * 1000, DOS_EPOCH.getTime()));
}

export interface ProcessLike {
  readonly env: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
  readonly arch?: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly home?: string;
  readonly cpus?: number;
}

/** The facts of this process (or of the one described), read once. */
export function hostFacts(from: ProcessLike): HostFacts {
  const nodeArch = from.arch ?? process.arch;
  return {
    env: { ...from.env },
    platform: from.platform ?? process.platform,
    arch: Object.values(ARCHITECTURES).find((a) => a.nodeArch === nodeArch),
    home: from.home ?? os.homedir(),
    owner: { uid: from.uid ?? process.getuid?.() ?? 0, gid: from.gid ?? process.getgid?.() ?? 0 },
    cpus: from.cpus ?? Math.max(1, os.availableParallelism()),
    sourceDateEpoch: from.env.SOURCE_DATE_EPOCH,
    sslCertFile: from.env.SSL_CERT_FILE || undefined,
    sshAuthSock: from.env.SSH_AUTH_SOCK || undefined,
  };
}
