// SECRET_FILE: every kind of secret on a true positive and its near miss, the allow list, redaction,
// and the bounds of the content scan (binaries, size cap, installed packages). Zips come from
// Python's zipfile; the secrets are made at run time, so this file holds none a scanner could flag.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { architecture, runtime } from '../../src/runtimes.js';
import { MAX_SCANNED_BYTES } from '../../src/verify/checks/secrets.js';
import { verifyCommand } from '../../src/cli/verify-command.js';
import { CODES, verifyZip, type Finding, type VerifyOptions } from '../../src/verify/index.js';
import { makeZip, type ZipSpecEntry } from '../verify-corpus/corpus.js';

const scratch = mkdtempSync(join(tmpdir(), 'lambda-pack-verify-secrets-'));

async function secretFindings(entries: ZipSpecEntry[], extra: Partial<VerifyOptions> = {}): Promise<Finding[]> {
  const result = await verifyZip(makeZip(entries), { runtime: runtime('nodejs22.x'), arch: architecture('x86_64'), ...extra });
  return result.findings.filter((f) => f.code === 'SECRET_FILE');
}

/** The paths flagged SECRET_FILE, sorted. */
async function flagged(entries: ZipSpecEntry[], extra: Partial<VerifyOptions> = {}): Promise<string[]> {
  return (await secretFindings(entries, extra)).map((f) => f.path);
}

const text = (name: string, content: string): ZipSpecEntry => ({ name, text: content });

function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const accessKeyId = (prefix = 'AKIA'): string => prefix + randomFrom(UPPER_DIGITS, 16);
/** 40 characters of mixed case, digits and / like a real secret access key. */
const secretAccessKey = (): string => `aB3/${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 36)}`;
const token = (): string => randomFrom('abcdefghijklmnopqrstuvwxyz0123456789', 36);

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = {
  rsa: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  ec: ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  pkcs8: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  encrypted: rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test' }) as string,
  publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  // A certificate's PEM shape is all that matters here; its body is any base64.
  certificate: `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`,
};

describe('SECRET_FILE: .env files', () => {
  it('flags .env and .env.* at any depth, but not the templates that document them', async () => {
    expect(await flagged([
      text('.env', 'DB_PASSWORD=x\n'), text('.env.production', 'A=1\n'), text('src/config/.env.local', ''),
      text('.env.example', 'DB_PASSWORD=\n'), text('.env.sample', 'A=\n'), text('.env.template', 'A=\n'), text('config/.env.local.example', 'A=\n'),
      text('environment.js', 'module.exports = process.env;\n'), text('.envrc.md', 'docs\n'),
    ])).toEqual(['.env', '.env.production', 'src/config/.env.local']);
  });

  it('names the file and says what it is', async () => {
    const [found] = await secretFindings([text('app/.env.staging', 'A=1\n')]);
    expect(found).toMatchObject({ severity: 'error', path: 'app/.env.staging', fix: CODES.SECRET_FILE.fix });
    expect(found!.message).toBe('".env.staging" is an environment file, where deployment secrets live');
    expect(found!.fix).toContain('allowSecrets');
  });
});

