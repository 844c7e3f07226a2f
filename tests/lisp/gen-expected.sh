#!/bin/sh
# gen-expected.sh [TEST.scm...] -- write NAME.out for tests from Guile 3.
#
# Runs each test the way run-lisp-tests.sh does (from its directory, NAME.in
# or /dev/null on stdin) with `guile --no-auto-compile` and the small prelude
# guile-prelude.scm, and stores stdout as NAME.out.  Tests marked ";;! no-guile"
# (CLI, REPL and hand-checked outputs) are left alone.  Read every new .out by
# eye before committing it: Guile is the reference only where its printing
# agrees with R7RS.  With no arguments, every test is regenerated.
here=$(cd "$(dirname "$0")" && pwd)
guile=${GUILE:-guile}
if [ $# -eq 0 ]; then
  set -- $(cd "$here" && find . -mindepth 2 -name '*.scm' ! -path '*/data/*' | sed "s|^\./|$here/|" | LC_ALL=C sort)
fi
for file; do
  case $file in /*) ;; *) file=$(pwd)/$file ;; esac
  if grep -q '^;;![ 	]*no-guile' "$file"; then continue; fi
  dir=$(dirname "$file") name=$(basename "$file" .scm)
  stdin=/dev/null
  [ -f "$dir/$name.in" ] && stdin=$dir/$name.in
  (cd "$dir" && "$guile" --no-auto-compile -l "$here/guile-prelude.scm" -s "$name.scm") \
    <"$stdin" >"$dir/$name.out" 2>"$dir/$name.guile-err"
  status=$?
  echo "${file#$here/}: guile exit $status"
  [ -s "$dir/$name.guile-err" ] && sed 's/^/    /' "$dir/$name.guile-err" | head -5
  rm -f "$dir/$name.guile-err"
done
