// PEP 508 markers and PEP 440 versions as lockfiles use them, evaluated for Lambda tasks.
import { describe, expect, it } from 'vitest';
import { evaluateMarker, markerEnvironment, MarkerError } from '../../src/builders/python/markers.js';
import { canonicalSpecifiers, compareVersions, parseVersion, satisfies } from '../../src/builders/python/versions.js';
import { ARCHITECTURES, runtime } from '../../src/runtimes.js';

const x86 = markerEnvironment(runtime('python3.11'), ARCHITECTURES.x86_64);
const arm = markerEnvironment(runtime('python3.12'), ARCHITECTURES.arm64, { extras: ['Speed'], dependencyGroups: ['lambda'] });

describe('versions (PEP 440)', () => {
  it('orders releases, pre-releases, post and dev releases', () => {
    const sorted = ['1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1', '1.0.1', '2!0.1']
      .map((v) => parseVersion(v)!);
    for (let i = 1; i < sorted.length; i++) expect(compareVersions(sorted[i - 1]!, sorted[i]!)).toBe(-1);
    expect(compareVersions(parseVersion('1.0')!, parseVersion('1.0.0')!)).toBe(0);
    expect(parseVersion('not a version')).toBeUndefined();
  });

  it('tests specifier sets, wildcards and compatible releases', () => {
    expect(satisfies('3.11', '>=3.9,<4')).toBe(true);
    expect(satisfies('3.11', '>=3.12')).toBe(false);
    expect(satisfies('3.11.4', '==3.11.*')).toBe(true);
    expect(satisfies('3.12.0', '!=3.11.*')).toBe(true);
    expect(satisfies('2.1.5', '~=2.1')).toBe(true);
    expect(satisfies('3.0', '~=2.1')).toBe(false);
    expect(satisfies('1.0', '')).toBe(true);
    expect(satisfies('1.0', 'bogus')).toBeUndefined();
    expect(canonicalSpecifiers('<4 , >= 3.9')).toBe('<4,>=3.9');
  });
});

describe('markers for a Lambda task', () => {
  it('holds for Linux, CPython and the runtime and CPU of the task', () => {
    expect(evaluateMarker('sys_platform == "linux" and platform_system == "Linux" and os_name == "posix"', x86)).toBe(true);
    expect(evaluateMarker("implementation_name == 'cpython' and platform_python_implementation == 'CPython'", x86)).toBe(true);
    expect(evaluateMarker('platform_machine == "x86_64"', x86)).toBe(true);
    expect(evaluateMarker('platform_machine == "x86_64"', arm)).toBe(false);
    expect(evaluateMarker('platform_machine == "aarch64" or platform_machine == "arm64"', arm)).toBe(true);
    expect(evaluateMarker('python_version >= "3.12"', x86)).toBe(false);
    expect(evaluateMarker('python_version >= "3.12"', arm)).toBe(true);
    expect(evaluateMarker('"3.10" < python_version', x86)).toBe(true);
  });

  it('leaves out Windows and macOS packages', () => {
    expect(evaluateMarker('sys_platform == "win32"', x86)).toBe(false);
    expect(evaluateMarker('platform_system == "Windows" or sys_platform == "darwin"', x86)).toBe(false);
    expect(evaluateMarker('os.name == "nt"', x86)).toBe(false);
  });

  it('decides python_full_version when every 3.x patch release agrees, and refuses when they differ', () => {
    expect(evaluateMarker("python_full_version >= '3.11'", x86)).toBe(true);
    expect(evaluateMarker("python_full_version < '3.11'", x86)).toBe(false);
    expect(evaluateMarker("python_full_version == '3.11.*'", x86)).toBe(true);
    expect(() => evaluateMarker("python_full_version >= '3.11.4'", x86)).toThrow(/patch release of Python 3.11/);
    expect(evaluateMarker("python_full_version >= '3.11.4'", { ...x86, pythonFullVersion: '3.11.9' })).toBe(true);
    // Undecided parts that cannot change the outcome are fine.
    expect(evaluateMarker("sys_platform == 'win32' and python_full_version >= '3.11.4'", x86)).toBe(false);
  });

  it('holds extra and dependency-group markers for the chosen ones only', () => {
    expect(evaluateMarker('extra == "speed"', arm)).toBe(true);
    expect(evaluateMarker('extra == "speed"', x86)).toBe(false);
    expect(evaluateMarker("'lambda' in dependency_groups and 'speed' in extras", arm)).toBe(true);
    expect(evaluateMarker("'dev' not in dependency_groups", arm)).toBe(true);
  });

  it('refuses what PEP 508 does not allow', () => {
    expect(() => evaluateMarker('platform_kernel == "x"', x86)).toThrow(MarkerError);
    expect(() => evaluateMarker('python_version >= "3.8" and', x86)).toThrow(/ends too early/);
    expect(() => evaluateMarker('(python_version >= "3.8"', x86)).toThrow(/not closed/);
    expect(() => evaluateMarker('platform_release >= "5"', x86)).toThrow(/kernel/);
  });
});
