// What an install leaves in its output reaches the zip whole: hard links become files, links into
// the build are materialised, and a link out of the build or a FIFO fails the task naming it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaPack } from '../helpers/cli.js';
import { requireEngine } from '../helpers/docker.js';
import { tempProject } from '../helpers/project.js';
import { readZipEntry, zipEntryModes } from '../helpers/zip.js';

const BOOTSTRAP = '#!/bin/sh\\necho ready\\n';
const project = tempProject({
  'lambda-pack.config.yaml': [
    'imageSet: local',
    '# The bootstraps are shell stand-ins that exit: the test is about what reaches the zip.',
    'loadCheck: false',
    'functions:',
    '  links: { runtime: provided.al2023, source: links }',
    '  escape: { runtime: provided.al2023, source: escape }',
    '  fifo: { runtime: provided.al2023, source: fifo }',
  ].join('\n'),
  // gyp-style: the product is a hard link to the object it was linked as; data is a link into the build.
  'links/Makefile': [
    'build-links:',
    `\tmkdir -p "$(ARTIFACTS_DIR)/obj" "$(ARTIFACTS_DIR)/bin"`,
    `\tprintf '${BOOTSTRAP}' > "$(ARTIFACTS_DIR)/obj/bootstrap" && chmod 755 "$(ARTIFACTS_DIR)/obj/bootstrap"`,
    '\tln -f "$(ARTIFACTS_DIR)/obj/bootstrap" "$(ARTIFACTS_DIR)/bootstrap"',
    '\tln -f "$(ARTIFACTS_DIR)/obj/bootstrap" "$(ARTIFACTS_DIR)/bin/tool"',
    '\tln -s /build/assets "$(ARTIFACTS_DIR)/assets"',
    '\tln -s ../bootstrap "$(ARTIFACTS_DIR)/bin/start"',
    '',
  ].join('\n'),
  'links/assets/greeting.txt': 'hello\n',
  'links/assets/nested/more.txt': 'more\n',
  'escape/Makefile': `build-escape:\n\tprintf '${BOOTSTRAP}' > "$(ARTIFACTS_DIR)/bootstrap" && chmod 755 "$(ARTIFACTS_DIR)/bootstrap"\n\tln -s /etc/passwd "$(ARTIFACTS_DIR)/passwd"\n`,
  'fifo/Makefile': `build-fifo:\n\tprintf '${BOOTSTRAP}' > "$(ARTIFACTS_DIR)/bootstrap" && chmod 755 "$(ARTIFACTS_DIR)/bootstrap"\n\tmkfifo "$(ARTIFACTS_DIR)/pipe"\n`,
});
const zip = path.join(project.root, 'dist/links-x86_64.zip');
let result: Awaited<ReturnType<typeof lambdaPack>>;

beforeAll(async () => {
  await requireEngine();
  result = await lambdaPack(['build', '--arch', 'x86_64', '--json'], { cwd: project.root });
}, 300_000);

afterAll(() => project.remove());

describe('copying an install\'s output out of its container', () => {
  it('ships every hard link as a file with its content and exec bit', async () => {
    expect(existsSync(zip), result.stderr).toBe(true);
    for (const entry of ['bootstrap', 'bin/tool', 'obj/bootstrap']) expect(await readZipEntry(zip, entry), entry).toBe('#!/bin/sh\necho ready\n');
    const modes = await zipEntryModes(zip);
    expect(modes.get('bootstrap')).toBe(0o100755);
    expect(modes.get('bin/tool')).toBe(0o100755);
  });

  it('materialises a link into the build and keeps a link inside the output', async () => {
    expect(await readZipEntry(zip, 'assets/greeting.txt')).toBe('hello\n');
    expect(await readZipEntry(zip, 'assets/nested/more.txt')).toBe('more\n');
    const modes = await zipEntryModes(zip);
    expect(modes.get('bin/start')).toBe(0o120777);
  });

  it('fails the task whose output links outside the build, naming the link, and writes no zip', () => {
    const printed = JSON.parse(result.stdout);
    expect(printed.failures.find((f: { task: string }) => f.task === 'escape-x86_64')).toMatchObject({
      code: 'LINK_OUTSIDE_OUTPUT', message: expect.stringContaining('passwd → /etc/passwd'),
    });
    expect(existsSync(path.join(project.root, 'dist/escape-x86_64.zip'))).toBe(false);
  });

  it('fails the task whose output holds a FIFO, naming it', () => {
    const printed = JSON.parse(result.stdout);
    expect(printed.failures.find((f: { task: string }) => f.task === 'fifo-x86_64')).toMatchObject({
      code: 'ARCHIVE_ENTRY_UNSUPPORTED', message: expect.stringContaining('pipe" is a fifo'),
    });
    expect(result.exitCode).toBe(1);
  });
});
