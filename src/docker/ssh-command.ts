// ssh:// engines as the docker CLI reaches them: the system `ssh` runs `docker system dial-stdio`
// on the engine's host. This module is the pure part: the argv, and what ssh's own words on a
// failure mean for the user.

export interface SshTarget {
  /** As written after ssh://, without the port: a Host alias of ~/.ssh/config, a name or an IP. */
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  /** The engine's socket on that host (ssh://host/run/user/1000/docker.sock); its default otherwise. */
  readonly socket?: string;
}

/** Parses ssh://[user@]host[:port][/socket]; throws on anything else. */
export function sshTarget(address: string): SshTarget {
  const url = new URL(address);
  if (url.protocol !== 'ssh:' || !url.hostname) throw new Error(`${address} is not ssh://[user@]host[:port]`);
  if (url.password || url.search || url.hash) throw new Error(`${address} has a password, query or fragment, which ssh:// engine addresses cannot carry`);
  const socket = decodeURIComponent(url.pathname);
  // The socket travels through the remote shell: only characters that need no quoting.
  if (socket.replace(/\/+$/, '') !== '' && !/^[\w./-]+$/.test(socket)) throw new Error(`the engine socket "${socket}" in ${address} has characters other than letters, digits, . _ - /`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    user: url.username ? decodeURIComponent(url.username) : undefined,
    port: url.port ? Number(url.port) : undefined,
    socket: socket.replace(/\/+$/, '') === '' ? undefined : socket,
  };
}

/** The options lambda-pack adds to the user's own ssh configuration, and why. */
const OPTIONS = [
  // Never a prompt (password, passphrase, "trust this host key?"): builds run unattended and in
  // parallel; a question ssh cannot ask is a failure with ssh's own message instead.
  '-o', 'BatchMode=yes',
  // As the docker CLI: a host that does not answer fails in bounded time.
  '-o', 'ConnectTimeout=30',
  // A byte stream, not a terminal.
  '-T',
];

/** The remote command: the engine's API on stdin/stdout. */
function remoteCommand(target: SshTarget): string[] {
  return target.socket ? ['docker', `--host=unix://${target.socket}`, 'system', 'dial-stdio'] : ['docker', 'system', 'dial-stdio'];
}

/** `ssh`'s argv (without "ssh") for one connection to the engine at `address`. */
export function sshArgs(address: string, identityFile?: string): string[] {
  const target = sshTarget(address);
  return [
    ...OPTIONS,
    ...(target.port !== undefined ? ['-p', String(target.port)] : []),
    ...(target.user !== undefined ? ['-l', target.user] : []),
    ...(identityFile !== undefined ? ['-i', identityFile] : []),
    '--', target.host, ...remoteCommand(target),
  ];
}

/** The command a user runs to check the same path by hand: `ssh [-p …] [-i …] user@host docker version`. */
export function sshCheckCommand(address: string, identityFile?: string): string {
  const target = sshTarget(address);
  const quote = (word: string) => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  return ['ssh', ...(target.port !== undefined ? ['-p', String(target.port)] : []), ...(identityFile !== undefined ? ['-i', identityFile] : []),
    `${target.user !== undefined ? `${target.user}@` : ''}${target.host}`, 'docker',
    ...(target.socket ? [`--host=unix://${target.socket}`] : []), 'version'].map(quote).join(' ');
}

/** ssh (or the remote docker) ended a connection with an error; `message` is its own words. */
export class SshFailure extends Error {
  readonly code = 'SSH_FAILED';
  constructor(readonly exitCode: number | null, readonly stderr: string) {
    super(sshSaid(stderr, exitCode));
  }
}

/** ssh's stderr as one line: banners of @ and blank lines dropped, the rest joined. */
export function sshSaid(stderr: string, exitCode: number | null): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !/^@+$/.test(l) && !/^Warning: Permanently added/.test(l));
  const text = lines.join(' ').replace(/\s+/g, ' ');
  const said = text.length > 600 ? `${text.slice(0, 600)}…` : text;
  return said ? `ssh: ${said}` : `ssh exited with ${exitCode ?? 'a signal'} and said nothing`;
}

/** What to do about a failed ssh connection, from what ssh said. */
export function sshFix(failure: SshFailure, check: string): string {
  const said = failure.stderr;
  if (/host key verification failed|host key for .* has changed|REMOTE HOST IDENTIFICATION HAS CHANGED|No \S+ host key is known/i.test(said)) {
    return `ssh does not trust this host's key, and lambda-pack never answers ssh's questions (it runs ssh with BatchMode=yes). Run \`${check}\` once, check the key it shows and accept it (it is then in ~/.ssh/known_hosts), or fix the entry that changed.`;
  }
  if (/permission denied|too many authentication failures|no more authentication methods/i.test(said)) {
    return `ssh could not log in without a prompt: load the key into your agent (\`ssh-add\`), name it with IdentityFile in ~/.ssh/config or identityFile in the config, or add it to the engine host's authorized_keys; \`${check}\` must work without a password.`;
  }
  if (failure.exitCode === 127 || /docker: (command )?not found/i.test(said)) {
    return `ssh logged in but found no docker CLI there: install Docker on that host (dial-stdio needs the docker CLI on the PATH of a non-interactive login); \`${check}\` must work.`;
  }
  return `\`${check}\` must work from here (ssh reads ~/.ssh/config, the agent and known_hosts as usual).`;
}
