// Loopback networking for tests: a port nothing listens on, and a proxy whose connections can be cut.
import net from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

export interface TcpProxy {
  readonly port: number;
  /** Cuts every open connection, as a network drop would; new ones still get through. */
  dropAll(): void;
  /** Bytes clients have sent through it so far (requests, headers included). */
  readonly bytesSent: number;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort` whose connections a test can cut. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let bytesSent = 0;
  const server = net.createServer((client) => {
    client.on('data', (chunk: Buffer) => { bytesSent += chunk.length; });
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get bytesSent() { return bytesSent; },
    dropAll() { for (const socket of open) socket.destroy(); },
    close: () => new Promise((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
