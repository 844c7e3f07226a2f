#!/bin/sh
# run-lisp-tests.sh BINARY [LABEL] -- run the Scheme language suite on BINARY.
#
# Every tests/lisp/TOPIC/NAME.scm is one test.  It is run as `BINARY NAME.scm`
# from its own directory (so file-port tests find data/ by a relative path),
# with NAME.in (or /dev/null) on stdin.  Its stdout must equal NAME.out when
# that file exists, and it must exit 0 unless a header line says otherwise.
# Header lines start with ";;!" anywhere in the file (see README.md):
#   ;;! args: WORDS      arguments (shell words; %f is the file); "args:" alone
#                        means no arguments (REPL tests)
#   ;;! stdin: FILE|self file on stdin; "self" feeds the test file itself
#   ;;! status: N|nonzero|any   expected exit status ("any": any non-crash)
#   ;;! stderr: TEXT     stderr contains TEXT (fixed string, any case)
#   ;;! stdout-has: TEXT stdout contains TEXT (fixed string, any case)
#   ;;! stdout-re: ERE   stdout matches the extended regular expression
#   ;;! stderr-re: ERE   stderr matches the extended regular expression
#   ;;! or-error         also pass on a clean error exit (status 1..123 with a
#                        message on stderr): for resource limits
#   ;;! slow             skipped when LISP_TESTS_SKIP_SLOW is non-empty
#   ;;! timeout: SECS    per-test time limit (default 120, or LISP_TEST_TIMEOUT)
#   ;;! no-guile         NAME.out is written by hand (gen-expected.sh skips it)
#   ;;! skip-on: WORD    skipped when the binary's name contains WORD (a
#                        collector-specific behaviour, e.g. "boehm")
# A test killed by a signal counts as crashing; a timeout counts as failing.
# The last line is a Criterion-style synthesis line, which CI reads.
# LISP_TESTS_FILTER=SUBSTRING runs only the tests whose path contains it;
# LISP_TESTS_TIMES=1 prints the run time of every test.

bin=$1
label=${2:-lisp}
# In a --enable-sanitizers build, LeakSanitizer checks every run of both
# binaries: the interpreter frees all it owns at exit (main.c lisp_exit;
# on Boehm, gc_boehm.c .exit-registry finalizes what its conservative scan
# still keeps).
leaks=1
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leaks"
export ASAN_OPTIONS
if [ -z "$bin" ]; then
  echo "usage: $0 BINARY [LABEL]" >&2
  exit 2
fi
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
summary() {
  printf '[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d \n' \
    "$1" "$2" "$3" "$4"
}
if [ ! -x "$bin" ]; then
  echo "$label: $bin not built; skipping the Lisp suite"
  summary 0 0 0 0
  exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lisp-tests.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
if command -v timeout >/dev/null 2>&1; then have_timeout=1; else have_timeout=; fi

tested=0 passing=0 failing=0 crashing=0 skipped=0

# header KEY FILE: the values of every ";;! KEY:" line, one per line.
header() {
  sed -n "s/^;;![ 	]*$1:[ 	]*//p" "$2" | sed 's/[ 	]*$//'
}
has_flag() {
  grep -q "^;;![ 	]*$1[ 	]*\$" "$2"
}

