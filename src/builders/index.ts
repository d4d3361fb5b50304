// The builders by name.
import type { BuilderName } from '../config/schema.js';
import { InternalError } from '../errors.js';
import { copyBuilder } from './copy.js';
import { npmBuilder } from './npm.js';
import type { Builder } from './types.js';

const BUILDERS: Partial<Record<BuilderName, Builder>> = { npm: npmBuilder, copy: copyBuilder };

export function builderFor(name: BuilderName): Builder {
  const builder = BUILDERS[name];
  if (!builder) throw new InternalError('BUILDER_MISSING', `no builder implementation for ${name}`);
  return builder;
}
