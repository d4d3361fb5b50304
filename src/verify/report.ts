// Renders verification results: human text grouped by file with the fix, or one JSON document.
import type { VerifyResult } from './index.js';

export function renderHuman(results: readonly VerifyResult[]): string {
  const blocks = results.map((result) => {
    const errors = result.findings.filter((f) => f.severity === 'error').length;
    const warnings = result.findings.length - errors;
    const counts = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
    const mark = result.ok ? 'ok' : 'FAILED';
    const lines = [`${result.zip} (${result.runtime}, ${result.arch}): ${mark}${counts ? ` — ${counts}` : ''}`];
    const byPath = new Map<string, typeof result.findings>();
    for (const f of result.findings) byPath.set(f.path, [...(byPath.get(f.path) ?? []), f]);
    for (const [path, findings] of byPath) {
      lines.push(`  ${path === '' ? '(whole zip)' : path}`);
      for (const f of findings) {
        lines.push(`    ${f.severity} ${f.code}: ${f.message}`);
        lines.push(`      fix: ${f.fix}`);
      }
    }
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export function renderJson(results: readonly VerifyResult[]): string {
  const document = {
    results: results.map((r) => ({
      zip: r.zip,
      runtime: r.runtime,
      arch: r.arch,
      ok: r.ok,
      findings: r.findings.map((f) => ({ code: f.code, severity: f.severity, path: f.path, message: f.message, fix: f.fix })),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
