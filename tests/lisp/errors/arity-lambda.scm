; Calling a procedure with too few arguments is an error.
;;! status: nonzero
;;! stderr-re: .
(define (two a b) (+ a b))
(display (two 1 2)) (newline)
(display (two 1)) (newline)
