// NODE_ABI_MISMATCH for node-gyp-build packages: when prebuilds/linux-<arch>/ holds addons only
// for other Node ABIs (or libcs), none of them loads and the require fails at run time.
import { posix } from 'node:path';
import { finding, type Finding } from '../findings.js';
import { prebuildAbi, prebuildLocation, unusedOnLambda } from '../unused-binaries.js';
import type { CheckContext } from './context.js';

export function checkNodePrebuilds({ runtime, arch, tree }: CheckContext): Finding[] {
  if (runtime.nodeModuleVersion === undefined) return [];
  const directories = new Map<string, string[]>();
  for (const entry of tree.entries) {
    if (entry.kind !== 'file' || !entry.path?.endsWith('.node')) continue;
    const prebuild = prebuildLocation(entry.path);
    if (prebuild?.platform !== 'linux' || !prebuild.cpus.includes(arch.nodeArch)) continue;
    const files = directories.get(prebuild.directory) ?? [];
    files.push(entry.path);
    directories.set(prebuild.directory, files);
  }
  const findings: Finding[] = [];
  for (const [directory, files] of directories) {
    if (files.some((file) => unusedOnLambda(file, runtime, arch) === undefined)) continue;
    const packageRoot = posix.dirname(posix.dirname(directory));
    const built = tree.entries.some((e) => e.path?.startsWith(`${packageRoot}/build/Release/`) && e.path.endsWith('.node'));
    if (built) continue;
    const abis = [...new Set(files.map((f) => prebuildAbi(prebuildLocation(f)!.tags)).filter((a): a is number => typeof a === 'number'))].sort((a, b) => a - b);
    const found = abis.length ? `NODE_MODULE_VERSION ${abis.join(', ')}` : 'musl or Electron only';
    findings.push(finding('NODE_ABI_MISMATCH', directory,
      `no prebuild here loads on ${runtime.id} (NODE_MODULE_VERSION ${runtime.nodeModuleVersion}, glibc): found ${found}`));
  }
  return findings;
}
