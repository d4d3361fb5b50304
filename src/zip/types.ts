// What goes into a zip: one input per entry, as the writer and everything that feeds it see it.

export interface ZipInput {
  /** Path inside the zip: relative, '/'-separated, no leading '/', no '..' segments, no backslashes (throw an Error otherwise). Directories end without '/' here; the writer adds it. */
  path: string;
  kind: 'file' | 'directory' | 'symlink';
  /** file: absolute path on the host to read the bytes from (streamed, never fully read for large files). */
  source?: string;
  /** file: alternatively the bytes in memory (small generated files such as a manifest). */
  content?: Uint8Array;
  /** symlink: the link target, stored as the entry's content with mode 0120777. */
  linkTarget?: string;
  /** file: whether to give mode 0755 instead of 0644. Directories are always 0755. */
  executable?: boolean;
}
