#!/bin/sh
# The runtime stand-ins' /lambda-entrypoint.sh, as in the official Lambda base images: the handler
# is the one argument (the image's CMD), exported as _HANDLER, and the runtime is
# /var/runtime/bootstrap. The official images start their Runtime Interface Emulator when
# AWS_LAMBDA_RUNTIME_API is unset; these stand-ins have none, so they say so instead.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  echo "AWS_LAMBDA_RUNTIME_API is not set: this stand-in has no Runtime Interface Emulator; run it with lambda-pack invoke, or set the variable to a Runtime API (host:port)" 1>&2
  exit 142
fi
exec /var/runtime/bootstrap
