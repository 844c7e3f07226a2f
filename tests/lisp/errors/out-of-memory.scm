; Out of memory in a script: the error is reported on stderr, output printed
; before it is kept, and the exit status is 70 as for any other error.
;;! no-guile
;;! args: --heap-max 8M %f
;;! status: 70
;;! stderr-re: ^Error: out-of-memory.scm:9:[0-9]+: out of memory
(display "before")
(newline)
(define (grow acc) (grow (cons (make-vector 100000 0) acc)))
(grow '())
(display "not reached")
