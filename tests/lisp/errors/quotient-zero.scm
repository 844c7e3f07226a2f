; Exact division by zero is an error, not a crash (SIGFPE).
;;! status: nonzero
;;! stderr-re: .
(display (quotient 1 0))
