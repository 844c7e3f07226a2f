#!/bin/sh
# make check: the whole Criterion suite again, with every heap the tests
# ask for in gen mode made in rc mode (tests/testutil.h, GULLTEST_MODE).
# Each binary prints its own synthesis line; tests/synthesis.sh sums them.
here=$(cd "$(dirname "$0")" && pwd)
bin=${top_builddir:-$here/..}/tests
GULLTEST_MODE=rc
export GULLTEST_MODE
status=0
for t in basic roots deep final_weak threads oom conservative random gen verify external stats inc rc misuse census; do
    echo "=== test_$t (GULLTEST_MODE=rc)"
    "$bin/test_$t" || status=1
done
exit $status
