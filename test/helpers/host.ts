// The facts of the machine the tests run on, as the CLI entry reads them.
import { hostFacts, type HostFacts } from '../../src/host.js';

export const HOST: HostFacts = hostFacts({ env: process.env });

/** The same machine with other environment variables. */
export function hostWith(env: NodeJS.ProcessEnv): HostFacts {
  return hostFacts({ env });
}
