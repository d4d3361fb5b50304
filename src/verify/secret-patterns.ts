// What a secret looks like in a Lambda package: names that are secrets by themselves (.env files,
// keystores), credential settings in package-manager and AWS config files, and private-key PEM
// blocks and AWS access key ids in any text. Pure functions of a path or a text.
import { posix } from 'node:path';

export interface SecretSighting {
  /** What was found, in the user's words: 'an npm auth token (_authToken)'. */
  readonly what: string;
  /** The secret itself, when there is one to hint at: only ever shown through redact(). */
  readonly value?: string;
}

/** Template files that document the variables without values: the near miss of a .env file. */
const ENV_TEMPLATES = new Set(['example', 'sample', 'template']);
const KEYSTORES = new Map([['.p12', 'PKCS#12 keystore'], ['.pfx', 'PKCS#12 keystore'], ['.jks', 'Java keystore']]);

/** A file that is a secret by its name alone (.env, .env.production, *.p12), or undefined. */
export function secretByName(path: string): SecretSighting | undefined {
  const base = posix.basename(path);
  if (base === '.env' || base.startsWith('.env.')) {
    return ENV_TEMPLATES.has(base.slice(base.lastIndexOf('.') + 1).toLowerCase()) ? undefined : { what: 'an environment file, where deployment secrets live' };
  }
  const keystore = KEYSTORES.get(posix.extname(base).toLowerCase());
  return keystore ? { what: `a ${keystore}, which holds private keys` } : undefined;
}

interface CredentialRule {
  readonly what: string;
  /** Captures the value in a group named `value`. */
  readonly pattern: RegExp;
}

const rule = (what: string, pattern: RegExp): CredentialRule => ({ what, pattern });
const setting = (key: string, separator = '[=:]'): RegExp => new RegExp(`^[ \\t]*${key}[ \\t]*${separator}[ \\t]*["']?(?<value>[^\\s"']+)`, 'gm');
/** scheme://user:password@host: a password in a registry or index URL. */
const URL_PASSWORD = rule('a password in a URL (user:password@host)', /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:(?<value>[^\s/@]+)@/gi);
const PASSWORD = rule('a password (password =)', setting('password'));

/** Credential-bearing settings of each configuration file name that can hold them. */
const CREDENTIAL_FILES = new Map<string, readonly CredentialRule[]>([
  ['.npmrc', [
    rule('an npm auth token (_authToken)', setting('(?://\\S*:)?_authToken', '=')),
    rule('npm credentials (_auth)', setting('(?://\\S*:)?_auth', '=')),
    rule('an npm password (_password)', setting('(?://\\S*:)?_password', '=')),
    URL_PASSWORD,
  ]],
  ['.yarnrc.yml', [
    rule('an npm auth token (npmAuthToken)', setting('npmAuthToken', ':')),
    rule('npm credentials (npmAuthIdent)', setting('npmAuthIdent', ':')),
    URL_PASSWORD,
  ]],
  ['.pypirc', [PASSWORD, URL_PASSWORD]],
  ['pip.conf', [PASSWORD, URL_PASSWORD]],
  ['pip.ini', [PASSWORD, URL_PASSWORD]],
  ['.netrc', [rule('a password (netrc password)', /(?:^|\s)password\s+(?<value>\S+)/g)]],
  ['.git-credentials', [URL_PASSWORD]],
]);
const AWS_RULES: readonly CredentialRule[] = [
  rule('an AWS secret access key (aws_secret_access_key)', setting('aws_secret_access_key', '=')),
  rule('an AWS session token (aws_session_token)', setting('aws_session_token', '=')),
];

/** The credential rules for a file, by its name: .npmrc, .pypirc, pip.conf, AWS credentials…; or undefined. */
export function credentialRulesFor(path: string): readonly CredentialRule[] | undefined {
  const base = posix.basename(path);
  if (base === 'credentials' || path === '.aws/config' || path.endsWith('/.aws/config')) return AWS_RULES;
  return CREDENTIAL_FILES.get(base);
}

