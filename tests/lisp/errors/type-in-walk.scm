; A wrong-type error inside a deep structure walk, after output, keeps stdout.
;;! status: nonzero
;;! stderr-re: .
(define (sum-tree t) (cond ((null? t) 0) ((pair? t) (+ (sum-tree (car t)) (sum-tree (cdr t)))) (else (+ t 0))))
(display (sum-tree '(1 (2 3) (4 (5))))) (newline)
(display (sum-tree '(1 (2 x) 3))) (newline)
