import { describe, expect, it } from 'vitest';
import { exitFinding, initErrorFinding, timeoutFinding } from '../../src/load/classify.js';
import { runtime } from '../../src/runtimes.js';

const node = runtime('nodejs22.x');
const python = runtime('python3.11');
const provided = runtime('provided.al2023');

describe('telling a zip that does not load from code that threw', () => {
  it('reports the runtime\'s ImportModuleError as a load failure, naming the requiring file', () => {
    const f = initErrorFinding(node, {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: "Error: Cannot find module './build/Release/native_sum.node'\nRequire stack:\n- /var/task/node_modules/native-sum/index.js\n- /var/task/index.js",
      trace: ['Runtime.ImportModuleError: Error: Cannot find module …', '    at loadModule (file:///var/runtime/node_modules/aws-lambda-ric/index.mjs:576:13)'],
    });
    expect(f).toMatchObject({
      code: 'LOAD_FAILED', severity: 'error', path: 'node_modules/native-sum/index.js',
      message: "The function does not load: Runtime.ImportModuleError: Error: Cannot find module './build/Release/native_sum.node' Require stack: - /var/task/node_modules/native-sum/index.js - /var/task/index.js",
    });
    expect(f.fix).toMatch(/\.node file/);
  });

  it('reports a dynamic-loader error rethrown as a plain Error as a load failure, with the rebuild fix', () => {
    const f = initErrorFinding(node, {
      errorType: 'Error',
      errorMessage: '/var/task/node_modules/sum/build/Release/sum.node: invalid ELF header',
      trace: ['Error: /var/task/node_modules/sum/build/Release/sum.node: invalid ELF header', '    at Object..node (node:internal/modules/cjs/loader:1921:18)', '    at Module.load (node:internal/modules/cjs/loader:1465:32)', '    at Module.require (node:internal/modules/cjs/loader:1487:12)', '    at require (node:internal/modules/helpers:135:16)', '    at Object.<anonymous> (/var/task/node_modules/sum/index.js:1:18)'],
    });
    expect(f).toMatchObject({ code: 'LOAD_FAILED', path: 'node_modules/sum/build/Release/sum.node' });
    expect(f.fix).toMatch(/Rebuild the native code for nodejs22\.x/);
  });

  it('reports an error raised inside Node\'s module loader (a broken JSON file) as a load failure', () => {
    const f = initErrorFinding(node, {
      errorType: 'SyntaxError',
      errorMessage: '/var/task/config.json: Unexpected token } in JSON at position 9',
      trace: ['SyntaxError: /var/task/config.json: Unexpected token', '    at parse (<anonymous>)', '    at Object..json (node:internal/modules/cjs/loader:1705:39)', '    at Module.load (node:internal/modules/cjs/loader:1465:32)', '    at Object.<anonymous> (/var/task/index.js:1:16)'],
    });
    expect(f.code).toBe('LOAD_FAILED');
  });

  it('reports an exception of the function\'s own top-level code as a warning, at its file', () => {
    const f = initErrorFinding(node, {
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'toUpperCase')",
      trace: ["TypeError: Cannot read properties of undefined (reading 'toUpperCase')", '    at Object.<anonymous> (/var/task/index.js:1:37)', '    at Module._compile (node:internal/modules/cjs/loader:1730:14)'],
    });
    expect(f).toEqual({
      code: 'INIT_EXCEPTION', severity: 'warning', path: 'index.js',
      message: "The function's module loaded, but its top-level code threw: TypeError: Cannot read properties of undefined (reading 'toUpperCase')",
      fix: expect.stringMatching(/environment variables, AWS credentials/),
    });
  });

  it('counts a Node built-in that failed for the function\'s own code as the function\'s exception', () => {
    const f = initErrorFinding(node, {
      errorType: 'Error',
      errorMessage: "ENOENT: no such file or directory, open '/tmp/settings.json'",
      trace: ['Error: ENOENT: no such file or directory', '    at Object.readFileSync (node:fs:441:20)', '    at Object.<anonymous> (/var/task/index.js:2:20)', '    at Module._compile (node:internal/modules/cjs/loader:1730:14)'],
    });
    expect(f.code).toBe('INIT_EXCEPTION');
  });

  it('reports an unreadable file as a load failure with the modes fix', () => {
    const f = initErrorFinding(node, { errorType: 'Error', errorMessage: "EACCES: permission denied, open '/var/task/index.js'", trace: [] });
    expect(f).toMatchObject({ code: 'LOAD_FAILED', path: 'index.js' });
    expect(f.fix).toMatch(/0644/);
  });

  it('reports the runtime\'s handler and syntax errors as load failures with their own fixes', () => {
    expect(initErrorFinding(node, { errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported', trace: [] }).fix).toMatch(/handler setting/);
    expect(initErrorFinding(node, { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: 'SyntaxError: Unexpected end of input', trace: [] }).fix).toMatch(/\.mjs/);
    expect(initErrorFinding(python, { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: "Syntax error in module 'app': expected ':'", trace: [] }).code).toBe('LOAD_FAILED');
  });

  it('reads Python: ImportModuleError and a ctypes loader failure are load failures, a KeyError is the code\'s', () => {
    expect(initErrorFinding(python, { errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'app': No module named 'fastmath'", trace: [] }).code).toBe('LOAD_FAILED');
    expect(initErrorFinding(python, { errorType: 'OSError', errorMessage: 'libsumsq.so: cannot open shared object file: No such file or directory', trace: ['  File "/var/task/app.py", line 2, in <module>\n    lib = ctypes.CDLL("libsumsq.so")\n'] }).code).toBe('LOAD_FAILED');
    expect(initErrorFinding(python, { errorType: 'KeyError', errorMessage: "'TABLE_NAME'", trace: ['  File "/var/task/app.py", line 2, in <module>\n    TABLE = os.environ[\'TABLE_NAME\']\n'] }))
      .toMatchObject({ code: 'INIT_EXCEPTION', path: 'app.py', message: "The function's module loaded, but its top-level code threw: KeyError: 'TABLE_NAME'" });
  });

  it('says the check is incomplete, not failed, when only the runtime\'s own SDK is missing', () => {
    expect(initErrorFinding(node, { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module '@aws-sdk/client-s3'\nRequire stack:\n- /var/task/index.js", trace: [] }))
      .toMatchObject({ code: 'LOAD_CHECK_INCOMPLETE', severity: 'warning', message: expect.stringMatching(/^The function needs @aws-sdk\/client-s3, which Lambda's nodejs22\.x runtime provides/) });
    expect(initErrorFinding(python, { errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'app': No module named 'boto3'", trace: [] }).code).toBe('LOAD_CHECK_INCOMPLETE');
    expect(initErrorFinding(python, { errorType: 'Runtime.ImportModuleError', errorMessage: "Unable to import module 'app': No module named 'boto3x'", trace: [] }).code).toBe('LOAD_FAILED');
  });

  it('treats aws-lambda-ric\'s refusal of callback handlers as a gap on nodejs22.x and a failure on nodejs24.x', () => {
    const refusal = { errorType: 'Runtime.CallbackHandlerDeprecated', errorMessage: 'ERROR: AWS Lambda does not support callback-based function handlers …', trace: [] };
    expect(initErrorFinding(node, refusal).code).toBe('LOAD_CHECK_INCOMPLETE');
    expect(initErrorFinding(runtime('nodejs24.x'), refusal).code).toBe('LOAD_FAILED');
  });
});

describe('a runtime that exits or hangs during its init', () => {
  it('fails with the exit status and the last lines it printed', () => {
    expect(exitFinding(provided, 126, ['Error: fork/exec /var/task/bootstrap: exec format error'])).toMatchObject({
      code: 'LOAD_FAILED', severity: 'error', path: '',
      message: 'The bootstrap exited with status 126 during its init, before asking for its first event; its last output:\nError: fork/exec /var/task/bootstrap: exec format error',
    });
    expect(exitFinding(node, 3, []).message).toBe('The runtime exited with status 3 during its init, before asking for its first event (it printed nothing)');
  });

  it('says whether the runtime ever reached the Runtime API when it runs out of time', () => {
    expect(timeoutFinding(node, 30_000, false, []).message).toMatch(/within 30 s: it never contacted the Runtime API: .*firewall/);
    expect(timeoutFinding(provided, 30_000, true, ['waiting']).message).toBe('The bootstrap did not finish its init within 30 s: it talked to the Runtime API but never asked for its first event; its last output:\nwaiting');
  });
});
