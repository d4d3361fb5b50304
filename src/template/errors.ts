// Errors about a template: every message names the template file, the line, the resource's
// logical id and the property, then says what to change.
import { ConfigError } from '../errors.js';

export interface TemplatePlace {
  readonly file: string;
  readonly line?: number;
  /** The resource's logical id (or "Globals", "Parameters"). */
  readonly logicalId?: string;
  /** The property as written in the template: "CodeUri", "Metadata.BuildMethod", "Layers[1]". */
  readonly property?: string;
}

/** "template.yaml:12: resource "HelloWorldFunction", property "CodeUri"" */
export function describePlace(place: TemplatePlace): string {
  const parts = [`${place.file}${place.line ? `:${place.line}` : ''}`];
  const what = place.logicalId === 'Globals' || place.logicalId === 'Parameters' ? `section "${place.logicalId}"` : place.logicalId ? `resource "${place.logicalId}"` : '';
  const detail = [what, place.property ? `property "${place.property}"` : ''].filter(Boolean).join(', ');
  return detail ? `${parts[0]}: ${detail}` : parts[0]!;
}

export function templateError(code: string, place: TemplatePlace, problem: string, fix: string): ConfigError {
  return new ConfigError(code, `${describePlace(place)}: ${problem} ${fix}`, { file: place.file, field: place.property, fix });
}

/** Something lambda-pack will not build or check, said once in the plan and build output. */
export interface TemplateWarning {
  readonly code: string;
  readonly logicalId: string;
  /** "template.yaml:12: resource "Fn", property "Layers[1]": …" */
  readonly message: string;
}

export function templateWarning(code: string, place: TemplatePlace, message: string): TemplateWarning {
  return { code, logicalId: place.logicalId ?? '', message: `${describePlace(place)}: ${message}` };
}
