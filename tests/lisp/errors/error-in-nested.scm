; An error deep in non-tail recursion and inside map still exits cleanly.
;;! status: nonzero
;;! stderr: nested failure
(define (down n) (if (= n 0) (error "nested failure" n) (+ 1 (down (- n 1)))))
(display (map (lambda (x) (* x 2)) '(1 2 3))) (newline)
(display (map (lambda (x) (down x)) '(5 10 1000))) (newline)
