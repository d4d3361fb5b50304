// The command-line interface: flags, help, and dispatch to commands. Returns an exit code.
import { Command, CommanderError, Option } from 'commander';
import { buildCommand, cleanCommand, imagesBuildCommand, planCommand, type IO } from './commands.js';
import { verifyCommand } from './verify-command.js';
import { packageCommand } from './package-command.js';
import { invokeCommand } from './invoke-command.js';
import { describeError, exitCodeFor, EXIT } from './errors.js';
import { ARCH_NAMES } from '../runtimes.js';
import { LambdaPackError } from '../errors.js';

export { VERSION } from '../version.js';
import { VERSION } from '../version.js';

export async function runCli(argv: readonly string[], io: IO): Promise<number> {
  let code: number = EXIT.ok;
  const verbose = argv.includes('--verbose');
  const program = new Command('lambda-pack')
    .description('Build AWS Lambda deployment zips with native dependencies, in Lambda-compatible containers, for x86_64 and arm64.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stderr.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);

  const archOption = () => new Option('--arch <arch>', 'only this architecture').choices([...ARCH_NAMES, 'all']);
  const templateOption = () => new Option('--template <file>', 'a SAM/CloudFormation template to build (default: the config\'s "template", else template.yaml/.yml/.json here when there is no config)');
  const s3Options = (command: Command) => command
    .option('--s3-bucket <bucket>', 'the bucket to upload to (in the functions\' region)')
    .option('--s3-prefix <prefix>', 'key prefix: objects go to <prefix>/<sha256>.zip')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s)')
    .option('--profile <name>', 'AWS profile from the shared config (SSO profiles included)')
    .option('--kms-key-id <id>', 'encrypt the objects with this KMS key (implies --sse aws:kms)')
    .addOption(new Option('--sse <algorithm>', 'server-side encryption').choices(['AES256', 'aws:kms']))
    .option('--endpoint-url <url>', 'an S3-compatible server instead of AWS (path-style requests)')
    .option('--output-template-file <file>', 'the packaged template (default: <out>/packaged-template.yaml)');
  const strategyOption = () => new Option('--strategy <strategy>', 'how to build for the other architecture: native, cross (host container, target binaries), emulated (qemu), or auto').choices(['auto', 'native', 'cross', 'emulated']).default('auto');

  program.command('plan')
    .description('show what a build would do, without running anything')
    .argument('[names...]', 'functions or layers (default: all)')
    .addOption(archOption())
    .option('--out <dir>', 'output directory (default: outDir from the config)')
    .option('--config <file>', 'config file (default: search from the current directory)')
    .addOption(templateOption())
    .addOption(strategyOption())
    .option('--json', 'print the plan as JSON on stdout')
    .action(async (names: string[], options) => { code = await planCommand(names, options, io); });

  const build = program.command('build')
    .description('build the zips of functions and layers (from a template: also <out>/template.yaml pointing at them)')
    .argument('[names...]', 'functions or layers (default: all)')
    .addOption(archOption())
    .option('--out <dir>', 'output directory (default: outDir from the config)')
    .option('--concurrency <n>', 'tasks run at once (default: the number of CPUs)')
    .option('--config <file>', 'config file (default: search from the current directory)')
    .addOption(templateOption())
    .addOption(strategyOption())
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('--verbose', 'stream container logs')
    .option('--no-cache', 'rebuild everything: reuse no zip, no cached dependencies and no compiler cache result')
    .option('--no-load-check', 'accept zips without proving they load (the init check in a container of their architecture)')
    .option('--push', 'push every image function\'s image to its registry (default: load it into the engine)')
    .option('--package', 'then upload the zips to S3 and write the packaged template, as `lambda-pack package` does');
  s3Options(build).action(async (names: string[], options) => { code = await buildCommand(names, options, io); });

  s3Options(program.command('package')
    .description('upload the built zips to S3 by content hash (skipping what is there) and write the packaged template (sam package)')
    .option('--out <dir>', 'the build\'s output directory (default: outDir from the config)')
    .option('--config <file>', 'config file (default: search from the current directory)')
    .addOption(templateOption())
    .option('--json', 'print the uploads as JSON on stdout'))
    .action(async (options) => { code = await packageCommand(options, io); });

  program.command('verify')
    .description('check that zips will load on their Lambda runtime (architecture, glibc, ABIs, libraries, permissions, sizes) and ship no secrets')
    .argument('<zips...>', 'zip files (function or layer) built by any tool')
    .requiredOption('--runtime <id>', 'the Lambda runtime, e.g. nodejs22.x, python3.12, provided.al2023')
    .requiredOption('--arch <arch>', 'x86_64 or arm64')
    .option('--layer', 'the zips are layers')
    .option('--handler <handler>', 'the handler to look for, e.g. index.handler')
    .option('--layers <zips>', 'comma-separated layer zips the function uses')
    .option('--allow-secrets <globs>', 'comma-separated globs of zip paths the secrets check allows, e.g. \'certs/test-*.pem,**/.env.ci\'')
    .option('--load', 'also run Lambda\'s init for the function in a container of its architecture (the load check)')
    .option('--image-set <set>', 'runtime images for --load: official (public.ecr.aws/lambda/…) or local (the offline stand-ins)')
    .option('--json', 'print the findings as JSON on stdout')
    .action(async (zips: string[], options) => { code = await verifyCommand(zips, options, io); });

  program.command('invoke')
    .description('call a built function once, as Lambda would, in a container of its architecture: the response on stdout, its logs on stderr')
    .argument('<name>', 'the function')
    .addOption(new Option('--arch <arch>', 'the architecture to run (default: the function\'s first)').choices([...ARCH_NAMES]))
    .option('--event <file>', 'the event, a JSON file (- for stdin; default {})')
    .option('--out <dir>', 'output directory holding the built zips (default: outDir from the config)')
    .option('--config <file>', 'config file (default: search from the current directory)')
    .option('--json', 'print the response, error and logs as one JSON document on stdout')
    .action(async (name: string, options) => { code = await invokeCommand(name, options, io); });

  program.command('clean')
    .description('remove the dependency cache (and, with --volumes, the npm/pip/cargo cache volumes)')
    .option('--volumes', 'also remove the package-manager cache volumes from the engines (every one the config names)')
    .option('--config <file>', 'config file naming the engines (default: found from the current directory)')
    .action(async (options) => { code = await cleanCommand(options, io); });

  const images = program.command('images').description('manage build images');
  images.command('build')
    .description('build the offline local images from the recipes in images/ (needs the local Debian base)')
    .addOption(archOption())
    .option('--verbose', 'show the image build output')
    .action(async (options) => { code = await imagesBuildCommand(options, io); });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`${describeError(error, { verbose })}\n`);
    // --json promises one document on stdout, failures included.
    if (argv.includes('--json')) {
      const code = error instanceof LambdaPackError ? error.code : 'INTERNAL';
      io.stdout.write(`${JSON.stringify({ ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } }, null, 2)}\n`);
    }
    return exitCodeFor(error);
  }
}
