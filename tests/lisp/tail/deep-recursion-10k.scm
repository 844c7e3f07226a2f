; Non-tail recursion 10,000 deep must work (map over a long list, too).
(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))
(display (count 10000)) (newline)
(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(define big (build 10000))
(display (length big)) (newline)
(display (apply + (map (lambda (x) 1) big))) (newline)
