// The offline local images carry what SAM's build images carry (images/sam-tools.list), tested
// the way SAM's image tests do: each tool answers its version check in each local image, for both
// architectures — one container per image and architecture, running every check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { localRecipeNames, RECIPES } from '../../src/recipes.js';
import { ARCH_NAMES, ARCHITECTURES, type ArchName } from '../../src/runtimes.js';
import { lambdaPack, REPO } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';

/** The directory under images/ of each local recipe: how sam-tools.list names the images. */
const IMAGE_DIRS: Record<string, string> = { 'nodejs22.x': 'nodejs', 'python3.11': 'python', 'provided.al2023': 'provided' };

interface Tool { readonly pkg: string; readonly images: readonly string[]; readonly check: string }

const TOOLS: Tool[] = readFileSync(path.join(REPO, 'images/sam-tools.list'), 'utf8').split('\n')
  .filter((line) => line.trim() && !line.trimStart().startsWith('#'))
  .map((line) => {
    const [pkg, images, ...check] = line.trim().split(/\s+/);
    return { pkg: pkg!, images: images!.split(','), check: check.join(' ') };
  });

const toolsOf = (dir: string) => TOOLS.filter((t) => t.images.includes('all') || t.images.includes(dir));
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Each check's exit code and first line of output, as `<check> => <code> <line>`; then the machine. */
function checkScript(tools: readonly Tool[]): string {
  return [
    ...tools.map((t) => `out=$(sh -c ${quote(t.check)} 2>&1 </dev/null); code=$?; printf '%s => %s %s\\n' ${quote(t.check)} "$code" "$(printf '%s\\n' "$out" | head -1)"`),
    `printf 'machine => %s %s\\n' "$(uname -m)" "$(gcc -dumpmachine)"`,
  ].join('\n');
}

const refs = new Map<string, string>();

beforeAll(async () => {
  await requireEngine();
  // What the machine setup built (instant when the recipes are unchanged); prints "<name> <arch>: <ref>".
  const built = await lambdaPack(['images', 'build']);
  expect(built.exitCode, built.stderr.slice(-3000)).toBe(0);
  for (const match of built.stderr.matchAll(/^(\S+) (x86_64|arm64): (\S+)$/gm)) refs.set(`${match[1]} ${match[2]}`, match[3]!);
}, 3_600_000);

describe('the offline local images carry the tools of SAM\'s build images', () => {
  it('covers every local image, and lists make, gcc, g++, tar, zip, unzip and git for all of them', () => {
    // Build images only: the runtime stand-ins carry what Lambda's runtime images carry, no compilers.
    expect(Object.keys(IMAGE_DIRS).sort()).toEqual(localRecipeNames().filter((n) => RECIPES[n]!.role !== 'runtime').sort());
    for (const dir of Object.values(IMAGE_DIRS)) {
      expect(toolsOf(dir).map((t) => t.check.split(' ')[0])).toEqual(expect.arrayContaining(['make', 'gcc', 'g++', 'tar', 'zip', 'unzip', 'git']));
    }
  });

  for (const name of Object.keys(IMAGE_DIRS)) {
    for (const arch of ARCH_NAMES as readonly ArchName[]) {
      it(`${name} ${arch}: every tool answers, in a container of that architecture`, async () => {
        const ref = refs.get(`${name} ${arch}`);
        expect(ref, `images build did not name ${name} ${arch}`).toBeDefined();
        const tools = toolsOf(IMAGE_DIRS[name]!);
        const run = await execa('docker', ['run', '--rm', '--platform', ARCHITECTURES[arch].dockerPlatform, '--network', 'none', '--user', '993:990',
          '--entrypoint', '/bin/sh', ref!, '-c', checkScript(tools)], { reject: false });
        expect(run.exitCode, String(run.stderr)).toBe(0);
        const answers = new Map(String(run.stdout).split('\n').filter(Boolean).map((line) => {
          const [check, rest] = line.split(' => ');
          return [check!, rest!] as const;
        }));
        for (const tool of tools) expect(answers.get(tool.check), `${tool.check} (${tool.pkg}) in ${ref}`).toMatch(/^0 \S/);
        expect(answers.get('machine')).toBe(arch === 'arm64' ? 'aarch64 aarch64-linux-gnu' : 'x86_64 x86_64-linux-gnu');
        if (name === 'python3.11') {
          // `python` and `pip` are the runtime's interpreter, as in SAM's python3.11 image.
          expect(answers.get('python --version')).toMatch(/^0 Python 3\.11\.\d+$/);
          expect(answers.get('pip --version')).toMatch(/^0 pip \S+ from \S+ \(python 3\.11\)$/);
        }
        if (name === 'provided.al2023') expect(answers.get('python3 --version')).toMatch(/^0 Python 3\.\d+/);
      }, arch === 'arm64' ? 240_000 : 60_000);
    }
  }
});
