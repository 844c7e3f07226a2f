; Arithmetic on a non-number is an error.
;;! status: nonzero
;;! stderr-re: .
(display (+ 1 2)) (newline)
(display (+ 1 "two")) (newline)
