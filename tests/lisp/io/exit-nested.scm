; exit from deep inside a computation.
;;! status: 7
(define (walk n) (if (= n 0) (exit 7) (+ 1 (walk (- n 1)))))
(display "walking") (newline)
(walk 1000)
(display "never")
