#!/bin/sh
# make check: the Lisp language suite on gull-lisp with a collection every
# 7 allocations and the heap verifier on, so a missing root or barrier shows
# up as a wrong answer or a verifier report.  Tests marked ";;! slow" are
# skipped and the per-test time limit is raised.
here=$(cd "$(dirname "$0")" && pwd)
GULL_STRESS=7 GULL_VERIFY=1 LISP_TESTS_SKIP_SLOW=1
LISP_TEST_TIMEOUT=${LISP_TEST_TIMEOUT:-300}
export GULL_STRESS GULL_VERIFY LISP_TESTS_SKIP_SLOW LISP_TEST_TIMEOUT
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-stress
