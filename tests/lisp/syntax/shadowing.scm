; Local bindings may shadow builtins without affecting other code.
(define (f list) (car list))
(display (f '(1 2 3))) (newline)
(display (let ((car cdr)) (car '(1 2 3)))) (newline)
(display (car '(1 2 3))) (newline)
(define (g) (define length 5) length)
(display (g)) (newline)
(display (length '(a b))) (newline)
