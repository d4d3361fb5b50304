// The builders by name.
import type { BuilderName } from '../config/schema.js';
import { cargoBuilder } from './cargo.js';
import { copyBuilder } from './copy.js';
import { makeBuilder } from './make.js';
import { npmBuilder } from './npm.js';
import { pipBuilder } from './pip.js';
import type { Builder } from './types.js';

const BUILDERS: Readonly<Record<BuilderName, Builder>> = { npm: npmBuilder, pip: pipBuilder, cargo: cargoBuilder, make: makeBuilder, copy: copyBuilder };

export function builderFor(name: BuilderName): Builder {
  return BUILDERS[name];
}