describe('SECRET_FILE: package-manager config files', () => {
  it('flags an .npmrc with an auth token, _auth, _password or a password in a URL; not one with settings only or ${ENV} references', async () => {
    expect(await flagged([
      text('token/.npmrc', `//registry.npmjs.org/:_authToken=npm_${token()}\n`),
      text('plain-token/.npmrc', `_authToken = ${token()}\n`),
      text('auth/.npmrc', `_auth=${Buffer.from(`me:${token()}`).toString('base64')}\n`),
      text('password/.npmrc', `//npm.example.com/:_password=${token()}\n`),
      text('url/.npmrc', `registry=https://me:${token()}@npm.example.com/\n`),
      text('settings/.npmrc', 'registry=https://registry.npmjs.org/\nsave-exact=true\n'),
      text('env/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n'),
    ])).toEqual(['auth/.npmrc', 'password/.npmrc', 'plain-token/.npmrc', 'token/.npmrc', 'url/.npmrc']);
  });

  it('flags a .yarnrc.yml with npmAuthToken or npmAuthIdent, also under npmScopes; not one without', async () => {
    expect(await flagged([
      text('a/.yarnrc.yml', `nodeLinker: node-modules\nnpmAuthToken: "${token()}"\n`),
      text('b/.yarnrc.yml', `npmScopes:\n  acme:\n    npmAuthIdent: me:${token()}\n`),
      text('c/.yarnrc.yml', 'nodeLinker: node-modules\nnpmRegistryServer: "https://registry.yarnpkg.com"\n'),
      text('d/.yarnrc.yml', 'npmAuthToken: "${NPM_TOKEN}"\n'),
    ])).toEqual(['a/.yarnrc.yml', 'b/.yarnrc.yml']);
  });

  it('flags a .pypirc or pip.conf with a password or credentials in the index URL; not the same files without', async () => {
    expect(await flagged([
      text('a/.pypirc', `[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\npassword = pypi-${token()}\n`),
      text('b/.pypirc', '[pypi]\nusername = __token__\n'),
      text('a/pip.conf', `[global]\nindex-url = https://me:${token()}@pypi.example.com/simple\n`),
      text('b/pip.conf', '[global]\nindex-url = https://pypi.org/simple\ntimeout = 60\n'),
    ])).toEqual(['a/.pypirc', 'a/pip.conf']);
  });

  it('flags a .netrc or .git-credentials with a password; not one with a login only', async () => {
    expect(await flagged([
      text('a/.netrc', `machine api.example.com\n  login me\n  password ${token()}\n`),
      text('b/.netrc', 'machine api.example.com login me\n'),
      text('a/.git-credentials', `https://me:ghx_${token()}@github.com\n`),
      text('b/.git-credentials', 'https://github.com\n'),
    ])).toEqual(['a/.git-credentials', 'a/.netrc']);
  });
});

