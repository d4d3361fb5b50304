// Failures writing the output directory (full disk, read-only or unwritable directory) are the
// user's environment, not a bug: say which file and what to do.
import { ExternalError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

export function outputError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code ? REASONS[code] : undefined;
  if (!reason) return error;
  return new ExternalError('OUTPUT_WRITE_FAILED',
    `Cannot write ${file}: ${reason} (${code}). Nothing partial was left there, and earlier zips are as they were. Free some space or choose another --out.`,
    {}, { cause: error });
}
