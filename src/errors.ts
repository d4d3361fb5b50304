// The three kinds of failure lambda-pack reports, each with a stable string code.
// Library code throws these; only the CLI entry maps them to exit codes and prints them.

export type ErrorKind = 'config' | 'external' | 'internal';

export abstract class LambdaPackError extends Error {
  abstract readonly kind: ErrorKind;
  /** The build step that failed ("install", "verify"…), set by the executor. */
  step?: string;
  constructor(readonly code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user's input is wrong: names the file, the field and the fix. Exit 2. */
export class ConfigError extends LambdaPackError {
  readonly kind = 'config' as const;
  constructor(code: string, message: string, readonly details: { file?: string; field?: string; fix?: string } = {}, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Something outside lambda-pack failed: engine, registry, package manager, compiler. Exit 1. */
export class ExternalError extends LambdaPackError {
  readonly kind = 'external' as const;
  constructor(code: string, message: string, readonly details: { logTail?: string; exitCode?: number; fix?: string } = {}, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A bug in lambda-pack itself. Exit 1, and the message says so. */
export class InternalError extends LambdaPackError {
  readonly kind = 'internal' as const;
}

/** The run was interrupted by a signal; exit 128 + signal number. */
export class InterruptedError extends LambdaPackError {
  readonly kind = 'external' as const;
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super('INTERRUPTED', `interrupted by ${signal}`);
  }
}
