; eq? eqv? equal? on the usual cases.
(display (list (eq? 'a 'a) (eq? '() '()) (eq? car car) (eq? (list 1) (list 1)))) (newline)
(display (list (eqv? 1 1) (eqv? 1 1.0) (eqv? 1.5 1.5) (eqv? #\a #\a) (eqv? "a" 'a))) (newline)
(display (list (eqv? 100000000 100000000) (eqv? (cons 1 2) (cons 1 2)))) (newline)
(display (list (equal? '(1 (2 #(3 "x"))) (list 1 (list 2 (vector 3 "x")))) (equal? '(1 2) '(1 3)))) (newline)
(display (list (equal? 2 2.0) (equal? "abc" "abc") (equal? #(1 2) #(1 2)) (equal? 'a 'a))) (newline)
(define p (list 1 2))
(display (list (eq? p p) (eqv? p p) (equal? p p))) (newline)
