#!/bin/bash
# AWS_LAMBDA_EXEC_WRAPPER for every function (serverless.yml): starts the Node runtime with V8
# flags that NODE_OPTIONS refuses. Lambda runs it with the runtime's command line; it puts the flags
# right after the interpreter and execs (AWS's documented wrapper-script pattern).
#
# --initial-old-space-size=64: the old generation's first allocation limit, 64 MB. Without it V8
# starts a full collection every few pages, because the buffers a page passes through (socket
# reads, the body, zlib's output) count against a limit sized from the small live heap; the bench
# measured 9.0 → 7.3 µs of CPU per record at 1M records, with the same peak RSS (bench/FINDINGS.md).
#
# The bench reads NODE_FLAGS below and runs every contender with it: keep it one line.
NODE_FLAGS=(--initial-old-space-size=64)
args=("$@")
exec "${args[0]}" "${NODE_FLAGS[@]}" "${args[@]:1}"
