// One PEP 508 requirement (`name[extras] specifiers ; marker` or `name @ url ; marker`), read into
// its parts, and the spelling two files are compared in.
import { normaliseProject } from '../pip-tags.js';
import { canonicalSpecifiers } from './versions.js';

export interface Requirement {
  /** PEP 503 normalised. */
  readonly name: string;
  readonly extras: readonly string[];
  /** Comma-separated PEP 440 clauses, '' for any version. */
  readonly specifier: string;
  readonly url?: string;
  readonly marker?: string;
}

const REQUIREMENT = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(?:@\s*(\S+)|\(?\s*((?:[<>=!~]=?|===)[^;()]*?)\s*\)?)?\s*(?:;\s*(.+?))?\s*$/;

/** Parses a PEP 508 requirement; undefined when it is not one. */
export function parseRequirement(text: string): Requirement | undefined {
  const m = REQUIREMENT.exec(text);
  if (!m) return undefined;
  const [, name, extras, url, specifier, marker] = m;
  return {
    name: normaliseProject(name!),
    extras: (extras ?? '').split(',').map((e) => normaliseProject(e.trim())).filter(Boolean).sort(),
    specifier: canonicalSpecifiers(specifier ?? ''),
    ...(url ? { url } : {}),
    ...(marker ? { marker } : {}),
  };
}

/** The extra a marker makes a requirement conditional on (`extra == "speed"`), if it does. */
export function markerExtra(marker: string | undefined): string | undefined {
  const extra = /\bextra\s*==\s*["']([^"']+)["']/.exec(marker ?? '')?.[1];
  return extra === undefined ? undefined : normaliseProject(extra);
}

/** `name[extras]specifier` (plus `; extra == x` when conditional on an extra): what a lockfile must agree with. */
export function requirementKey(requirement: Pick<Requirement, 'name' | 'extras' | 'specifier' | 'url'>, extra?: string): string {
  const extras = requirement.extras.length ? `[${requirement.extras.join(',')}]` : '';
  return `${requirement.name}${extras}${requirement.url ? ` @ ${requirement.url}` : requirement.specifier}${extra ? ` ; extra == ${extra}` : ''}`;
}