describe('SECRET_FILE: private keys and keystores', () => {
  it('flags RSA, EC, PKCS#8 and encrypted private keys in any text file, whatever its name', async () => {
    const list = await secretFindings([
      text('keys/deploy', pem.rsa), text('ec.pem', pem.ec), text('src/signing.ts', `export const key = \`${pem.pkcs8}\`;\n`), text('enc.key', pem.encrypted),
    ]);
    expect(list.map((f) => [f.path, f.message])).toEqual([
      ['ec.pem', '"ec.pem" contains an EC private key (PEM block)'],
      ['enc.key', '"enc.key" contains an encrypted private key (PEM block)'],
      ['keys/deploy', '"deploy" contains an RSA private key (PEM block)'],
      ['src/signing.ts', '"signing.ts" contains a private key (PEM block)'],
    ]);
  });

  it('flags an OpenSSH key, and a key embedded with escaped line breaks in a JSON service-account file', async () => {
    const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(300).toString('base64').replace(/.{70}/g, '$&\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const serviceAccount = JSON.stringify({ type: 'service_account', private_key_id: token(), private_key: pem.pkcs8 });
    expect(await flagged([text('id_ed25519', openssh), text('service-account.json', serviceAccount)])).toEqual(['id_ed25519', 'service-account.json']);
  });

  it('does not flag public certificates, public keys, or code that only names the PEM markers', async () => {
    const parser = [
      "const BEGIN = '-----BEGIN RSA PRIVATE KEY-----';",
      "function parse(s) { return s.startsWith(BEGIN) && s.includes('-----END RSA PRIVATE KEY-----'); }",
      "const header = '-----BEGIN OPENSSH PRIVATE KEY-----\\n' + body(key) + '\\n-----END OPENSSH PRIVATE KEY-----';",
    ].join('\n');
    expect(await flagged([
      text('certs/ca.pem', pem.certificate), text('certs/server.crt', pem.certificate), text('keys/public.pem', pem.publicKey),
      text('lib/key-parser.js', parser), text('README.md', 'Put your key (-----BEGIN PRIVATE KEY-----) in Secrets Manager.\n'),
    ])).toEqual([]);
  });

  it('flags a certificate bundle that also holds its private key', async () => {
    expect(await flagged([text('certs/bundle.pem', pem.certificate + pem.rsa)])).toEqual(['certs/bundle.pem']);
  });

  it('flags PKCS#12 and Java keystores by name, but not other certificate files', async () => {
    const binary = randomBytes(512);
    expect(await flagged([
      { name: 'certs/client.p12', file: write('client.p12', binary) }, { name: 'certs/CLIENT.PFX', file: write('client.pfx', binary) },
      { name: 'truststore.jks', file: write('truststore.jks', binary) }, text('certs/ca.crt', pem.certificate), text('lib/p12.js', 'module.exports = {};\n'),
    ])).toEqual(['certs/CLIENT.PFX', 'certs/client.p12', 'truststore.jks']);
  });
});

describe('SECRET_FILE: AWS credentials', () => {
  it('flags AWS credentials files and an .aws/config holding keys; not a config with settings only, nor the documentation example', async () => {
    expect(await flagged([
      text('.aws/credentials', `[default]\naws_access_key_id = ${accessKeyId()}\naws_secret_access_key = ${secretAccessKey()}\n`),
      text('deploy/credentials', `[ci]\naws_secret_access_key=${secretAccessKey()}\naws_session_token=${token()}\n`),
      text('home/.aws/config', `[profile ci]\nregion = eu-west-1\naws_secret_access_key = ${secretAccessKey()}\n`),
      text('.aws/config', '[default]\nregion = eu-west-1\noutput = json\n'),
      text('example/credentials', '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n'),
      text('lib/credentials', 'module.exports = { fromEnv: () => process.env.AWS_ACCESS_KEY_ID };\n'),
    ])).toEqual(['.aws/credentials', 'deploy/credentials', 'home/.aws/config']);
  });

  it('flags an access key id with its secret nearby in source code, and says so', async () => {
    const [found] = await secretFindings([text('src/s3.js', `new S3Client({ credentials: {\n  accessKeyId: '${accessKeyId()}',\n  secretAccessKey: '${secretAccessKey()}',\n} });\n`)]);
    expect(found!.message).toBe('"s3.js" contains an AWS access key id (AKIA…) with a secret access key next to it: aB3/…');
  });

  it('flags a bare long-term or temporary access key id in any text file', async () => {
    const list = await secretFindings([text('docs/NOTES.md', `rotate ${accessKeyId()} before Friday\n`), text('handler.py', `KEY = "${accessKeyId('ASIA')}"\n`)]);
    expect(list.map((f) => [f.path, f.message])).toEqual([
      ['docs/NOTES.md', '"NOTES.md" contains an AWS access key id: AKIA…'],
      ['handler.py', '"handler.py" contains an AWS access key id: ASIA…'],
    ]);
  });

  it('does not flag the documentation example key, look-alikes inside longer tokens, or a hex hash as a secret', async () => {
    const id = accessKeyId();
    expect(await flagged([
      text('example.js', "const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };\n"),
      text('bundle.js.map', `{"mappings":"${randomBytes(30).toString('base64')}x${id}","names":["${id}Q${randomBytes(30).toString('base64')}"]}`),
      text('ids.txt', `role AROA${randomFrom(UPPER_DIGITS, 16)} user AIDA${randomFrom(UPPER_DIGITS, 16)} lowercase akia${randomFrom('abc', 16)}\n`),
    ])).toEqual([]);
    const [found] = await secretFindings([text('audit.log', `${id} sha1=${randomBytes(20).toString('hex')}\n`)]);
    expect(found!.message).toBe('"audit.log" contains an AWS access key id: AKIA…');
  });
});

describe('SECRET_FILE: what is read', () => {
  it('does not flag binaries that happen to contain the patterns: an ELF, or a large blob', async () => {
    const planted = Buffer.from(`\n${accessKeyId()}\n${pem.rsa}aws_secret_access_key = ${secretAccessKey()}\n`);
    const elf = write('tool', Buffer.concat([readFileSync('/bin/true'), planted]));
    const blob = write('model.bin', Buffer.concat([randomBytes(3 * 1024 * 1024), planted, randomBytes(1024)]));
    const small = write('data.bin', Buffer.concat([Buffer.from([0x00, 0x01, 0x02]), planted]));
    expect(await flagged([{ name: 'bin/tool', file: elf, mode: 0o755 }, { name: 'model.bin', file: blob }, { name: 'data.bin', file: small }])).toEqual([]);
  });

  it(`reads text files up to ${MAX_SCANNED_BYTES} bytes only, but flags names at any size`, async () => {
    const key = `const key = '${accessKeyId()}';\n`;
    const padding = '// padding\n'.repeat(Math.ceil(MAX_SCANNED_BYTES / 11));
    expect(await flagged([
      text('big.js', padding + key), text('small.js', key), text('.env', `A=1\n${padding}`),
    ])).toEqual(['.env', 'small.js']);
  });

  it('checks installed npm packages by name and credential files, but does not scan their content', async () => {
    expect(await flagged([
      text('node_modules/@acme/config/.env', 'A=1\n'),
      text('node_modules/leaky/.npmrc', `_authToken=${token()}\n`),
      text('node_modules/ssh2/test/fixtures/id_rsa', pem.rsa),
      text('node_modules/sdk/dist/keys.js', `module.exports = '${accessKeyId()}';\n`),
      text('src/node_modules.js', `module.exports = '${accessKeyId()}';\n`),
    ])).toEqual(['node_modules/@acme/config/.env', 'node_modules/leaky/.npmrc', 'src/node_modules.js']);
  });

  it('checks layers too', async () => {
    expect(await flagged([text('python/.env', 'A=1\n'), text('python/app.py', 'x = 1\n')], { runtime: runtime('python3.12'), layer: true })).toEqual(['python/.env']);
  });
});

describe('SECRET_FILE: never shows the secret', () => {
  it('shows at most the first 4 characters of any value it found', async () => {
    const values = { npm: `npm_${token()}`, pypi: `pypi-${token()}`, netrc: token(), id: accessKeyId(), secret: secretAccessKey(), url: token() };
    const list = await secretFindings([
      text('.npmrc', `_authToken=${values.npm}\n`), text('.pypirc', `[pypi]\npassword = ${values.pypi}\n`), text('.netrc', `machine x login y password ${values.netrc}\n`),
      text('config.py', `ID = "${values.id}"\nSECRET = "${values.secret}"\n`), text('pip.conf', `index-url = https://me:${values.url}@pypi.example.com/simple\n`),
    ]);
    expect(list).toHaveLength(5);
    const shown = list.map((f) => f.message).join('\n');
    for (const value of Object.values(values)) {
      expect(shown).not.toContain(value.slice(0, 5));
    }
    expect(shown).toContain(`${values.npm.slice(0, 4)}…`);
  });
});

describe('SECRET_FILE: allowSecrets', () => {
  const entries = [
    text('.env.ci', 'A=1\n'), text('app/.env.ci', 'A=1\n'), text('.env.test', 'A=1\n'), text('deep/er/.env.test', 'A=1\n'),
    text('fixtures/test-key.pem', pem.rsa), text('fixtures2/test-key.pem', pem.rsa), text('config/.env', 'A=1\n'),
  ];

  it('exempts exactly the entry paths its globs match, dot files included', async () => {
    expect(await flagged(entries)).toHaveLength(entries.length);
    expect(await flagged(entries, { allowSecrets: ['.env.ci', '**/.env.test', 'fixtures/**', 'config/*'] })).toEqual(['app/.env.ci', 'fixtures2/test-key.pem']);
  });

  it('is --allow-secrets on the command line, comma-separated, keeping braces whole', async () => {
    const zip = makeZip(entries);
    const run = (allowSecrets?: string): Promise<number> => verifyCommand([zip], { runtime: 'nodejs22.x', arch: 'x86_64', allowSecrets, json: true }, { stdout: sink(), stderr: sink() });
    expect(await run()).toBe(1);
    expect(await run('**/.env.{ci,test}, fixtures*/**,config/*')).toBe(0);
    expect(await run('**/.env.{ci,test}')).toBe(1);
  });
});

function write(name: string, bytes: Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

function sink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
