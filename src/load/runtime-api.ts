// The Lambda Runtime API as a state machine, without sockets: what each request of a runtime gets
// back, and what the load check and invoke learn from it (ready, init error, response, error).
// Paths, status codes and bodies follow Lambda's Runtime API (2018-06-01).

export const API_PREFIX = '/2018-06-01/runtime';
/** Lambda's limit on a synchronous response (and here on any body a runtime posts). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface ApiRequest {
  readonly method: string;
  /** The request target, query string included. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  /** The body was longer than MAX_BODY_BYTES and was cut there. */
  readonly oversize?: boolean;
}

/** `hold` keeps the request open, as Lambda does with `next` between invocations. */
export type ApiReply =
  | { readonly kind: 'reply'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  | { readonly kind: 'hold' };

/** An error as a runtime reports it (Node's runtime sends `trace`, Python's `stackTrace`). */
export interface RuntimeError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export interface Invocation {
  readonly requestId: string;
  /** The event, as JSON text. */
  readonly event: string;
  readonly deadlineMs: number;
  readonly functionArn: string;
  readonly traceId?: string;
}

export type RuntimeEvent =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-error'; readonly error: RuntimeError }
  | { readonly kind: 'response'; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'invocation-error'; readonly error: RuntimeError }
  /** The runtime asked for the next event after answering: the invocation is over. */
  | { readonly kind: 'done' };

const json = (status: number, body: object): ApiReply => ({ kind: 'reply', status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const accepted = () => json(202, { status: 'OK' });
const refused = (status: number, errorType: string, errorMessage: string) => json(status, { errorMessage, errorType });

/** Reads an error body: JSON with errorType/errorMessage, or whatever text the runtime sent. */
export function parseRuntimeError(body: Buffer, headerType: string | undefined): RuntimeError {
  const text = body.toString('utf8');
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object') {
      const trace = Array.isArray(parsed.trace) ? parsed.trace : Array.isArray(parsed.stackTrace) ? parsed.stackTrace : [];
      return {
        errorType: typeof parsed.errorType === 'string' && parsed.errorType ? parsed.errorType : headerType ?? 'Unknown',
        errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : text,
        trace: trace.map(String),
      };
    }
  } catch { /* not JSON: the text is the message */ }
  return { errorType: headerType ?? 'Unknown', errorMessage: text, trace: [] };
}

type State = 'init' | 'ready' | 'invoking' | 'answered' | 'failed';

/** One runtime's session: hands out at most one invocation, records what the runtime reports. */
export class RuntimeApiSession {
  private state: State = 'init';

  constructor(private readonly invocation: Invocation | undefined, private readonly onEvent: (event: RuntimeEvent) => void) {}

  handle(request: ApiRequest): ApiReply {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith(`${API_PREFIX}/`)) return refused(404, 'InvalidRequest', `Unknown Runtime API path ${path}`);
    const route = path.slice(API_PREFIX.length);
    if (route === '/invocation/next') return request.method === 'GET' ? this.next() : this.wrongMethod(request, 'GET');
    if (route === '/init/error') return request.method === 'POST' ? this.initError(request) : this.wrongMethod(request, 'POST');
    const match = /^\/invocation\/([^/]+)\/(response|error)$/.exec(route);
    if (match) return request.method === 'POST' ? this.result(request, decodeURIComponent(match[1]!), match[2] as 'response' | 'error') : this.wrongMethod(request, 'POST');
    return refused(404, 'InvalidRequest', `Unknown Runtime API path ${path}`);
  }

  private wrongMethod(request: ApiRequest, allowed: string): ApiReply {
    return refused(405, 'MethodNotAllowed', `${request.method} is not allowed on ${request.url.split('?')[0]}; use ${allowed}`);
  }

  private next(): ApiReply {
    if (this.state === 'init') {
      this.state = 'ready';
      this.onEvent({ kind: 'ready' });
    }
    if (this.state === 'ready' && this.invocation) {
      this.state = 'invoking';
      const { requestId, event, deadlineMs, functionArn, traceId } = this.invocation;
      return {
        kind: 'reply', status: 200, body: event,
        headers: {
          'Content-Type': 'application/json',
          'Lambda-Runtime-Aws-Request-Id': requestId,
          'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
          'Lambda-Runtime-Invoked-Function-Arn': functionArn,
          ...(traceId ? { 'Lambda-Runtime-Trace-Id': traceId } : {}),
        },
      };
    }
    if (this.state === 'answered') this.onEvent({ kind: 'done' });
    return { kind: 'hold' };
  }

  private initError(request: ApiRequest): ApiReply {
    if (this.state !== 'init') return refused(403, 'InvalidStateTransition', 'An init error can only be posted before the first /invocation/next');
    this.state = 'failed';
    this.onEvent({ kind: 'init-error', error: parseRuntimeError(request.body, request.headers['lambda-runtime-function-error-type']) });
    return accepted();
  }

  private result(request: ApiRequest, requestId: string, kind: 'response' | 'error'): ApiReply {
    if (this.state !== 'invoking' || requestId !== this.invocation?.requestId) return refused(400, 'InvalidRequestID', `No invocation ${requestId} is waiting for a ${kind}`);
    this.state = 'answered';
    if (request.oversize) {
      this.onEvent({ kind: 'invocation-error', error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_BODY_BYTES} bytes).`, trace: [] } });
      return refused(413, 'RequestEntityTooLarge', `Exceeded maximum allowed payload size (${MAX_BODY_BYTES} bytes).`);
    }
    if (kind === 'error') this.onEvent({ kind: 'invocation-error', error: parseRuntimeError(request.body, request.headers['lambda-runtime-function-error-type']) });
    else this.onEvent({ kind: 'response', body: request.body.toString('utf8'), contentType: request.headers['content-type'] });
    return accepted();
  }
}
