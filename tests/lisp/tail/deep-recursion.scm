; Non-tail recursion one million deep either works or stops with a clear
; error; it must never crash the process.
;;! or-error
;;! slow
(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))
(display (count 1000000)) (newline)
(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(display (length (build 1000000))) (newline)
