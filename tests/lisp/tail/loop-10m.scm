; A 10-million-iteration tail-recursive loop runs in constant space.
;;! slow
(define (loop i acc)
  (if (= i 0) acc (loop (- i 1) (+ acc 1))))
(display (loop 10000000 0)) (newline)
