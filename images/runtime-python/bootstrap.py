"""lambda-pack's runtime interface client for the python3.x stand-in images.

Lambda's init (build sys.path, import the handler's module, check the handler is callable, report a
failure to /runtime/init/error) and its invocation loop (next, handler, response or error), with
awslambdaric's protocol, error types and messages. Standard library only: awslambdaric is on PyPI.
One difference: a handler that is missing or not callable fails the init here (awslambdaric
reports it at the first invoke), so that lambda-pack's load check sees it before a deploy.
"""
import decimal
import http.client
import importlib
import json
import logging
import os
import site
import sys
import time
import traceback

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class Fault(Exception):
    """An error of the runtime's own kind (Runtime.*), reported in awslambdaric's words."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def make_error(message, error_type, stack_trace):
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": "", "stackTrace": stack_trace or []}


def fault_result(exc_info):
    """An exception of the user's code: its class name, message and frames below this file's."""
    error_type, value, tb = exc_info
    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename.endswith("/bootstrap.py"):
        frames = frames[1:]
    return make_error(str(value), error_type.__name__, traceback.format_list(frames))


def log_error(result):
    lines = ["[ERROR] {}: {}".format(result["errorType"], result["errorMessage"])]
    if result["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in result["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")


class RuntimeApi:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port)
        try:
            connection.request(method, API + path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def next(self):
        status, headers, body = self.request("GET", "/invocation/next")
        if status != 200:
            raise Fault("Runtime.LambdaRuntimeClientError", "next invocation: HTTP {} {}".format(status, body[:200]))
        return headers, body

    def post_json(self, path, payload, error_type=None):
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers[ERROR_TYPE_HEADER] = error_type
        status, _, body = self.request("POST", path, json.dumps(payload).encode("utf-8"), headers)
        if status >= 300:
            sys.stderr.write("Runtime API answered {} to {}: {}\n".format(status, path, body[:200]))

    def post_response(self, request_id, body):
        self.request("POST", "/invocation/{}/response".format(request_id), body, {"Content-Type": "application/json"})


def set_default_sys_path():
    """Lambda's precedence: /var/task, /opt/python/lib/pythonX.Y/site-packages, /opt/python."""
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    opt_site = "/opt/python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
    if "PYTHONPATH" not in os.environ:
        sys.path[0:0] = [task_root, opt_site, "/opt/python"]
    else:
        sys.path.insert(0, task_root)
    # .pth files in the task root and the layer directories count, as on Lambda.
    for directory in [task_root] + ([] if "PYTHONPATH" in os.environ else [opt_site, "/opt/python"]):
        site.addsitedir(directory)
    os.environ.setdefault("PYTHONPATH", os.environ.get("LAMBDA_RUNTIME_DIR", "/var/runtime"))


def get_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, error))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(module_name))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, error))
    except SyntaxError as error:
        trace = ['  File "%s" Line %s\n    %s' % (error.filename, error.lineno, error.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(module_name, error), trace)
    if not hasattr(module, function_name):
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(function_name, module_name))
    function = getattr(module, function_name)
    if not callable(function):
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' on module '{}' is not callable".format(function_name, module_name))
    return function


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        sys.stdout.write(str(message))


def parse_json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError as error:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse {} JSON: {}".format(name, error))


class DecimalEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return float(o) if o % 1 else int(o)
        return super().default(o)


def handle(api, handler, headers, body):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    RequestIdFilter.current = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = LambdaContext(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
                                headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                                parse_json_header(headers.get("Lambda-Runtime-Client-Context"), "Client Context"),
                                parse_json_header(headers.get("Lambda-Runtime-Cognito-Identity"), "Cognito Identity"))
        try:
            event = json.loads(body) if body else {}
        except ValueError as error:
            raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(error))
        response = handler(event, context)
        try:
            payload = json.dumps(response, cls=DecimalEncoder).encode("utf-8")
        except (TypeError, ValueError) as error:
            raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(error))
    except Fault as fault:
        result = make_error(fault.message, fault.error_type, fault.trace)
    except Exception:
        result = fault_result(sys.exc_info())
    else:
        api.post_response(request_id, payload)
        return
    result["requestId"] = request_id
    log_error(result)
    api.post_json("/invocation/{}/error".format(request_id), result, result["errorType"])


class RequestIdFilter(logging.Filter):
    current = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.current
        return True


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.formatter.converter = time.gmtime
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        logging.getLogger().setLevel(level)


def main():
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        setup_logging()
        set_default_sys_path()
        handler = get_handler(os.environ["_HANDLER"])
    except Fault as fault:
        result = make_error(fault.message, fault.error_type, fault.trace)
    except Exception:
        result = fault_result(sys.exc_info())
    else:
        result = None
    if result is not None:
        log_error(result)
        api.post_json("/init/error", result, result["errorType"])
        sys.exit(1)
    while True:
        headers, body = api.next()
        handle(api, handler, headers, body)


if __name__ == "__main__":
    main()