for test in $(cd "$here" && find . -mindepth 2 -name '*.scm' ! -path '*/data/*' | sed 's|^\./||' | LC_ALL=C sort); do
  case $test in *"${LISP_TESTS_FILTER:-}"*) ;; *) continue ;; esac
  file=$here/$test
  dir=$(dirname "$file")
  base=$(basename "$file")
  name=${base%.scm}
  if [ -n "${LISP_TESTS_SKIP_SLOW:-}" ] && has_flag slow "$file"; then
    skipped=$((skipped + 1))
    continue
  fi
  skip_on=$(header skip-on "$file" | head -n 1)
  if [ -n "$skip_on" ]; then
    case $(basename "$bin") in *"$skip_on"*) skipped=$((skipped + 1)); continue ;; esac
  fi
  tested=$((tested + 1))

  if grep -q '^;;![ 	]*args:' "$file"; then
    args=$(header args "$file" | head -n 1 | sed "s|%f|$base|g")
  else
    args=$base
  fi
  stdin=$(header stdin "$file" | head -n 1)
  case $stdin in
    self) stdin=$file ;;
    '') if [ -f "$dir/$name.in" ]; then stdin=$dir/$name.in; else stdin=/dev/null; fi ;;
    *) stdin=$dir/$stdin ;;
  esac
  want_status=$(header status "$file" | head -n 1)
  : "${want_status:=0}"
  limit=$(header timeout "$file" | head -n 1)
  : "${limit:=${LISP_TEST_TIMEOUT:-120}}"
  if [ -n "$have_timeout" ]; then run="timeout -k 5 $limit"; else run=; fi

  started=$(date +%s)
  (cd "$dir" && eval "exec $run \"\$bin\" $args") <"$stdin" >"$tmp/out" 2>"$tmp/err"
  status=$?
  [ -z "${LISP_TESTS_TIMES:-}" ] || echo "time: $(($(date +%s) - started))s $test"

  why=
  crashed=
  if [ -n "$have_timeout" ] && [ "$status" -eq 124 ]; then
    why="timed out after ${limit}s"
  elif [ "$status" -ge 128 ]; then
    why="killed by signal $((status - 128))"
    crashed=1
  else
    clean_error=
    if has_flag or-error "$file" && [ "$status" -ge 1 ] && [ "$status" -le 123 ] && [ -s "$tmp/err" ]; then
      clean_error=1
    fi
    if [ -z "$clean_error" ]; then
      case $want_status in
        any) ;;
        nonzero) [ "$status" -ne 0 ] || why="exit status 0, expected non-zero" ;;
        *) [ "$status" -eq "$want_status" ] || why="exit status $status, expected $want_status" ;;
      esac
      if [ -z "$why" ] && [ -f "$dir/$name.out" ] && ! cmp -s "$dir/$name.out" "$tmp/out"; then
        why="stdout differs from $name.out"
      fi
      if [ -z "$why" ]; then
        # Fixed-string and regular-expression checks, one per header line.
        for kind in stderr stdout-has stdout-re stderr-re; do
          case $kind in
            stderr) stream=err opt=-iF ;;
            stdout-has) stream=out opt=-iF ;;
            stdout-re) stream=out opt=-E ;;
            stderr-re) stream=err opt=-E ;;
          esac
          header "$kind" "$file" >"$tmp/pats"
          while IFS= read -r pat; do
            if ! grep -q $opt -e "$pat" "$tmp/$stream"; then
              why="std${stream#std} lacks '$pat'"
              break
            fi
          done <"$tmp/pats"
          [ -z "$why" ] || break
        done
      fi
    fi
  fi

  if [ -z "$why" ]; then
    passing=$((passing + 1))
    continue
  fi
  if [ -n "$crashed" ]; then crashing=$((crashing + 1)); else failing=$((failing + 1)); fi
  echo "FAIL: $label: $test: $why"
  if [ -f "$dir/$name.out" ] && ! cmp -s "$dir/$name.out" "$tmp/out"; then
    diff -u "$dir/$name.out" "$tmp/out" | sed -n '3,40s/^/    /p' | cut -c1-200
  fi
  if [ -s "$tmp/err" ]; then
    echo "    stderr:"
    sed -n '1,8s/^/    | /p' "$tmp/err" | cut -c1-200
  fi
done

[ "$skipped" -eq 0 ] || echo "$label: skipped $skipped test(s) (slow under LISP_TESTS_SKIP_SLOW, or skip-on)"
summary "$tested" "$passing" "$failing" "$crashing"
[ $((failing + crashing)) -eq 0 ]
