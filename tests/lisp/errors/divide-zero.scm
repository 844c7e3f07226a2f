; Exact / by zero is an error.
;;! status: nonzero
;;! stderr-re: .
(display (/ 5 0))
