#!/bin/sh
# Sum the Criterion "Synthesis" lines of the given test logs (make check
# passes $(TEST_LOGS), the logs of this run) into one line, as CI reads it.
cat "$@" 2>/dev/null |
  sed -n 's/.*Synthesis: Tested: \([0-9]*\) | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2 \3 \4/p' |
  awk '{t+=$1; p+=$2; f+=$3; c+=$4} END {printf "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d \n", t, p, f, c}'
