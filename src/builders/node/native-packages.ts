// Which packages carry native code, so a bundle keeps them external and they are installed for
// the target instead: node-gyp addons (binding.gyp, gypfile), prebuilt .node files, the addon
// loaders (bindings, node-gyp-build, prebuild-install, node-pre-gyp), napi-rs per-platform
// optional packages, and install scripts the lockfile records.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LockNode, Lockfile } from './lockfile-model.js';
import type { PackageManifest } from './manifest.js';

/** Packages that load or build an addon: depending on one makes a package native. */
export const ADDON_LOADERS = ['bindings', 'node-gyp-build', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp', 'node-gyp-build-optional-packages', 'cmake-js'];

/** Why a package is native, in the user's words; undefined when it is plain JavaScript. */
export type NativeReason = string | undefined;

/** What the lockfile says: an install script, or optional packages built per platform. */
export function lockfileNativeReason(lockfile: Lockfile, node: LockNode): NativeReason {
  const platformPackages = node.dependencies
    .filter((e) => e.type === 'optional')
    .map((e) => lockfile.nodes.get(e.target))
    .filter((n): n is LockNode => !!n && (n.platform.os !== undefined || n.platform.cpu !== undefined));
  if (platformPackages.length) return `per-platform optional packages (${platformPackages.slice(0, 2).map((n) => n.name).join(', ')}${platformPackages.length > 2 ? ', …' : ''})`;
  if (node.installScript) return `an install script (${lockfile.file})`;
  return undefined;
}

/** What the package's own files say (an installed copy on this machine). */
export function manifestNativeReason(manifest: PackageManifest, files: ReadonlySet<string>): NativeReason {
  if (files.has('binding.gyp') || manifest.gypfile === true) return 'a binding.gyp (node-gyp builds it on install)';
  const loader = ADDON_LOADERS.find((l) => l in manifest.dependencies || l in manifest.optionalDependencies);
  if (loader) return `loads its addon with ${loader}`;
  if (manifest.raw.binary && typeof manifest.raw.binary === 'object') return 'a node-pre-gyp "binary" field';
  const script = ['preinstall', 'install', 'postinstall'].find((s) => manifest.scripts[s]);
  if (script) return `an ${script} script (${manifest.scripts[script]})`;
  const addon = [...files].find((f) => f.endsWith('.node'));
  if (addon) return `ships a compiled addon (${addon})`;
  return undefined;
}

/** Relative paths of the files of an installed package, skipping its node_modules (bounded: addons sit near the top). */
export async function packageFiles(dir: string, depth = 4): Promise<Set<string>> {
  const found = new Set<string>();
  async function visit(rel: string, level: number): Promise<void> {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.') && level < depth) await visit(child, level + 1);
      } else {
        found.add(child);
      }
    }
  }
  await visit('', 0);
  return found;
}
