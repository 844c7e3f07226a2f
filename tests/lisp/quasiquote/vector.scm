; quasiquote inside vector literals.
(define x 2)
(display `#(1 ,x ,@(list 3 4) 5)) (newline)
(display `(a #(,x) b)) (newline)
