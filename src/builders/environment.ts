// The fixed environment every build container starts from, so compiles are reproducible: epoch,
// hash seed, locale, time zone, home. Builders that compile C add the prefix-mapping flags.
import { CONTAINER } from './types.js';

export const REPRODUCIBLE_ENV: Readonly<Record<string, string>> = {
  SOURCE_DATE_EPOCH: '315532800',
  PYTHONHASHSEED: '0',
  PYTHONDONTWRITEBYTECODE: '1',
  LC_ALL: 'C.UTF-8',
  TZ: 'UTC',
  HOME: CONTAINER.home,
  npm_config_update_notifier: 'false',
};

/** Debug info and __FILE__ would otherwise carry the build directory. */
export const COMPILER_FLAGS: Readonly<Record<string, string>> = {
  CFLAGS: `-ffile-prefix-map=${CONTAINER.build}=.`,
  CXXFLAGS: `-ffile-prefix-map=${CONTAINER.build}=.`,
};
