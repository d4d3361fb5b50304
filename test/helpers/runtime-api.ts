// A minimal Lambda Runtime API for tests: hands out one invocation, records the response, and
// leaves later `next` calls waiting, as Lambda does between invocations.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Resolves with the body the function posted for the invocation. */
  readonly response: Promise<string>;
  close(): Promise<void>;
}

export async function startRuntimeApi(event: unknown, requestId = 'test-request-1'): Promise<RuntimeApi> {
  let served = false;
  let resolveResponse!: (body: string) => void;
  const response = new Promise<string>((resolve) => { resolveResponse = resolve; });
  const waiting: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
      if (served) { waiting.push(res); return; }
      served = true;
      const body = JSON.stringify(event);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Runtime-Aws-Request-Id': requestId, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'POST' && req.url === `/2018-06-01/runtime/invocation/${requestId}/response`) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { res.writeHead(202).end('{}'); resolveResponse(Buffer.concat(chunks).toString('utf8')); });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    response,
    close: () => new Promise<void>((resolve) => { for (const r of waiting) r.destroy(); server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
