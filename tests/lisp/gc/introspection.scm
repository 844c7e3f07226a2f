; (gc), (gc-stats) and (memory-report) run and the program continues.
; Their output is implementation-specific, so only the marker is checked.
;;! no-guile
;;! stdout-has: gc-ok-1
;;! stdout-has: gc-ok-2
(define keep (let loop ((i 0) (acc '())) (if (= i 10000) acc (loop (+ i 1) (cons (make-vector 4 i) acc)))))
(gc)
(display "gc-ok-1") (newline)
(gc-stats)
(memory-report)
(gc)
(display (length keep)) (newline)
(display "gc-ok-2") (newline)
