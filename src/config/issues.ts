// Turns schema violations into one ConfigError whose message names the file, line, field and fix.
import { basename } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { didYouMean } from './suggest.js';
import { formatField, lineOf, type FieldPath } from './location.js';

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['root', 'outDir', 'architectures', 'concurrency', 'imageSet', 'images', 'certificates', 'docker', 'functions', 'layers'],
  function: ['runtime', 'source', 'handler', 'builder', 'architectures', 'exclude', 'env', 'passEnv', 'image', 'layers', 'binary', 'allowSecrets', 'cross', 'makeTarget', 'workingDirectory', 'manifest'],
  layer: ['runtimes', 'source', 'builder', 'architectures', 'exclude', 'env', 'passEnv', 'image', 'allowSecrets', 'cross', 'makeTarget', 'workingDirectory', 'manifest'],
  docker: ['host', 'hosts', 'memory'],
  engine: ['host', 'context', 'certPath', 'ca', 'cert', 'key', 'tlsVerify', 'identityFile'],
  image: ['x86_64', 'arm64'],
};

function knownKeysAt(path: FieldPath): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS['']!;
  if (path.length === 2 && path[0] === 'functions') return KNOWN_KEYS.function!;
  if (path.length === 2 && path[0] === 'layers') return KNOWN_KEYS.layer!;
  if (path.length === 1 && path[0] === 'docker') return KNOWN_KEYS.docker!;
  if (path[0] === 'docker' && path[1] === 'hosts' && path.length === 2) return KNOWN_KEYS.image!;
  if (path[0] === 'docker' && (path[1] === 'host' || path[1] === 'hosts')) return KNOWN_KEYS.engine!;
  if (path[path.length - 1] === 'image' || path[0] === 'images') return KNOWN_KEYS.image!;
  return [];
}

export function where(file: string, text: string, field: FieldPath): string {
  // In package.json the config is the value of its "lambda-pack" key.
  const line = lineOf(text, basename(file) === 'package.json' ? ['lambda-pack', ...field] : field);
  return `${file}${line ? `:${line}` : ''}`;
}

function describe(file: string, text: string, issue: z.core.$ZodIssue): string {
  const field = issue.path as FieldPath;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const at = [...field, key];
      return `${where(file, text, at)}: unknown key "${formatField(at)}".${didYouMean(key, knownKeysAt(field))} ` +
        `Remove it or correct the spelling; valid keys here are: ${knownKeysAt(field).join(', ')}.`;
    }).join('\n');
  }
  if (issue.code === 'invalid_key') {
    // A record key that breaks its rule: a function, layer or variable name.
    const key = field[field.length - 1];
    const rule = issue.issues.map((i) => i.message).join('; ') || issue.message;
    const parent = field[field.length - 2];
    const what = field.length === 2 && field[0] === 'functions' ? 'function name' : field.length === 2 && field[0] === 'layers' ? 'layer name'
      : parent === 'env' ? 'environment variable name' : 'name';
    return `${where(file, text, field)}: the ${what} "${String(key)}" (at "${formatField(field)}") is not allowed: ${rule}. Rename it.`;
  }
  const name = formatField(field) || '(top level)';
  return `${where(file, text, field)}: field "${name}": ${issue.message}. Correct the value of "${name}".`;
}

export function describeIssues(file: string, text: string, issues: readonly z.core.$ZodIssue[]): ConfigError {
  const first = issues[0];
  const lines = issues.map((issue) => describe(file, text, issue));
  return new ConfigError('CONFIG_INVALID', lines.join('\n'), {
    file, field: first ? formatField(first.path as FieldPath) : undefined,
  });
}
