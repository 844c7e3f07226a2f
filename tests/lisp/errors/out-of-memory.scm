; Out of memory in a script: the error is reported on stderr, output printed
; before it is kept, and the exit status is 70 as for any other error.
;;! no-guile
;;! args: --heap-max 8M %f
;;! status: 70
;;! stderr: Error: out of memory
(display "before")
(newline)
(define (grow acc) (grow (cons (make-vector 100000 0) acc)))
(grow '())
(display "not reached")
