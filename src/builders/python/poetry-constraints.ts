// Poetry's version constraints (`^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2 || 3.0`) as PEP 440 specifier
// sets, and its `python = "…"` dependency restriction as a PEP 508 marker.

function release(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10)).filter((n) => !Number.isNaN(n));
}

function bump(parts: readonly number[], index: number): string {
  const next = parts.slice(0, index + 1);
  next[index] = (next[index] ?? 0) + 1;
  return next.join('.');
}

function clause(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '*' || text === '') return '';
  const caret = /^\^\s*v?(\d+(?:\.\d+)*)(.*)$/.exec(text);
  if (caret) {
    const parts = release(caret[1]!);
    const first = parts.findIndex((n) => n !== 0);
    const upper = bump(parts, first === -1 ? parts.length - 1 : first);
    return `>=${caret[1]}${caret[2]},<${upper}`;
  }
  const tilde = /^~(?!=)\s*v?(\d+(?:\.\d+)*)(.*)$/.exec(text);
  if (tilde) {
    const parts = release(tilde[1]!);
    return `>=${tilde[1]}${tilde[2]},<${bump(parts, parts.length === 1 ? 0 : 1)}`;
  }
  if (/^(==|!=|<=|>=|<|>|~=|===)/.test(text)) return text.replace(/\s+/g, '');
  if (/^v?\d[\w.*+!-]*$/.test(text)) return `==${text}`;
  return undefined;
}

/** Alternatives (Poetry's `||`), each a comma-separated PEP 440 specifier set; undefined when unreadable. */
export function poetrySpecifiers(constraint: string): string[] | undefined {
  const alternatives: string[] = [];
  for (const alternative of constraint.split('||')) {
    // Poetry joins with "," or with spaces ("> 1.0 < 2.0").
    const parts = alternative.trim().replace(/([<>=!~^]=?)\s+/g, '$1').split(/\s*,\s*|\s+/).filter(Boolean);
    const clauses = parts.map(clause);
    if (clauses.some((c) => c === undefined)) return undefined;
    alternatives.push(clauses.filter(Boolean).join(','));
  }
  return alternatives;
}

/** `python = "^3.11"` as a marker on python_full_version; undefined when it allows every version. */
export function pythonMarker(constraint: string): string | undefined {
  const alternatives = poetrySpecifiers(constraint);
  if (!alternatives || alternatives.some((a) => a === '')) return undefined;
  const and = alternatives.map((set) => set.split(',').map((c) => {
    const [, op, version] = /^(===|==|!=|~=|<=|>=|<|>)(.+)$/.exec(c)!;
    return `python_full_version ${op} "${version}"`;
  }).join(' and '));
  return and.length === 1 ? and[0] : and.map((a) => `(${a})`).join(' or ');
}
