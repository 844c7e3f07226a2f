; car of a non-pair is an error naming the procedure, not a crash.
;;! status: nonzero
;;! stderr: car
(display "start") (newline)
(car 5)
(display "never") (newline)
