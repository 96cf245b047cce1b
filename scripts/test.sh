#!/usr/bin/env bash
# Runs the test binary (make test, make check) and shows, as they end, each
# test that passed (with its time), each that was skipped and why, each
# that failed and its messages, and Criterion's synthesis last. The [RUN ]
# lines of --verbose are left out (with two jobs they only interleave), and
# so are the tests a --filter leaves out.
#   scripts/test.sh TESTBIN JOBS [criterion arguments...]
set -uo pipefail
bin=$1 jobs=$2
shift 2
"$bin" --jobs "$jobs" --verbose "$@" 2>&1 | grep --line-buffered -v -e '^\[RUN \]' -e ': Test is disabled$'
exit "${PIPESTATUS[0]}"
