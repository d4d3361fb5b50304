// The compiler cache by value: the config field and its errors, the plan's flag (never key
// material), and the lines of the install script that turn ccache on and report what it did.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { compilerCacheDir, compilerCacheEnv } from '../../src/executor/compiler-cache.js';
import { renderScript } from '../../src/executor/script.js';
import { placeTasks, plan } from '../../src/plan/plan.js';
import { taskPlan } from '../../src/plan/task-plan.js';
import { analyzeArtifact } from '../../src/project/analyze.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

async function configOf(yaml: string) {
  project = tempProject({
    'fn/Makefile': 'build:\n\tcc -o $(ARTIFACTS_DIR)/bootstrap main.c\n', 'fn/main.c': 'int main(void) { return 0; }\n',
    'static/index.js': '', 'lambda-pack.config.yaml': yaml,
  });
  return loadConfig({ host: HOST, cwd: project.root });
}

async function configError(yaml: string): Promise<ConfigError> {
  const error = await configOf(yaml).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const IMAGE = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('compilerCache in the config', () => {
  it('is on for builders that compile in a container, off for copy, and overridable per function', async () => {
    const config = await configOf([
      'compilerCache: false',
      'functions:',
      '  own: { runtime: provided.al2023, source: fn, compilerCache: true }',
      '  inherited: { runtime: provided.al2023, source: fn }',
      '  plain: { runtime: nodejs22.x, source: static }',
    ].join('\n'));
    expect(Object.fromEntries(config.artifacts.map((a) => [a.name, a.compilerCache]))).toEqual({ own: true, inherited: false, plain: false });
    const defaults = await configOf('functions:\n  fn: { runtime: provided.al2023, source: fn }\n');
    expect(defaults.artifacts[0]!.compilerCache).toBe(true);
  });

  it('refuses a value that is not true or false, naming the field', async () => {
    const error = await configError('functions:\n  fn: { runtime: provided.al2023, source: fn, compilerCache: "off" }\n');
    expect(error.message).toContain('functions.fn.compilerCache');
    expect(error.message).toMatch(/boolean/);
  });

  it('refuses it on the copy builder, which compiles nothing', async () => {
    const error = await configError('functions:\n  plain: { runtime: nodejs22.x, source: static, compilerCache: false }\n');
    expect(error.code).toBe('COMPILER_CACHE_SETTING');
    expect(error.message).toContain('functions.plain.compilerCache');
    expect(error.message).toContain('copy builder');
    expect(error.message).toContain('Remove "compilerCache"');
  });

  it('refuses CCACHE_ variables while lambda-pack runs the compiler cache, and lets them through when it is off', async () => {
    const inEnv = await configError('functions:\n  fn: { runtime: provided.al2023, source: fn, env: { CCACHE_SLOPPINESS: time_macros } }\n');
    expect(inEnv.code).toBe('COMPILER_CACHE_SETTING');
    expect(inEnv.message).toContain('functions.fn.env.CCACHE_SLOPPINESS');
    expect(inEnv.message).toContain('compilerCache: false');
    const passed = await configError('functions:\n  fn: { runtime: provided.al2023, source: fn, passEnv: [HOME_DIR, CCACHE_DIR] }\n');
    expect(passed.message).toContain('functions.fn.passEnv[1]');
    const off = await configOf('functions:\n  fn: { runtime: provided.al2023, source: fn, compilerCache: false, env: { CCACHE_DIR: /tmp/cc } }\n');
    expect(off.artifacts[0]!.env).toEqual({ CCACHE_DIR: '/tmp/cc' });
  });
});

describe('compilerCache in the plan', () => {
  it('is shown on the install, and the dependency key is the same on and off (the bytes are)', async () => {
    const planned = async (setting: string) => {
      const config = await configOf(`imageSet: local\nfunctions:\n  fn: { runtime: provided.al2023, source: fn${setting} }\n`);
      const [task] = placeTasks(config, plan(config), {}, ARCHITECTURES.x86_64);
      return taskPlan(task!, await analyzeArtifact(task!.artifact, HOST), HOST);
    };
    const on = await planned('');
    const off = await planned(', compilerCache: false');
    expect([on.install!.compilerCache, off.install!.compilerCache]).toEqual([true, false]);
    expect(off.keys).toEqual(on.keys);
  });
});

describe('the install script', () => {
  const steps = [{ run: ['make', 'build'] }];

  it('keeps results per user and build image in the cache volume', () => {
    expect(compilerCacheDir(1000, IMAGE)).toBe('/lambda-pack-cache/1000/ccache/0123456789ab');
  });

  it('sets every ccache setting that could change a result, and recaches with --no-cache', () => {
    expect(compilerCacheEnv({ imageId: IMAGE, uid: 1000, fresh: false })).toEqual({
      CCACHE_DIR: '/lambda-pack-cache/1000/ccache/0123456789ab', CCACHE_BASEDIR: '', CCACHE_SLOPPINESS: '', CCACHE_COMPILERCHECK: 'content',
      CCACHE_MAXSIZE: '1G', CCACHE_STATSLOG: '/tmp/lambda-pack-home/ccache-stats.log',
    });
    expect(compilerCacheEnv({ imageId: IMAGE, uid: 1000, fresh: true })).toMatchObject({ CCACHE_RECACHE: '1' });
  });

  it('puts the masquerade first in PATH only where the image has ccache, and reports hits after the steps', () => {
    const lines = renderScript(steps, { uid: 1000, extraCertificates: false, compilerCache: { imageId: IMAGE, uid: 1000, fresh: false } }).split('\n');
    const start = lines.indexOf('if [ -d /usr/lib/ccache ] && command -v ccache >/dev/null 2>&1; then');
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toBe("  export CCACHE_DIR=/lambda-pack-cache/1000/ccache/0123456789ab CCACHE_BASEDIR='' CCACHE_SLOPPINESS='' CCACHE_COMPILERCHECK=content CCACHE_MAXSIZE=1G CCACHE_STATSLOG=/tmp/lambda-pack-home/ccache-stats.log PATH=/usr/lib/ccache:\"$PATH\"");
    expect(lines.slice(start + 2, start + 8)).toEqual([
      '  mkdir -p "$CCACHE_DIR" && touch "$CCACHE_DIR"',
      '  find /lambda-pack-cache/1000/ccache -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} + 2>/dev/null || true',
      '  lambda_pack_compiler_cache=1',
      'else',
      "  echo 'lambda-pack: this image has no ccache (/usr/lib/ccache): compiling without the compiler cache'",
      'fi',
    ]);
    const step = lines.indexOf('make build');
    expect(step).toBeGreaterThan(start);
    expect(lines.slice(step + 1)).toEqual([
      'if [ -n "${lambda_pack_compiler_cache:-}" ] && [ -f /tmp/lambda-pack-home/ccache-stats.log ]; then',
      '  echo "lambda-pack: compiler cache: $(grep -c -x -e direct_cache_hit -e preprocessed_cache_hit /tmp/lambda-pack-home/ccache-stats.log || true) hits, ' +
        '$(grep -c -x -e cache_miss /tmp/lambda-pack-home/ccache-stats.log || true) misses, $(grep -c -x -e recache /tmp/lambda-pack-home/ccache-stats.log || true) recompiled (ccache in $CCACHE_DIR)"',
      'fi',
    ]);
  });

  it('has no trace of ccache when the compiler cache is off', () => {
    expect(renderScript(steps, { uid: 1000, extraCertificates: false })).not.toMatch(/ccache|CCACHE/);
  });
});
