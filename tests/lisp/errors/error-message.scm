; error prints its message and irritants on stderr; the script exits non-zero.
; Output written before the error is still flushed.
;;! status: nonzero
;;! stderr: something bad happened
;;! stderr: 42
;;! stderr: the-irritant
(display "before the error") (newline)
(define (check x) (if (> x 10) (error "something bad happened:" x 'the-irritant) x))
(display (check 5)) (newline)
(check 42)
(display "never") (newline)
