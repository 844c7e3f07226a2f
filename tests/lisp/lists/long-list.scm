; A one-million-element list built iteratively: length, reverse, fold.
;;! slow
(define (iota n) (let loop ((i (- n 1)) (acc '())) (if (< i 0) acc (loop (- i 1) (cons i acc)))))
(define big (iota 1000000))
(display (length big)) (newline)
(display (car (reverse big))) (newline)
(define (sum l) (let loop ((l l) (s 0)) (if (null? l) s (loop (cdr l) (+ s (car l))))))
(display (sum big)) (newline)
(display (sum (map (lambda (x) (* 2 x)) big))) (newline)
(display (length (append big big))) (newline)
(display (list-ref big 999999)) (newline)
(display (equal? big (list-copy big))) (newline)
