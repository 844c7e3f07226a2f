#!/bin/sh
# make check: the Lisp language suite on the Boehm GC build of the interpreter.
here=$(cd "$(dirname "$0")" && pwd)
exec /bin/sh "$here/run-lisp-tests.sh" \
  "${top_builddir:-$here/../..}/examples/lisp/boehm-lisp" boehm-lisp
