// The builders by name: adding one is a module plus a line here.
import { cargoBuilder } from './cargo.js';
import { copyBuilder } from './copy.js';
import { makeBuilder } from './make.js';
import { npmBuilder } from './npm.js';
import { pipBuilder } from './pip.js';
import type { Analysis, Builder, InstallSpec } from './types.js';

export const BUILDERS = { npm: npmBuilder, pip: pipBuilder, cargo: cargoBuilder, make: makeBuilder, copy: copyBuilder } satisfies Record<string, Builder<Analysis, InstallSpec | null>>;

export type BuilderName = keyof typeof BUILDERS;

export const BUILDER_NAMES = Object.keys(BUILDERS) as [BuilderName, ...BuilderName[]];

export function builderFor(name: BuilderName): Builder<Analysis, InstallSpec | null> {
  return BUILDERS[name];
}
