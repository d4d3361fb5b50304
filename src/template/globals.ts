// SAM's Globals merge (samtranslator's GlobalProperties): a resource's own value wins for plain
// values and intrinsics, mappings merge key by key, lists are concatenated (Globals first, then
// the resource's, duplicates kept), and a value of a different kind replaces the global one.
import { intrinsicOf } from './intrinsics.js';
import type { TemplateMap, TemplatePath, TemplateValue } from './parse.js';

type Kind = 'primitive' | 'map' | 'list';

function kindOf(value: TemplateValue): Kind {
  if (Array.isArray(value)) return 'list';
  // Intrinsics resolve to plain values when the stack is created: merged as plain values.
  if (value !== null && typeof value === 'object' && !intrinsicOf(value)) return 'map';
  return 'primitive';
}

export function mergeValues(global: TemplateValue, local: TemplateValue): TemplateValue {
  const g = kindOf(global);
  if (g !== kindOf(local) || g === 'primitive') return local;
  if (g === 'list') return [...(global as TemplateValue[]), ...(local as TemplateValue[])];
  const merged: TemplateMap = { ...(global as TemplateMap) };
  for (const [key, value] of Object.entries(local as TemplateMap)) {
    merged[key] = Object.hasOwn(merged, key) ? mergeValues(merged[key]!, value) : value;
  }
  return merged;
}

export interface MergedProperties {
  readonly properties: TemplateMap;
  /** Where a top-level property (or one item of a list property) was written: for error lines. */
  pathOf(property: string, index?: number): TemplatePath;
}

/**
 * Merges `Globals.<section>` into a resource's Properties. `globalsPath` and `localPath` are where
 * the two mappings are in the template (["Globals", "Function"], ["Resources", id, "Properties"]).
 */
export function mergeGlobals(globals: TemplateMap | undefined, local: TemplateMap, globalsPath: TemplatePath, localPath: TemplatePath): MergedProperties {
  const properties = (globals ? mergeValues(globals, local) : { ...local }) as TemplateMap;
  return {
    properties,
    pathOf(property, index) {
      const own = Object.hasOwn(local, property);
      const global = globals && Object.hasOwn(globals, property) ? globals[property] : undefined;
      if (index !== undefined && own && Array.isArray(global) && Array.isArray(local[property])) {
        return index < global.length ? [...globalsPath, property, index] : [...localPath, property, index - global.length];
      }
      const base = own || global === undefined ? [...localPath, property] : [...globalsPath, property];
      return index === undefined ? base : [...base, index];
    },
  };
}
