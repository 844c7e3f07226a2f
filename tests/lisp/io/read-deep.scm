; read a list nested 10,000 deep from stdin; measure its depth.
(define x (read))
(define (depth d) (if (pair? d) (+ 1 (depth (car d))) 0))
(display (depth x)) (newline)
(define y (read))
(display (length y)) (newline)
