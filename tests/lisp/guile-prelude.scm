;;; guile-prelude.scm -- what Guile 3 needs to run the suite as R7RS.
;;; Loaded with `guile --no-auto-compile -l guile-prelude.scm -s FILE` by
;;; gen-expected.sh; the interpreters under test do not load it.
(import (scheme base) (scheme time) (scheme char) (scheme cxr) (scheme inexact)
        (scheme file) (scheme read) (scheme write) (scheme process-context))
(define (memory-report) #t)                 ; gull-lisp's heap report; a no-op here
