#!/bin/sh
# Sum the Criterion "Synthesis" lines of every test log into one line.
dir=${1:-.}
find "$dir/tests" "$dir/examples" -name '*.log' 2>/dev/null | xargs cat 2>/dev/null |
  sed -n 's/.*Synthesis: Tested: \([0-9]*\) | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\1 \2 \3 \4/p' |
  awk '{t+=$1; p+=$2; f+=$3; c+=$4} END {printf "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d \n", t, p, f, c}'
