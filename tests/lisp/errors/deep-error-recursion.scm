; Infinite non-tail recursion must stop with an error message, not a segfault
; (or run out of its time limit cleanly, which is reported as a failure).
;;! no-guile
;;! status: nonzero
;;! stderr-re: .
;;! slow
;;! timeout: 60
(define (forever n) (+ 1 (forever (+ n 1))))
(display "start") (newline)
(forever 0)
