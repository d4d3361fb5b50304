import { describe, expect, it } from 'vitest';
import { bridgeAddresses, engineIsLocal } from '../../src/load/placement.js';

describe('where the load check serves its Runtime API', () => {
  it('tries the bridge gateway the engine lists first', () => {
    expect(bridgeAddresses([{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.254' }], ['127.0.0.1'])).toEqual(['172.18.0.254', '172.18.0.1']);
  });

  it('tries this machine\'s address inside the subnet, then the subnet\'s first host, when no gateway is listed (docker0)', () => {
    expect(bridgeAddresses([{ Subnet: '10.10.0.0/24' }], ['127.0.0.1', '192.168.1.4', '10.10.0.5'])).toEqual(['10.10.0.5', '10.10.0.1']);
    // docker0 with no container attached is down, and not among the listed addresses.
    expect(bridgeAddresses([{ Subnet: '172.17.0.0/16' }], ['127.0.0.1', '192.0.2.2'])).toEqual(['172.17.0.1']);
  });

  it('has nothing to try without an IPv4 subnet', () => {
    expect(bridgeAddresses([], ['172.17.0.1'])).toEqual([]);
    expect(bridgeAddresses([{ Subnet: 'fd00::/64' }], ['127.0.0.1'])).toEqual([]);
  });

  it('counts sockets and loopback TCP as this machine, ssh and other hosts as remote', () => {
    expect(['unix:///var/run/docker.sock', 'npipe:////./pipe/docker_engine', 'tcp://127.0.0.1:2375', 'tcp://localhost:2376'].map(engineIsLocal)).toEqual([true, true, true, true]);
    expect(['ssh://ec2-user@graviton', 'tcp://10.0.4.12:2376'].map(engineIsLocal)).toEqual([false, false]);
  });
});
