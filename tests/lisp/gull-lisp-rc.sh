#!/bin/sh
# make check: the Lisp language suite on gull-lisp in the reference-counting
# mode, with a collection every 5 allocations (every fourth a major, the
# backup trace; the others minors, each followed by the zero-count-table
# pass that frees by reference counting: gc/rc.c .pass) and the heap
# verifier on (GULL_MODE=rc GULL_STRESS=5 GULL_VERIFY=1), which checks every
# old object's count and the zero-count table after each collection
# (gc/verify.c .rc).  Tests marked ";;! slow" are skipped.
here=$(cd "$(dirname "$0")" && pwd)
GULL_MODE=rc GULL_STRESS=5 GULL_VERIFY=1 LISP_TESTS_SKIP_SLOW=1
LISP_TEST_TIMEOUT=${LISP_TEST_TIMEOUT:-300}
export GULL_MODE GULL_STRESS GULL_VERIFY LISP_TESTS_SKIP_SLOW LISP_TEST_TIMEOUT
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-rc
