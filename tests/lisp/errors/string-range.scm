; string-ref / substring out of range are errors.
;;! status: nonzero
;;! stderr-re: .
(display (substring "abc" 1 2)) (newline)
(display (substring "abc" 2 10)) (newline)
