; Applying a non-procedure is an error.
;;! status: nonzero
;;! stderr-re: .
(define x 5)
(x 1 2)
