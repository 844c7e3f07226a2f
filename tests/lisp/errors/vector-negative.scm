; A negative index is an error.
;;! status: nonzero
;;! stderr-re: .
(vector-set! (make-vector 3 0) -1 'x)
