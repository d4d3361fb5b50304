// Python's json.dumps(value, sort_keys=True) byte for byte, for the content hashes Poetry and
// Pipenv write into their lockfiles (sha256 of that text): default separators (", ", ": ") or
// compact ones, non-ASCII escaped as \uXXXX (ensure_ascii).

function dumpString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) {
      // Beyond the BMP, Python writes the UTF-16 surrogate pair.
      for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += char;
  }
  return `${out}"`;
}

function dumpNumber(value: number | bigint): string {
  if (typeof value === 'bigint' || Number.isInteger(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return String(value).replace(/e([+-])?(\d)$/, (_m, sign: string | undefined, digit: string) => `e${sign ?? '+'}0${digit}`);
}

export function pythonJsonDumps(value: unknown, separators: readonly [string, string] = [', ', ': ']): string {
  const [item, key] = separators;
  const dump = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'number' || typeof v === 'bigint') return dumpNumber(v);
    if (typeof v === 'string') return dumpString(v);
    if (Array.isArray(v)) return `[${v.map(dump).join(item)}]`;
    if (v instanceof Date) return dumpString(v.toISOString());
    const entries = Object.keys(v as object).sort().map((k) => `${dumpString(k)}${key}${dump((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(item)}}`;
  };
  return dump(value);
}
