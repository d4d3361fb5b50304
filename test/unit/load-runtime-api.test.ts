import { describe, expect, it } from 'vitest';
import { RuntimeApiSession, parseRuntimeError, type ApiRequest, type Invocation, type RuntimeEvent } from '../../src/load/runtime-api.js';

const NEXT = '/2018-06-01/runtime/invocation/next';
const INIT_ERROR = '/2018-06-01/runtime/init/error';
const get = (url: string): ApiRequest => ({ method: 'GET', url, headers: {}, body: Buffer.alloc(0) });
const post = (url: string, body: unknown, headers: Record<string, string> = {}, oversize = false): ApiRequest =>
  ({ method: 'POST', url, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), oversize });

const invocation: Invocation = { requestId: 'req-1', event: '{"n":1}', deadlineMs: 1_700_000_000_000, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:api' };

function session(with_?: Invocation) {
  const events: RuntimeEvent[] = [];
  return { api: new RuntimeApiSession(with_, (e) => events.push(e)), events };
}

describe('the Runtime API of the load check (no invocation)', () => {
  it('holds the first next request and reports the runtime ready', () => {
    const { api, events } = session();
    expect(api.handle(get(NEXT))).toEqual({ kind: 'hold' });
    expect(events).toEqual([{ kind: 'ready' }]);
  });

  it('records an init error with the runtime\'s type, message and trace, and accepts it with 202', () => {
    const { api, events } = session();
    const reply = api.handle(post(INIT_ERROR, { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'x'", trace: ['Runtime.ImportModuleError: …', '    at loadModule'] }));
    expect(reply).toEqual({ kind: 'reply', status: 202, headers: { 'Content-Type': 'application/json' }, body: '{"status":"OK"}' });
    expect(events).toEqual([{ kind: 'init-error', error: { errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'x'", trace: ['Runtime.ImportModuleError: …', '    at loadModule'] } }]);
  });

  it('reads Python\'s stackTrace, and takes the type from the header when the body has none', () => {
    expect(parseRuntimeError(Buffer.from('{"errorMessage":"boom","stackTrace":["  File \\"/var/task/app.py\\", line 1"]}'), 'KeyError'))
      .toEqual({ errorType: 'KeyError', errorMessage: 'boom', trace: ['  File "/var/task/app.py", line 1'] });
  });

  it('keeps a body that is not JSON as the message', () => {
    expect(parseRuntimeError(Buffer.from('segfault in init'), undefined)).toEqual({ errorType: 'Unknown', errorMessage: 'segfault in init', trace: [] });
  });

  it('refuses an init error after the runtime asked for an event (403), as Lambda does', () => {
    const { api, events } = session();
    api.handle(get(NEXT));
    const reply = api.handle(post(INIT_ERROR, { errorType: 'X', errorMessage: 'late' }));
    expect(reply.kind === 'reply' && reply.status).toBe(403);
    expect(events).toEqual([{ kind: 'ready' }]);
  });

  it('answers 404 to an unknown path and 405 to a wrong method, and ignores the query string', () => {
    const { api } = session();
    const status = (r: ReturnType<RuntimeApiSession['handle']>) => r.kind === 'reply' ? r.status : 'hold';
    expect(status(api.handle(get('/2018-06-01/runtime/unknown')))).toBe(404);
    expect(status(api.handle(get('/other')))).toBe(404);
    expect(status(api.handle(post(NEXT, {})))).toBe(405);
    expect(status(api.handle(get(`${NEXT}?x=1`)))).toBe('hold');
  });
});

describe('the Runtime API of invoke (one invocation)', () => {
  it('hands out the event with Lambda\'s headers on the first next', () => {
    const { api, events } = session(invocation);
    expect(api.handle(get(NEXT))).toEqual({
      kind: 'reply', status: 200, body: '{"n":1}',
      headers: {
        'Content-Type': 'application/json', 'Lambda-Runtime-Aws-Request-Id': 'req-1',
        'Lambda-Runtime-Deadline-Ms': '1700000000000', 'Lambda-Runtime-Invoked-Function-Arn': invocation.functionArn,
      },
    });
    expect(events).toEqual([{ kind: 'ready' }]);
  });

  it('records the response, then reports done when the runtime asks again', () => {
    const { api, events } = session(invocation);
    api.handle(get(NEXT));
    const reply = api.handle(post('/2018-06-01/runtime/invocation/req-1/response', '{"ok":true}', { 'content-type': 'application/json' }));
    expect(reply.kind === 'reply' && reply.status).toBe(202);
    expect(api.handle(get(NEXT))).toEqual({ kind: 'hold' });
    expect(events).toEqual([{ kind: 'ready' }, { kind: 'response', body: '{"ok":true}', contentType: 'application/json' }, { kind: 'done' }]);
  });

  it('records a function error', () => {
    const { api, events } = session(invocation);
    api.handle(get(NEXT));
    api.handle(post('/2018-06-01/runtime/invocation/req-1/error', { errorType: 'KeyError', errorMessage: "'x'", stackTrace: [] }));
    expect(events[1]).toEqual({ kind: 'invocation-error', error: { errorType: 'KeyError', errorMessage: "'x'", trace: [] } });
  });

  it('refuses a response for another request id (400) and a second response', () => {
    const { api, events } = session(invocation);
    api.handle(get(NEXT));
    const wrong = api.handle(post('/2018-06-01/runtime/invocation/req-2/response', '{}'));
    expect(wrong.kind === 'reply' && [wrong.status, JSON.parse(wrong.body).errorType]).toEqual([400, 'InvalidRequestID']);
    api.handle(post('/2018-06-01/runtime/invocation/req-1/response', '1'));
    const again = api.handle(post('/2018-06-01/runtime/invocation/req-1/response', '2'));
    expect(again.kind === 'reply' && again.status).toBe(400);
    expect(events.filter((e) => e.kind === 'response')).toEqual([{ kind: 'response', body: '1', contentType: undefined }]);
  });

  it('turns a response over Lambda\'s payload limit into a function error (413)', () => {
    const { api, events } = session(invocation);
    api.handle(get(NEXT));
    const reply = api.handle(post('/2018-06-01/runtime/invocation/req-1/response', 'x', {}, true));
    expect(reply.kind === 'reply' && reply.status).toBe(413);
    expect(events[1]).toMatchObject({ kind: 'invocation-error', error: { errorType: 'Function.ResponseSizeTooLarge' } });
  });

  it('refuses a response before the event was handed out', () => {
    const { api } = session(invocation);
    const reply = api.handle(post('/2018-06-01/runtime/invocation/req-1/response', '{}'));
    expect(reply.kind === 'reply' && reply.status).toBe(400);
  });
});
