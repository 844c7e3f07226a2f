; Too many arguments is an error too.
;;! status: nonzero
;;! stderr-re: .
(define (one a) a)
(one 1 2 3)
