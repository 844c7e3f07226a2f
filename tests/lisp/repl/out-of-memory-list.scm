; The same with a long list of pairs (the usual way to run out): the list is
; garbage once the error unwinds, and the next forms allocate freely.
; Not on Boehm: there the list stays reachable after the error (every later
; allocation fails too), presumably through a stale word that conservative
; scanning takes for a pointer; examples/lisp/README.md, "Known gaps".
;;! no-guile
;;! slow
;;! skip-on: boehm
;;! args: --heap-max 16M
;;! stdin: self
;;! stderr: out of memory
;;! stdout-has: after-100000
(define (build n acc) (build (+ n 1) (cons n acc)))
(build 0 '())
(display (string-append "after-" (number->string (length (iota 100000)))))
(newline)
