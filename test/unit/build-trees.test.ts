// node-gyp build trees keep only what packages load, decided by what gyp wrote (config.gypi and
// Makefile), not by directory names; a node-pre-gyp package's tree goes whole once its addon is
// copied to module_path.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoadableProduct, pruneBuildTrees } from '../../src/package/build-trees.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Every file below `dir`, relative, sorted. */
function listed(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

const GYP = (dir: string, name: string) => ({
  [`${dir}/config.gypi`]: '{}', [`${dir}/Makefile`]: 'all:', [`${dir}/binding.Makefile`]: '', [`${dir}/${name}.target.mk`]: '',
  [`${dir}/Release/${name}.node`]: 'ELF', [`${dir}/Release/obj.target/${name}.node`]: 'ELF',
  [`${dir}/Release/obj.target/${name}/src/${name}.o`]: 'o', [`${dir}/Release/.deps/Release/${name}.node.d`]: 'd',
  [`${dir}/Release/lib.target/libhelper.so.1`]: 'ELF', [`${dir}/node_gyp_bins/.keep`]: '',
});

describe('node-gyp build trees', () => {
  it('keep their configurations\' addons and shared libraries only, wherever gyp built', async () => {
    project = tempProject({
      ...GYP('zeta/build', 'zeta'), 'zeta/package.json': '{"name":"zeta"}', 'zeta/index.js': '',
      ...GYP('odd/out-of-tree', 'odd'), 'odd/package.json': '{"name":"odd"}',
      // A directory called build that gyp did not write is left alone.
      'assets/build/Makefile': 'x', 'assets/build/readme.txt': 'x',
    });
    const pruned = await pruneBuildTrees(project.root);
    expect(pruned.map((p) => [p.path, p.whole])).toEqual([['odd/out-of-tree', false], ['zeta/build', false]]);
    expect(pruned[1]!.bytes).toBe('{}'.length + 'all:'.length + 'ELF'.length + 'o'.length + 'd'.length);
    expect(listed(path.join(project.root, 'zeta'))).toEqual(['build/Release/lib.target/libhelper.so.1', 'build/Release/zeta.node', 'index.js', 'package.json']);
    expect(listed(path.join(project.root, 'odd'))).toEqual(['out-of-tree/Release/lib.target/libhelper.so.1', 'out-of-tree/Release/odd.node', 'package.json']);
    expect(listed(path.join(project.root, 'assets'))).toEqual(['build/Makefile', 'build/readme.txt']);
  });

  it('go whole when node-pre-gyp copied the addon to module_path (bcrypt\'s layout)', async () => {
    project = tempProject({
      ...GYP('bcrypt/build-tmp-napi-v3', 'bcrypt_lib'),
      'bcrypt/package.json': '{"name":"bcrypt","binary":{"module_name":"bcrypt_lib","module_path":"./lib/binding/napi-v{napi_build_version}"}}',
      'bcrypt/lib/binding/napi-v3/bcrypt_lib.node': 'ELF', 'bcrypt/bcrypt.js': '',
    });
    const [tree] = await pruneBuildTrees(project.root);
    expect(tree).toMatchObject({ path: 'bcrypt/build-tmp-napi-v3', whole: true });
    expect(existsSync(path.join(project.root, 'bcrypt/build-tmp-napi-v3'))).toBe(false);
    expect(listed(path.join(project.root, 'bcrypt'))).toEqual(['bcrypt.js', 'lib/binding/napi-v3/bcrypt_lib.node', 'package.json']);
  });

  it('keep the tree of a node-pre-gyp package whose addon was not copied anywhere', async () => {
    project = tempProject({ ...GYP('p/build', 'p'), 'p/package.json': '{"binary":{"module_path":"./lib/binding"}}' });
    const [tree] = await pruneBuildTrees(project.root);
    expect(tree!.whole).toBe(false);
    expect(existsSync(path.join(project.root, 'p/build/Release/p.node'))).toBe(true);
  });

  it('names as loadable only a configuration\'s direct products and lib.target libraries', () => {
    expect(['Release/x.node', 'Debug/x.node', 'Release/lib.target/libx.so', 'Release/libx.so.2.1'].every(isLoadableProduct)).toBe(true);
    expect(['Release/obj.target/x.node', 'x.node', 'Release/x.o', 'Makefile', 'Release/.deps/x.node.d'].some(isLoadableProduct)).toBe(false);
  });
});
