// The "proven to load" machinery: the load check and invoke, and the pieces they share.
export { loadCheck, type LoadCheckOptions, type LoadCheckResult } from './check.js';
export { invoke, type InvokeOptions, type InvokeResult } from './invoke.js';
export { runRuntime, FUNCTION_USER, type FunctionCode, type RuntimeRun, type RuntimeRunOptions } from './session.js';
export { initErrorFinding, exitFinding, timeoutFinding } from './classify.js';
export { RuntimeApiSession, parseRuntimeError, type ApiReply, type ApiRequest, type Invocation, type RuntimeError, type RuntimeEvent } from './runtime-api.js';
export { placeRuntimeApi, engineIsLocal, type ApiPlacement } from './placement.js';
export { runtimeImage } from './runtime-image.js';
