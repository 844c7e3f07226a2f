#!/bin/sh
# make check: Ctrl-C, line editing and history on the gull build of the interpreter.
here=$(cd "$(dirname "$0")" && pwd)
exec /bin/sh "$here/run-term-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/gull-lisp" gull-lisp-term
