#!/bin/sh
# make check: the Lisp language suite on gull-lisp in the incremental mode,
# with a collection or incremental step every 5 allocations and the heap
# verifier on (GULL_MODE=inc GULL_STRESS=5 GULL_VERIFY=1): minor
# collections, barrier stores and marking steps interleave in every phase
# (gc/pacing.c .stress), and the verifier checks the snapshot invariant at
# the end of each incremental mark.  Tests marked ";;! slow" are skipped.
here=$(cd "$(dirname "$0")" && pwd)
GULL_MODE=inc GULL_STRESS=5 GULL_VERIFY=1 LISP_TESTS_SKIP_SLOW=1
LISP_TEST_TIMEOUT=${LISP_TEST_TIMEOUT:-300}
export GULL_MODE GULL_STRESS GULL_VERIFY LISP_TESTS_SKIP_SLOW LISP_TEST_TIMEOUT
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-inc
