// One resource of a template as the mappers read it: its merged properties, its Metadata, the
// parameters resolved for building, and the place (file, line, logical id) of each property.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { intrinsicOf, resolve, type ResolveContext } from './intrinsics.js';
import { templateError, type TemplatePlace } from './errors.js';
import type { MergedProperties } from './globals.js';
import type { ParsedTemplate, TemplateMap, TemplatePath, TemplateValue } from './parse.js';

export interface ProjectBounds {
  /** Directory every source must stay inside (the template's, or the config's root). */
  readonly root: string;
  /** Directory relative paths of the template are resolved from (the template's). */
  readonly dir: string;
}

export class ResourceReader {
  constructor(
    readonly template: ParsedTemplate,
    readonly logicalId: string,
    readonly type: string,
    private readonly merged: MergedProperties,
    readonly metadata: TemplateMap,
    private readonly resolution: ResolveContext,
    readonly bounds: ProjectBounds,
  ) {}

  get properties(): TemplateMap { return this.merged.properties; }

  /** Where a property (or one list item, or a Metadata key) was written. */
  place(property: string, index?: number): TemplatePlace {
    const metadata = property.startsWith('Metadata.');
    const templatePath: TemplatePath = metadata
      ? ['Resources', this.logicalId, 'Metadata', ...property.slice('Metadata.'.length).split('.')]
      : this.merged.pathOf(property, index);
    // A property that is missing points at the Properties (or Metadata) it belongs in.
    const line = this.template.line(templatePath) ?? this.template.line(['Resources', this.logicalId, metadata ? 'Metadata' : 'Properties'])
      ?? this.template.line(['Resources', this.logicalId]);
    return { file: this.template.file, line, logicalId: this.logicalId, property: index === undefined ? property : `${property}[${index}]` };
  }

  fail(code: string, property: string, problem: string, fix: string, index?: number): never {
    throw templateError(code, this.place(property, index), problem, fix);
  }

  /** The property's value with intrinsics resolved as `sam build` does; an error says why it cannot be. */
  resolved(property: string, value: TemplateValue | undefined = this.properties[property], index?: number): TemplateValue | undefined {
    if (value === undefined) return undefined;
    const result = resolve(value, this.resolution);
    if (!result.ok) {
      this.fail('TEMPLATE_UNRESOLVED', property, `its value cannot be known when building: ${result.reason}.`,
        'Write the value itself, or !Ref a parameter that has a Default (or set it under "parameters:" in the lambda-pack config).', index);
    }
    return result.value;
  }

  /** A property that must resolve to a non-empty string. */
  text(property: string, value: TemplateValue | undefined = this.properties[property]): string | undefined {
    const resolved = this.resolved(property, value);
    if (resolved === undefined || resolved === null) return undefined;
    if (typeof resolved !== 'string' || resolved === '') {
      this.fail('TEMPLATE_TYPE', property, `expected a string, found ${JSON.stringify(resolved)}.`, `Write ${property} as a single string.`);
    }
    return resolved;
  }

  /** A property that must resolve to a list of strings. */
  list(property: string): string[] | undefined {
    const resolved = this.resolved(property);
    if (resolved === undefined || resolved === null) return undefined;
    if (!Array.isArray(resolved) || resolved.some((v) => typeof v !== 'string')) {
      this.fail('TEMPLATE_TYPE', property, `expected a list of strings, found ${JSON.stringify(resolved)}.`, `Write ${property} as a list, e.g. ${property}: [x86_64].`);
    }
    return resolved as string[];
  }

  metadataText(key: string): string | undefined {
    return this.text(`Metadata.${key}`, this.metadata[key]);
  }

  /** A local directory of the template, absolute, checked to exist and to stay inside the project. */
  directory(property: string, value: string): string {
    const absolute = path.resolve(this.bounds.dir, value);
    if (!existsSync(absolute)) {
      this.fail('SOURCE_NOT_FOUND', property, `the directory ${absolute} does not exist.`, `Create it or correct the path (relative paths are resolved from the template's directory, ${this.bounds.dir}).`);
    }
    const real = realpathSync(absolute);
    const root = realpathSync(this.bounds.root);
    if (real !== root && !real.startsWith(root + path.sep)) {
      this.fail('SOURCE_OUTSIDE_PROJECT', property, `${value} resolves to ${real}, outside the project ${root}.`,
        'Move the code inside the project, or build with a lambda-pack config that names this template and sets "root" to a directory holding every source, so nothing outside it can enter a zip.');
    }
    if (!statSync(real).isDirectory()) this.fail('SOURCE_NOT_DIRECTORY', property, `${absolute} is not a directory.`, `Point ${property} at the directory holding the code.`);
    return absolute;
  }

  /** Whether a value is an intrinsic naming another resource of this template: !Ref Name. */
  refName(value: TemplateValue): string | undefined {
    const fn = intrinsicOf(value);
    return fn?.name === 'Ref' && typeof fn.argument === 'string' ? fn.argument : undefined;
  }
}
