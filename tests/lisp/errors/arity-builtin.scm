; A builtin called with the wrong number of arguments is an error.
;;! status: nonzero
;;! stderr-re: .
(display (cons 1)) (newline)
