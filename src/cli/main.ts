#!/usr/bin/env node
// The executable: wires the real process (streams, env, signals) to the CLI and exits.
import { hostFacts } from '../host.js';
import { runCli } from './program.js';

const controller = new AbortController();
let signalled = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signalled++;
    // A second signal means "now": leave without waiting for cleanup.
    if (signalled > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    process.stderr.write(`\nlambda-pack: ${signal} received; stopping builds and removing containers…\n`);
    controller.abort(signal);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, signal: controller.signal,
  host: hostFacts({ env: process.env }),
});
process.exitCode = code;
// Let what was written reach a pipe that is read slowly (a large --json document), then leave
// even if a stray handle (an engine socket) stays open.
const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
setImmediate(() => process.exit(code));
