; modulo by zero is an error.
;;! status: nonzero
;;! stderr-re: .
(display (modulo 10 0))
