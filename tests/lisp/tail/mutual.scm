; Mutual tail recursion through two top-level procedures, 10 million deep.
;;! slow
(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
(display (my-even? 10000000)) (newline)
(display (my-odd? 7777777)) (newline)
