; A 5,000-element list through map, reverse, append, equal? (for the stress run).
(define (iota n) (let loop ((i (- n 1)) (acc '())) (if (< i 0) acc (loop (- i 1) (cons i acc)))))
(define big (iota 5000))
(display (length big)) (newline)
(display (car (reverse big))) (newline)
(display (apply + (map (lambda (x) (* 2 x)) big))) (newline)
(display (length (append big big))) (newline)
(display (equal? big (list-copy big))) (newline)
