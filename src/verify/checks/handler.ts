// HANDLER_NOT_FOUND: the module named by the handler setting must exist where the runtime looks.
// Node.js: <dir>/<module>.<export> → <dir>/<module>.js|.mjs|.cjs (or a directory's index.js), from /var/task.
// Python: <module path>.<function> → <module>.py, <module>/__init__.py or an extension module,
// from /var/task and the layer's python/ directories.
import { posix } from 'node:path';
import type { Runtime } from '../../runtimes.js';
import { finding, type Finding } from '../findings.js';
import { FUNCTION_ROOT, LAYER_ROOT, type LambdaFilesystem, type PackageTree } from '../package-tree.js';
import type { CheckContext } from './context.js';

export function checkHandler({ handler, layer, runtime, filesystem, tree }: CheckContext): Finding[] {
  if (!handler || layer) return [];
  const target = handlerTarget(runtime, handler);
  if (!target) return [];
  if ('malformed' in target) return [finding('HANDLER_NOT_FOUND', '', `handler ${JSON.stringify(handler)} ${target.malformed}`)];
  const found = target.roots.some((root) => target.candidates.some((candidate) => exists(filesystem, tree, root, candidate)));
  if (found) return [];
  const tried = target.candidates.map((c) => JSON.stringify(c)).join(', ');
  return [finding('HANDLER_NOT_FOUND', target.candidates[0]!, `handler ${JSON.stringify(handler)} names module ${JSON.stringify(target.module)}, but none of ${tried} is in the zip`)];
}

export type HandlerTarget = { module: string; candidates: string[]; roots: string[] } | { malformed: string };

export function handlerTarget(runtime: Runtime, handler: string): HandlerTarget | undefined {
  if (runtime.family === 'nodejs') {
    const slash = handler.lastIndexOf('/');
    const dir = handler.slice(0, slash + 1);
    const base = handler.slice(slash + 1);
    const dot = base.indexOf('.');
    if (dot <= 0 || dot === base.length - 1) return { malformed: 'is not of the form <file>.<function>' };
    const module = posix.normalize(dir + base.slice(0, dot));
    return { module, candidates: ['.js', '.mjs', '.cjs', '/index.js'].map((ext) => module + ext), roots: [FUNCTION_ROOT] };
  }
  if (runtime.family === 'python') {
    const dot = handler.lastIndexOf('.');
    if (dot <= 0 || dot === handler.length - 1) return { malformed: 'is not of the form <module>.<function>' };
    const module = handler.slice(0, dot).replaceAll('/', '.').split('.').join('/');
    const roots = [FUNCTION_ROOT, `${LAYER_ROOT}/python`, `${LAYER_ROOT}/python/lib/python${runtime.python![0]}.${runtime.python![1]}/site-packages`];
    return { module, candidates: [`${module}.py`, `${module}/__init__.py`, `${module}.pyc`, `${module}.*.so`], roots };
  }
  return undefined;
}

function exists(filesystem: LambdaFilesystem, tree: PackageTree, root: string, candidate: string): boolean {
  if (!candidate.includes('*')) return filesystem.exists(`${root}/${candidate}`);
  // An extension module: <module>.<any tag>.so, in the function zip only.
  if (root !== FUNCTION_ROOT) return false;
  const [prefix, suffix] = candidate.split('*') as [string, string];
  return tree.entries.some((e) => e.path?.startsWith(prefix) && e.path.endsWith(suffix) && !e.path.slice(prefix.length).includes('/'));
}
