import { describe, expect, it } from 'vitest';
import { bridgeAddress, engineIsLocal } from '../../src/load/placement.js';

describe('where the load check serves its Runtime API', () => {
  it('takes the bridge gateway the engine lists when it is an address of this machine', () => {
    expect(bridgeAddress([{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }], ['127.0.0.1', '172.17.0.1'])).toBe('172.17.0.1');
  });

  it('finds this machine\'s address inside the default bridge\'s subnet when no gateway is listed (docker0)', () => {
    expect(bridgeAddress([{ Subnet: '10.10.0.0/24' }], ['127.0.0.1', '192.168.1.4', '10.10.0.5'])).toBe('10.10.0.5');
  });

  it('finds nothing when no address of this machine is on the bridge (an engine in a VM, rootless)', () => {
    expect(bridgeAddress([{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }], ['127.0.0.1', '192.168.1.4'])).toBeUndefined();
    expect(bridgeAddress([], ['172.17.0.1'])).toBeUndefined();
  });

  it('counts sockets and loopback TCP as this machine, ssh and other hosts as remote', () => {
    expect(['unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine', 'tcp://127.0.0.1:2375', 'tcp://localhost:2376'].map(engineIsLocal)).toEqual([true, true, true, true]);
    expect(['ssh://ec2-user@graviton', 'tcp://10.0.4.12:2376'].map(engineIsLocal)).toEqual([false, false]);
  });
});
