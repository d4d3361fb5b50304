// strip: the config default (cargo strips, the rest ship as built), and the container step by
// value: the target's strip, debug sections only, every ELF file under the output in a fixed order.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { stripStep, stripTool } from '../../src/builders/strip.js';
import { renderStep } from '../../src/executor/script.js';
import { ARCHITECTURES } from '../../src/runtimes.js';
import { HOST } from '../helpers/host.js';
import { tempProject, type TempProject } from '../helpers/project.js';

const made: TempProject[] = [];
afterEach(() => { for (const p of made.splice(0)) p.remove(); });

describe('strip', () => {
  it('is on for cargo and off for the other builders unless the config says otherwise', async () => {
    const project = tempProject({
      'lambda-pack.config.yaml': [
        'functions:',
        '  rust: { runtime: provided.al2023, source: rust }',
        '  rustDebug: { runtime: provided.al2023, source: rust, strip: false }',
        '  node: { runtime: nodejs22.x, source: node, handler: index.handler }',
        '  nodeStripped: { runtime: nodejs22.x, source: node, handler: index.handler, strip: true }',
      ].join('\n'),
      'rust/Cargo.toml': '[package]\nname = "b"\nversion = "1.0.0"\n',
      'node/index.js': 'exports.handler = async () => 1;\n',
    });
    made.push(project);
    const config = await loadConfig({ host: HOST, cwd: project.root });
    expect(Object.fromEntries(config.artifacts.map((f) => [f.name, f.strip]))).toEqual({ rust: true, rustDebug: false, node: false, nodeStripped: true });
  });

  it('uses the cross strip in a cross build and the image\'s own otherwise', () => {
    expect(stripTool('cross', ARCHITECTURES.arm64)).toBe('aarch64-linux-gnu-strip');
    expect(stripTool('cross', ARCHITECTURES.x86_64)).toBe('x86_64-linux-gnu-strip');
    expect(stripTool('emulated', ARCHITECTURES.arm64)).toBe('strip');
    expect(stripTool('native', ARCHITECTURES.x86_64)).toBe('strip');
  });

  it('strips debug sections only, from the ELF files under the output, in sorted order', () => {
    const step = stripStep('/tmp/lambda-pack-out', 'aarch64-linux-gnu-strip');
    expect('run' in step && step.run.slice(-2)).toEqual(['aarch64-linux-gnu-strip', '/tmp/lambda-pack-out']);
    const script = renderStep(step);
    expect(script).toContain('--strip-debug "$file"');
    expect(script).not.toContain('--strip-all');
    expect(script).toContain('LC_ALL=C sort');
    expect(script).toContain('= 7f454c46 ]');
    expect(script).toContain('strip: true');
  });
});
