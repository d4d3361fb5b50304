// Maps any thrown value to what the user sees and the process exit code. The only place that
// decides exit codes: 0 ok, 1 build/verify/external failure, 2 bad usage or config, 128+n signal.
import { ConfigError, ExternalError, InterruptedError, LambdaPackError } from '../errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, SIGINT: 130, SIGTERM: 143 } as const;

export class UsageError extends ConfigError {}

export function exitCodeFor(error: unknown): number {
  if (error instanceof InterruptedError) return EXIT[error.signal];
  if (error instanceof ConfigError) return EXIT.usage;
  return EXIT.failed;
}

export function describeError(error: unknown, options: { verbose?: boolean } = {}): string {
  if (error instanceof InterruptedError) return `lambda-pack: ${error.message}; containers and temporary files of this run were removed.`;
  if (error instanceof ConfigError) return `lambda-pack: ${error.message}`;
  if (error instanceof ExternalError) {
    const tail = error.details.logTail ? `\n--- last lines of the log ---\n${error.details.logTail}\n---` : '';
    return `lambda-pack: ${error.message}${tail}`;
  }
  const internal = error instanceof LambdaPackError ? error.message : error instanceof Error ? error.message : String(error);
  const stack = options.verbose && error instanceof Error && error.stack ? `\n${error.stack}` : ' (run with --verbose for the stack trace)';
  return `lambda-pack: internal error, a bug in lambda-pack: ${internal}${stack}\nPlease report it with the command you ran.`;
}
