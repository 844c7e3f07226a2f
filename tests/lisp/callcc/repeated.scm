; Many escapes in a loop (continuations must not leak or accumulate).
(define (safe-div a b) (call/cc (lambda (k) (if (= b 0) (k 'div-by-zero) (quotient a b)))))
(define (run n acc)
  (if (= n 0) acc
      (run (- n 1) (+ acc (let ((r (safe-div n (modulo n 3)))) (if (symbol? r) 1000 r))))))
(display (run 20000 0)) (newline)
(define escapes 0)
(do ((i 0 (+ i 1))) ((= i 20000))
  (call/cc (lambda (k) (set! escapes (+ escapes 1)) (k i) (display "not reached"))))
(display escapes) (newline)
