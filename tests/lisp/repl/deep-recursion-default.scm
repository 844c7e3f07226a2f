; With the default limit a runaway recursion is reported quickly (the
; timeout is the check: before the limit it took about a minute and more
; than a gigabyte) and the REPL goes on.
;;! no-guile
;;! slow
;;! timeout: 20
;;! args:
;;! stdin: self
;;! stderr: recursion too deep
;;! stdout-has: back-after-deep
(define (f x) (+ 1 (f x)))
(f 1)
(display "back-after-deep")
(newline)
