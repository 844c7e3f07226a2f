; c[ad]{2,4}r accessors.
(define t '((1 2 3) (4 5 6) (7 8 9) 10))
(display (list (caar t) (cadr t) (cdar t) (cddr t))) (newline)
(display (list (caaar '(((a)))) (caadr t) (cadar t) (caddr t))) (newline)
(display (list (cdaar '(((a b)))) (cdadr t) (cddar t) (cdddr t))) (newline)
(display (list (cadddr t) (cddddr t))) (newline)
(define d '(((((x y) z)))))
(display (list (caaaar d) (cdaaar d))) (newline)
(display (list (caaddr '(1 2 (3 4))) (cdaddr '(1 2 (3 4))) (caddar '((1 2 3))))) (newline)
