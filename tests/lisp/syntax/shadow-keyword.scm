; A local variable may shadow the name of a syntactic keyword (R7RS).
(display (let ((if list)) (if 1 2 3))) (newline)
(define (f when) (+ when 1))
(display (f 41)) (newline)
