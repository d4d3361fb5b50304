// LIBSTDCXX_TOO_NEW: C++ code built with a newer GCC needs GLIBCXX_/CXXABI_ versions the runtime's
// libstdc++ lacks ("version `GLIBCXX_3.4.30' not found"). Lambda's LD_LIBRARY_PATH lists /lib64
// before /var/task/lib and /opt/lib, so a libstdc++.so.6 shipped in the zip replaces the system one
// only when the binary's DT_RPATH points at it.
import { posix } from 'node:path';
import { LIBSTDCXX } from '../base-images.js';
import { finding, type Finding } from '../findings.js';
import { loadableElves } from './binaries.js';
import type { CheckContext } from './context.js';
import { expandedRunPaths } from './shared-libraries.js';
import { versionsTooNew } from './versions.js';

const LIBSTDCXX_SONAME = 'libstdc++.so.6';

export function checkLibstdcxx(context: CheckContext): Finding[] {
  const { runtime, filesystem, tree } = context;
  const provided = LIBSTDCXX[runtime.os];
  const findings: Finding[] = [];
  for (const { entry, elf } of loadableElves(context)) {
    if (!elf.needed.includes(LIBSTDCXX_SONAME) || entry.path === undefined) continue;
    const { rpath } = expandedRunPaths(elf, posix.dirname(`${tree.root}/${entry.path}`));
    if (rpath.some((dir) => filesystem.exists(posix.join(dir, LIBSTDCXX_SONAME)))) continue;
    const needs = elf.versionNeeds.filter((n) => n.file === LIBSTDCXX_SONAME);
    const tooNew = versionsTooNew(needs, elf.symbols, 'GLIBCXX', provided.GLIBCXX) ?? versionsTooNew(needs, elf.symbols, 'CXXABI', provided.CXXABI);
    if (!tooNew) continue;
    findings.push(finding('LIBSTDCXX_TOO_NEW', entry.name,
      `needs ${tooNew.newest}${tooNew.examples}, but ${runtime.id} (${runtime.os.toUpperCase()}) has libstdc++ up to GLIBCXX_${provided.GLIBCXX.join('.')} / CXXABI_${provided.CXXABI.join('.')}`));
  }
  return findings;
}
