// Turns what a runtime did during its init into findings, telling a zip that does not load (an
// error) from a module that loaded but whose own top-level code threw (a warning).
//
// How they are told apart, in order:
// 1. The runtime's own error types (Runtime.ImportModuleError, HandlerNotFound, UserCodeSyntaxError,
//    MalformedHandlerName, …) are load failures: the runtime says the module or handler is not there.
// 2. A message from the dynamic loader or a native-addon locator (invalid ELF header, wrong ELF
//    class, undefined symbol, cannot open shared object file, GLIBC_x not found, NODE_MODULE_VERSION,
//    "Cannot find module", node-gyp-build / bindings "no build found", permission denied) is a load
//    failure, whoever rethrew it: such a message means a file of the package is missing or unusable.
// 3. Node: an error raised inside Node's module loader (a `node:internal/modules/` frame above the
//    first frame of the function's own files) is a load failure: a broken file in the package.
//    Python: ImportError and its subclasses, and an error whose innermost frame is importlib's.
// 4. Anything else was raised by the function's own code while it ran: a warning, since it may need
//    the real environment (variables, credentials, network).
// A process that exits, or never asks for its first event, fails the check: error.
import type { Runtime } from '../runtimes.js';
import { finding, type Finding } from '../verify/findings.js';
import type { RuntimeError } from './runtime-api.js';

const LOAD_ERROR_TYPES = new Set([
  'Runtime.ImportModuleError', 'Runtime.HandlerNotFound', 'Runtime.MalformedHandlerName', 'Runtime.UserCodeSyntaxError',
  'Runtime.BuiltInModuleConflict', 'Runtime.InvalidEntrypoint', 'Runtime.ExitError', 'Runtime.MalformedStreamingHandler',
  'ImportError', 'ModuleNotFoundError',
]);

const LOADER_MESSAGES: readonly RegExp[] = [
  /invalid ELF header/, /wrong ELF class/, /ELF load command/, /file too short/, /cannot open shared object file/,
  /undefined symbol/, /version `[^']+' not found/, /exec format error/i, /cannot allocate memory in static TLS block/,
  /was compiled against a different Node\.js version/, /NODE_MODULE_VERSION/, /Module did not self-register/,
  /Cannot find (?:module|package) '/, /No native build was found/, /Could not locate the bindings file/,
  /EACCES: permission denied/, /\[Errno 13\] Permission denied/,
];

/**
 * Modules Lambda's runtimes carry themselves, which the offline stand-in images lack: the AWS SDK
 * v3 in Node's, boto3 and its dependencies in Python's /var/runtime.
 */
const RUNTIME_MODULES: Partial<Record<Runtime['family'], RegExp>> = {
  nodejs: /Cannot find (?:module|package) '(@aws-sdk\/[^'/]+|@smithy\/[^'/]+|@aws-crypto\/[^'/]+)/,
  python: /No module named '((?:boto3|botocore|s3transfer|jmespath|dateutil|six|urllib3)\b[^']*)'/,
};

const USER_FILE = /(?:\/var\/task|\/opt)\//;

/** The runtime's words on one line: type, then message, whitespace folded, bounded. */
function words(error: RuntimeError): string {
  const message = error.errorMessage.split('\n').map((line) => line.trim()).filter(Boolean).join(' ');
  const text = message.startsWith(error.errorType) ? message : `${error.errorType}: ${message}`;
  return text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}

/** The first /var/task path the message names, relative to the zip root: what the finding is about. */
function entryPath(text: string): string {
  const match = /\/var\/task\/([^\s'"`:,)]+)/.exec(text);
  return match ? match[1]! : '';
}

function frames(error: RuntimeError): string[] {
  return error.trace.flatMap((line) => line.split('\n')).map((line) => line.trim()).filter((line) => line.startsWith('at ') || line.startsWith('File '));
}

