import { describe, expect, it } from 'vitest';
import { sshArgs, sshCheckCommand, SshFailure, sshFix, sshTarget } from '../../src/docker/ssh-command.js';

describe('the ssh command an ssh:// engine runs', () => {
  it('runs docker system dial-stdio on the host, with the port, user and key of the address, never prompting', () => {
    expect(sshArgs('ssh://ec2-user@graviton:2222', '/home/me/.ssh/builder')).toEqual([
      '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-T', '-p', '2222', '-l', 'ec2-user', '-i', '/home/me/.ssh/builder',
      '--', 'graviton', 'docker', 'system', 'dial-stdio',
    ]);
  });

  it('leaves user, port and key to ~/.ssh/config when the address names only a host (an alias)', () => {
    expect(sshArgs('ssh://graviton-builder')).toEqual(['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=30', '-T', '--', 'graviton-builder', 'docker', 'system', 'dial-stdio']);
  });

  it('reaches an engine socket named in the path, as the docker CLI does', () => {
    expect(sshArgs('ssh://me@box/run/user/1000/docker.sock').slice(-5)).toEqual(['box', 'docker', '--host=unix:///run/user/1000/docker.sock', 'system', 'dial-stdio']);
    expect(sshTarget('ssh://me@box/').socket).toBeUndefined();
    expect(sshTarget('ssh://[::1]:22').host).toBe('::1');
  });

  it('refuses addresses that cannot be passed to ssh safely', () => {
    expect(() => sshTarget('ssh://me:secret@box')).toThrow(/password/);
    expect(() => sshTarget('ssh://box/tmp/a;rm -rf ~')).toThrow(/characters other than/);
    expect(() => sshTarget('tcp://box:2375')).toThrow(/not ssh/);
  });

  it('tells the user the ssh command that must work, quoted for a shell', () => {
    expect(sshCheckCommand('ssh://ec2-user@graviton:2222', '/keys/my builder')).toBe(`ssh -p 2222 -i '/keys/my builder' ec2-user@graviton docker version`);
    expect(sshCheckCommand('ssh://graviton-builder')).toBe('ssh graviton-builder docker version');
  });
});

describe('what ssh said, and what to do about it', () => {
  const check = 'ssh -p 2222 me@box docker version';

  it('keeps ssh\'s own words on one line, without the warning banner', () => {
    const changed = '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\nIT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\nHost key verification failed.\r\n';
    const failure = new SshFailure(255, changed);
    expect(failure.message).toBe('ssh: @ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @ IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY! Host key verification failed.');
    expect(sshFix(failure, check)).toContain(`Run \`${check}\` once, check the key it shows`);
  });

  it('says how to accept an unknown host key', () => {
    expect(sshFix(new SshFailure(255, 'Host key verification failed.\r\n'), check)).toMatch(/^ssh does not trust this host's key.*BatchMode=yes/);
  });

  it('says where keys come from when the login is refused', () => {
    expect(sshFix(new SshFailure(255, 'me@box: Permission denied (publickey).\r\n'), check)).toMatch(/^ssh could not log in without a prompt: load the key into your agent/);
  });

  it('says docker is missing on the host when the remote shell cannot find it', () => {
    expect(sshFix(new SshFailure(127, 'bash: line 1: docker: command not found\n'), check)).toMatch(/^ssh logged in but found no docker CLI there/);
  });

  it('falls back to the command that must work, and never says nothing', () => {
    expect(sshFix(new SshFailure(255, 'ssh: Could not resolve hostname box: Name or service not known\r\n'), check)).toBe(`\`${check}\` must work from here (ssh reads ~/.ssh/config, the agent and known_hosts as usual).`);
    expect(new SshFailure(1, '').message).toBe('ssh exited with 1 and said nothing');
  });
});
