#!/bin/sh
# make check: the Lisp language suite on gull-lisp with a collection every
# 3 allocations and the heap verifier on (GULL_STRESS=3 GULL_VERIFY=1): a
# dangling root or a missing barrier is reported by the verifier.  Tests
# marked ";;! slow" are skipped.
here=$(cd "$(dirname "$0")" && pwd)
GULL_STRESS=3 GULL_VERIFY=1 LISP_TESTS_SKIP_SLOW=1
LISP_TEST_TIMEOUT=${LISP_TEST_TIMEOUT:-300}
export GULL_STRESS GULL_VERIFY LISP_TESTS_SKIP_SLOW LISP_TEST_TIMEOUT
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-stress3
