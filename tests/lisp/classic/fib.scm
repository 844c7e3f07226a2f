;;; FIB -- doubly recursive Fibonacci, integer and floating-point versions.

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1))
         (fib (- n 2)))))

(define (fibfp n)
  (if (< n 2.)
      n
      (+ (fibfp (- n 1.))
         (fibfp (- n 2.)))))

(define (iterate n thunk)
  (let loop ((i 1) (result (thunk)))
    (if (< i n)
        (loop (+ i 1) (thunk))
        result)))

(display (iterate 3 (lambda () (fib 20))))
(newline)
(display (fibfp 18.))
(newline)
(display (map fib '(0 1 2 3 4 5 6 7 8 9 10)))
(newline)
