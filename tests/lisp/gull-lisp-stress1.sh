#!/bin/sh
# make check: the Lisp language suite on gull-lisp with a collection at
# every allocation (GULL_STRESS=1), so a value held only in a C local across
# an allocation is freed at once and shows up as a wrong answer or a crash.
# No verifier here (a whole-heap walk per allocation is too slow); the
# GULL_STRESS=3 and 7 runs have it.  Tests marked ";;! slow" are skipped.
here=$(cd "$(dirname "$0")" && pwd)
GULL_STRESS=1 LISP_TESTS_SKIP_SLOW=1
LISP_TEST_TIMEOUT=${LISP_TEST_TIMEOUT:-300}
export GULL_STRESS LISP_TESTS_SKIP_SLOW LISP_TEST_TIMEOUT
unset GULL_VERIFY
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-stress1
