// Temporary projects for tests: a directory with a config file and the sources it names.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempProject {
  readonly root: string;
  file(rel: string, content?: string): string;
  dir(rel: string): string;
  link(rel: string, target: string): string;
  remove(): void;
}

export function tempProject(files: Record<string, string> = {}): TempProject {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lambda-pack-test-'));
  const project: TempProject = {
    root,
    file(rel, content = '') {
      const target = path.join(root, rel);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
      return target;
    },
    dir(rel) {
      const target = path.join(root, rel);
      mkdirSync(target, { recursive: true });
      return target;
    },
    link(rel, target) {
      const at = path.join(root, rel);
      mkdirSync(path.dirname(at), { recursive: true });
      symlinkSync(target, at);
      return at;
    },
    remove() { rmSync(root, { recursive: true, force: true }); },
  };
  for (const [rel, content] of Object.entries(files)) project.file(rel, content);
  return project;
}