function raisedByLoader(runtime: Runtime, error: RuntimeError): boolean {
  const stack = frames(error);
  if (runtime.family === 'nodejs') {
    for (const frame of stack) {
      if (/\(?node:internal\/modules\//.test(frame)) return true;
      if (USER_FILE.test(frame)) return false;
    }
    return false;
  }
  if (runtime.family === 'python') return stack.length > 0 && /importlib/.test(stack[stack.length - 1]!);
  return false;
}

/** Why the check could not judge the package, when the image (not the package) is what lacks something. */
function incomplete(runtime: Runtime, error: RuntimeError): string | undefined {
  const missing = RUNTIME_MODULES[runtime.family]?.exec(error.errorMessage)?.[1];
  if (missing) return `needs ${missing}, which Lambda's ${runtime.id} runtime provides but the image the check ran in lacks, so the rest of the init was not checked`;
  // aws-lambda-ric refuses callback handlers, which on-demand nodejs22.x (and older) still runs.
  if (runtime.family === 'nodejs' && error.errorType === 'Runtime.CallbackHandlerDeprecated' && (runtime.nodeMajor ?? 0) <= 22) {
    return `has a callback-style handler, which ${runtime.id} runs on demand but the runtime interface client in the image refuses (as Lambda Managed Instances do)`;
  }
  return undefined;
}

/** The finding for an error a runtime posted to /runtime/init/error. */
export function initErrorFinding(runtime: Runtime, error: RuntimeError): Finding {
  const text = words(error);
  const gap = incomplete(runtime, error);
  if (gap) return finding('LOAD_CHECK_INCOMPLETE', '', `The function ${gap}: ${text}`);
  const load = LOAD_ERROR_TYPES.has(error.errorType) || error.errorType === 'Runtime.CallbackHandlerDeprecated'
    || LOADER_MESSAGES.some((pattern) => pattern.test(error.errorMessage)) || raisedByLoader(runtime, error);
  if (load) return finding('LOAD_FAILED', entryPath(error.errorMessage), `The function does not load: ${text}`, loadFix(runtime, error));
  return finding('INIT_EXCEPTION', entryPath(frames(error).join('\n')), `The function's module loaded, but its top-level code threw: ${text}`);
}

function loadFix(runtime: Runtime, error: RuntimeError): string {
  const message = error.errorMessage;
  if (error.errorType === 'Runtime.HandlerNotFound' || error.errorType === 'Runtime.MalformedHandlerName') {
    return 'Check the handler setting against the zip: <file path without extension>.<exported function>, and that the module exports that function.';
  }
  if (error.errorType === 'Runtime.UserCodeSyntaxError') {
    return runtime.family === 'nodejs'
      ? 'Fix the syntax error; ES module syntax (import/export) needs a .mjs file or "type": "module" in the package.json beside it.'
      : 'Fix the syntax error, and write code the runtime\'s Python version understands.';
  }
  if (/ELF|shared object|undefined symbol|not found \(required by|NODE_MODULE_VERSION|different Node\.js version|exec format error/i.test(message)) {
    return `Rebuild the native code for ${runtime.id} on the function's architecture: lambda-pack build compiles it in a Lambda-compatible container of that architecture.`;
  }
  if (/permission denied/i.test(message)) return 'Zip with readable modes: 0644 for files, 0755 for directories and executables (Lambda runs the code as another user).';
  return 'Ship every file the handler loads (a native addon\'s .node file or a Python extension\'s .so included), built for the runtime and architecture, in the zip or one of its layers.';
}

/** The finding for a runtime that exited before it asked for its first event. */
export function exitFinding(runtime: Runtime, exitCode: number, output: readonly string[]): Finding {
  const tail = output.slice(-12).join('\n').trim();
  const what = runtime.family === 'provided' ? 'The bootstrap' : 'The runtime';
  return finding('LOAD_FAILED', '', `${what} exited with status ${exitCode} during its init, before asking for its first event${tail ? `; its last output:\n${tail}` : ' (it printed nothing)'}`,
    runtime.family === 'provided'
      ? 'The bootstrap must be an executable for the function\'s architecture and Linux (glibc), start without arguments, and ask the Runtime API for events (GET /2018-06-01/runtime/invocation/next) instead of exiting.'
      : CODES_LOAD_FAILED_FIX);
}

const CODES_LOAD_FAILED_FIX = 'See the runtime\'s output above: the process ended before the handler was ready (a crash in native code, or process.exit / sys.exit at import time).';

/** The finding for a runtime that neither failed nor asked for an event in time. */
export function timeoutFinding(runtime: Runtime, timeoutMs: number, contacted: boolean, output: readonly string[]): Finding {
  const tail = output.slice(-8).join('\n').trim();
  const why = contacted
    ? 'it talked to the Runtime API but never asked for its first event'
    : 'it never contacted the Runtime API: its init did not finish, or the container cannot reach lambda-pack on this machine (a firewall between containers and the host?)';
  return finding('LOAD_FAILED', '', `The ${runtime.family === 'provided' ? 'bootstrap' : 'runtime'} did not finish its init within ${Math.round(timeoutMs / 1000)} s: ${why}${tail ? `; its last output:\n${tail}` : ''}`,
    'Make the init finish sooner (Lambda allows 10 s), or check that containers can reach this machine\'s Docker bridge address.');
}
