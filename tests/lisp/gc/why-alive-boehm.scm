; The heap diagnostics need gull: on boehm-lisp they raise a clear error
; that a program can catch, and the interpreter keeps running.
;;! skip-on: gull
;;! no-guile
(define (try thunk)
  (guard (e (#t (display (error-object-message e)) (newline))) (thunk)))
(try heap-census)
(try (lambda () (why-alive (list 1 2))))
(try (lambda () (heap-snapshot "x.heapsnapshot")))
(display "still running") (newline)