export function credentialsIn(rules: readonly CredentialRule[], text: string): SecretSighting[] {
  const sightings: SecretSighting[] = [];
  for (const { what, pattern } of rules) {
    const value = [...text.matchAll(pattern)].map((m) => m.groups!['value']!).find(isRealValue);
    if (value !== undefined) sightings.push({ what, value });
  }
  return sightings;
}

/** Not a secret: a variable the tool expands at run time (${NPM_TOKEN}, $TOKEN), or an AWS documentation example. */
function isRealValue(value: string): boolean {
  return !/^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$/.test(value) && !isAwsExample(value);
}

/** AWS documentation examples end so: AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY. */
function isAwsExample(value: string): boolean {
  return value.endsWith('EXAMPLE') || value.endsWith('EXAMPLEKEY');
}

const PEM_BEGIN = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?)PRIVATE KEY-----/g;
const PEM_KINDS: Record<string, string> = { '': 'a private key', 'RSA ': 'an RSA private key', 'EC ': 'an EC private key', 'DSA ': 'a DSA private key', 'OPENSSH ': 'an OpenSSH private key', 'ENCRYPTED ': 'an encrypted private key' };
/** An RSA-8192 key is ~6.5 KB of base64; a body longer than this is not one key. */
const MAX_PEM_BODY = 16 * 1024;

/**
 * A whole private-key PEM block: BEGIN line, base64 body (optionally after Proc-Type/DEK-Info
 * headers, with real or escaped \n line breaks as in JSON and source strings), matching END line.
 * Code that only names the markers (a key parser) is not a key.
 */
export function privateKeyIn(text: string): SecretSighting | undefined {
  for (const begin of text.matchAll(PEM_BEGIN)) {
    const label = begin[1]!;
    const start = begin.index + begin[0].length;
    const end = text.indexOf(`-----END ${label}PRIVATE KEY-----`, start);
    if (end >= 0 && end - start <= MAX_PEM_BODY && isPemBody(text.slice(start, end))) return { what: `${PEM_KINDS[label]!} (PEM block)` };
  }
  return undefined;
}

function isPemBody(body: string): boolean {
  const base64 = body.replace(/\\[rn]/g, '\n').split('\n').filter((line) => !/^\s*[A-Za-z-]+:/.test(line)).join('').replace(/\s/g, '');
  return base64.length >= 64 && /^[A-Za-z0-9+/]+=*$/.test(base64);
}

/** Key ids only stand alone: inside base64 or a longer identifier, 20 such characters are chance. */
const ACCESS_KEY_ID = /(?<![A-Za-z0-9+/])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9+/])/g;
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;
/** How far (in characters, either side) a secret access key counts as belonging to a key id. */
const NEARBY = 300;

/** An AWS access key id (AKIA… long-term, ASIA… temporary), with its secret key when one is nearby. */
export function accessKeyIn(text: string): SecretSighting | undefined {
  for (const id of text.matchAll(ACCESS_KEY_ID)) {
    if (isAwsExample(id[0])) continue;
    const around = text.slice(Math.max(0, id.index - NEARBY), id.index + id[0].length + NEARBY);
    const secret = [...around.matchAll(SECRET_ACCESS_KEY)].map((m) => m[0]).find((s) => looksRandom(s) && !isAwsExample(s));
    return secret
      ? { what: `an AWS access key id (${redact(id[0])}) with a secret access key next to it`, value: secret }
      : { what: 'an AWS access key id', value: id[0] };
  }
  return undefined;
}

/** Mixed case and digits or symbols, as AWS secret keys are; a 40-digit hex SHA-1 is not one. */
function looksRandom(candidate: string): boolean {
  return /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9+/]/.test(candidate);
}

/** At most the first 4 characters (fewer for a short value), then an ellipsis. */
export function redact(value: string): string {
  return `${value.slice(0, Math.min(4, Math.floor(value.length / 3)))}…`;
}
