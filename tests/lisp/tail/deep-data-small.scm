; Structures nested 10,000 deep: equal?, write (must work at this depth).
(define (nest n) (let loop ((i 0) (acc 'x)) (if (= i n) acc (loop (+ i 1) (list acc)))))
(define (vnest n) (let loop ((i 0) (acc 0)) (if (= i n) acc (loop (+ i 1) (vector acc)))))
(display (equal? (nest 10000) (nest 10000))) (newline)
(display (equal? (nest 10000) (nest 9999))) (newline)
(display (equal? (vnest 10000) (vnest 10000))) (newline)
(write (nest 100)) (newline)
