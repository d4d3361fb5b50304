// The finding codes verification can report: each with its severity and the fix it suggests.
// Codes are stable strings; tools match on them.

export type Severity = 'error' | 'warning';

export interface Finding {
  code: string;
  severity: Severity;
  /** The zip entry the finding is about; '' for the zip as a whole. */
  path: string;
  message: string;
  fix: string;
}

export const CODES = {
  ARCH_MISMATCH: { severity: 'error', fix: 'Build the dependency for the function\'s architecture (lambda-pack build --arch), or install the package variant for it.' },
  NOT_LINUX_BINARY: { severity: 'error', fix: 'Install dependencies inside a Linux build image (lambda-pack build does), not on macOS or Windows.' },
  MUSL_BINARY: { severity: 'error', fix: 'Use the glibc (linux-gnu / manylinux) build of this package: Lambda has no musl libc.' },
  GLIBC_TOO_NEW: { severity: 'error', fix: 'Build in the runtime\'s own build image (public.ecr.aws/sam/build-<runtime>) or pick a manylinux wheel / prebuilt binary for an older glibc.' },
  LIBSTDCXX_TOO_NEW: { severity: 'error', fix: 'Build in the runtime\'s build image (its GCC matches the runtime\'s libstdc++), or link the C++ runtime statically (-static-libstdc++).' },
  PYTHON_ABI_MISMATCH: { severity: 'error', fix: 'Reinstall the package with the runtime\'s Python version and architecture (pip install --python-version X.Y --platform manylinux2014_<arch> --only-binary=:all:).' },
  NODE_ABI_MISMATCH: { severity: 'error', fix: 'Rebuild the addon with the runtime\'s Node.js version (npm rebuild in the runtime\'s build image), or use a Node-API version of the package.' },
  MISSING_SHARED_LIBRARY: { severity: 'error', fix: 'Ship the library in the zip\'s lib/ directory (or a layer\'s lib/), or next to the binary with an RPATH of $ORIGIN.' },
  BOOTSTRAP_MISSING: { severity: 'error', fix: 'Put an executable named bootstrap at the root of the zip (for Rust/Go: name the binary bootstrap).' },
  NOT_EXECUTABLE: { severity: 'error', fix: 'chmod 755 the file before zipping, and zip on a Unix system (or with a tool that writes Unix modes).' },
  UNREADABLE_FILE: { severity: 'error', fix: 'chmod 644 files and 755 directories before zipping: Lambda runs your code as a different user.' },
  UNZIPPED_TOO_LARGE: { severity: 'error', fix: 'Remove unneeded files (tests, docs, other platforms\' binaries), move dependencies to a container image, or split them across layers.' },
  ZIPPED_TOO_LARGE_FOR_DIRECT_UPLOAD: { severity: 'warning', fix: 'Upload the zip through S3 in the function\'s region: `lambda-pack package --s3-bucket <bucket>` (or build --package) puts it there and writes the packaged template; or make it smaller.' },
  UNSAFE_PATH: { severity: 'error', fix: 'Zip with paths relative to the package root, forward slashes only, and no symlinks that point outside it.' },
  HANDLER_NOT_FOUND: { severity: 'error', fix: 'Check the handler setting against the zip layout: it is <file path without extension>.<exported function>, relative to the zip root.' },
  UNPARSEABLE_BINARY: { severity: 'warning', fix: 'Check that the file is intact (a truncated download or a broken zip entry); it was not verified.' },
  UNCHECKED_ENTRY: { severity: 'warning', fix: 'Zip with plain deflate or store and no encryption: Lambda and this check read nothing else.' },
  SECRET_FILE: { severity: 'error', fix: 'Remove the file from the package (exclude it from the function\'s source) and rotate the credential if the zip was ever shared; if it is intentional and harmless, add its path to the function\'s allowSecrets list (lambda-pack verify --allow-secrets <glob>).' },
  IMAGE_TOO_LARGE: { severity: 'error', fix: 'Remove what the function does not need from the image layers (tests, docs, build tools, other platforms\' binaries) or split the function: Lambda refuses images over 10 GiB uncompressed.' },
  IMAGE_NOT_SINGLE_PLATFORM: { severity: 'error', fix: 'Push one image manifest per architecture (lambda-pack does); with docker buildx, build with --platform linux/<arch> --provenance=false --sbom=false so that no index or attestation is made.' },
  IMAGE_PLATFORM_MISMATCH: { severity: 'error', fix: 'Build the image for the function\'s architecture: linux/amd64 for x86_64, linux/arm64 for arm64.' },
  LOAD_FAILED: { severity: 'error', fix: 'Ship every file the handler loads, built for the runtime and architecture (lambda-pack build installs dependencies in a Lambda-compatible container of the architecture), and check the handler setting.' },
  INIT_EXCEPTION: { severity: 'warning', fix: 'The module loaded but its top-level code threw. The check runs it without the function\'s environment variables, AWS credentials or network services; if the code needs them at import time this may be expected, otherwise fix the exception.' },
  LOAD_CHECK_INCOMPLETE: { severity: 'warning', fix: 'Check the function with the runtime\'s official base image (imageSet: official), which has everything Lambda\'s runtime provides.' },
  OUTSIDE_LAYER_PATHS: { severity: 'warning', fix: 'Put layer content under the runtime\'s layer paths (e.g. nodejs/node_modules, python/, bin/, lib/): Lambda does not look anywhere else.' },
} as const satisfies Record<string, { severity: Severity; fix: string }>;

export type FindingCode = keyof typeof CODES;

export function finding(code: FindingCode, path: string, message: string, fix: string = CODES[code].fix): Finding {
  return { code, severity: CODES[code].severity, path, message, fix };
}

/** At most this many findings of one code are listed one by one; the rest are counted. */
export const MAX_FINDINGS_PER_CODE = 50;

/** Sorts findings (by path, then code) and folds long runs of one code into a count. */
export function settleFindings(raw: readonly Finding[]): Finding[] {
  const sorted = [...raw].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const total = new Map<string, number>();
  for (const f of sorted) total.set(f.code, (total.get(f.code) ?? 0) + 1);
  const seen = new Map<string, number>();
  const kept: Finding[] = [];
  for (const f of sorted) {
    const index = seen.get(f.code) ?? 0;
    seen.set(f.code, index + 1);
    if (index < MAX_FINDINGS_PER_CODE) kept.push(f);
    else if (index === MAX_FINDINGS_PER_CODE) {
      const rest = total.get(f.code)! - MAX_FINDINGS_PER_CODE;
      kept.push({ ...f, message: `${f.message} (and ${rest - 1} more entries with ${f.code} not listed)` });
    }
  }
  return kept;
}
