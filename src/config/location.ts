// Where a field lives in the config file, as "file:line", for error messages.
import { isMap, isSeq, parseDocument, type Node } from 'yaml';

export type FieldPath = readonly (string | number)[];

/** functions.api.layers[0]; a key that would read as a path ("../x", "a.b") is quoted: functions["../x"]. */
export function formatField(path: FieldPath): string {
  return path.reduce<string>((out, key) =>
    typeof key === 'number' ? `${out}[${key}]`
      : !/^[^\s./\\"'[\]]+$/.test(key) ? `${out}[${JSON.stringify(key)}]`
        : out ? `${out}.${key}` : key, '');
}

/** 1-based line of the value (or key) at `path` in YAML or JSON text, when it can be found. */
export function lineOf(text: string, path: FieldPath): number | undefined {
  let doc: ReturnType<typeof parseDocument>;
  try { doc = parseDocument(text, { keepSourceTokens: false }); } catch { return undefined; }
  let node: unknown = doc.contents;
  let range: [number, number, number] | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      range = ((pair.key as Node | null)?.range ?? range) as [number, number, number] | undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      range = (node as Node | undefined)?.range ?? range;
    } else break;
  }
  if (!range) return undefined;
  return text.slice(0, range[0]).split('\n').length;
}
