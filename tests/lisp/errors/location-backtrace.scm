; A runtime error names the file, line and 1-based column of the form
; being evaluated, and a backtrace of the active procedures, innermost
; first, each with the position it is at (the call into the next one).
;;! no-guile
;;! status: 70
;;! stderr-re: ^Error: location-backtrace\.scm:15:3: car: expected pair, got 3$
;;! stderr-re: ^Backtrace
;;! stderr-re: ^  in first-of \(location-backtrace\.scm:15:3\)$
;;! stderr-re: ^  in add-one \(location-backtrace\.scm:17:8\)$
;;! stderr-re: ^  in loop \(location-backtrace\.scm:20:37\)$
(display "before")
(newline)
; (the column counts from 1: the form below starts in column 3)
(define (first-of x)
  (car x))
(define (add-one y)
  (+ 1 (first-of y)))
(define (run)
  (let loop ((i 0))
    (if (< i 3) (loop (+ i 1)) (* 2 (add-one i)))))
(run)
(display "not reached")
