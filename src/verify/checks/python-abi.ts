// PYTHON_ABI_MISMATCH: CPython loads `<name>.cpython-XY-<arch>-linux-gnu.so` only for its own
// version and platform, and `<name>.abi3.so` only from the minimum version its wheel was tagged for
// (read from the package's .dist-info WHEEL and RECORD, when the zip has them).
import { posix } from 'node:path';
import type { Architecture, Runtime } from '../../runtimes.js';
import { finding, type Finding } from '../findings.js';
import type { PackageEntry } from '../package-tree.js';
import type { CheckContext } from './context.js';

const VERSIONED = /\.cpython-(\d)(\d+)([a-z]*)-([^/]+)\.so$/;
const ABI3 = /\.abi3\.so$/;

export function checkPythonAbi(context: CheckContext): Finding[] {
  const { runtime, arch, tree } = context;
  if (!runtime.python) return [];
  const findings: Finding[] = [];
  const abi3: PackageEntry[] = [];
  for (const entry of tree.entries) {
    if (entry.kind !== 'file' || entry.path === undefined) continue;
    const versioned = VERSIONED.exec(entry.path);
    if (versioned) {
      const problem = versionedProblem(versioned, runtime, arch);
      if (problem) findings.push(finding('PYTHON_ABI_MISMATCH', entry.name, problem));
    } else if (ABI3.test(entry.path)) abi3.push(entry);
  }
  if (abi3.length) findings.push(...abi3Findings(abi3, context));
  return findings;
}

function versionedProblem(match: RegExpExecArray, runtime: Runtime, arch: Architecture): string | undefined {
  const [, major, minor, flags, platform] = match as unknown as [string, string, string, string, string];
  const [wantMajor, wantMinor] = runtime.python!;
  const tag = `cpython-${major}${minor}${flags}-${platform}`;
  const expected = `cpython-${wantMajor}${wantMinor}-${arch.gnuArch}-linux-gnu`;
  if (Number(major) !== wantMajor || Number(minor) !== wantMinor) return `extension module for CPython ${major}.${minor} (${tag}); ${runtime.id} imports only ${expected}, abi3 or untagged .so files`;
  if (flags === 't') return `extension module for the free-threaded CPython build (${tag}); ${runtime.id} is the default build`;
  if (flags !== '') return `extension module for a CPython build with ABI flags "${flags}" (${tag}); ${runtime.id} expects ${expected}`;
  if (platform !== `${arch.gnuArch}-linux-gnu`) return `extension module tagged for ${platform} (${tag}); on ${arch.name} ${runtime.id} imports only ${expected}`;
  return undefined;
}

const WHEEL_TAG = /^Tag:\s*cp(\d)(\d+)-abi3-/gm;

function abi3Findings(modules: PackageEntry[], context: CheckContext): Finding[] {
  const minimums = abi3Minimums(context);
  const [major, minor] = context.runtime.python!;
  const findings: Finding[] = [];
  for (const entry of modules) {
    const minimum = minimums.get(entry.path!);
    if (!minimum || minimum.version[0] < major || (minimum.version[0] === major && minimum.version[1] <= minor)) continue;
    findings.push(finding('PYTHON_ABI_MISMATCH', entry.name,
      `abi3 extension from a wheel for CPython >= ${minimum.version.join('.')} (${minimum.distInfo}/WHEEL), but ${context.runtime.id} is Python ${major}.${minor}`));
  }
  return findings;
}

/** File path → the lowest CPython its wheel's abi3 tags allow, from every .dist-info in the zip. */
function abi3Minimums({ tree, readText }: CheckContext): Map<string, { version: [number, number]; distInfo: string }> {
  const minimums = new Map<string, { version: [number, number]; distInfo: string }>();
  for (const entry of tree.entries) {
    if (entry.path === undefined || !entry.path.endsWith('.dist-info/WHEEL')) continue;
    const distInfo = posix.dirname(entry.path);
    const versions = [...(readText(entry) ?? '').matchAll(WHEEL_TAG)].map((m): [number, number] => [Number(m[1]), Number(m[2])]);
    if (!versions.length) continue;
    const lowest = versions.reduce((a, b) => (b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]) ? b : a));
    const record = tree.get(`${distInfo}/RECORD`);
    const base = posix.dirname(distInfo);
    for (const line of (record ? readText(record) ?? '' : '').split('\n')) {
      const file = line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.split(',')[0]!;
      if (file) minimums.set(base === '.' ? posix.normalize(file) : posix.join(base, file), { version: lowest, distInfo });
    }
  }
  return minimums;
}
