; apply in tail position, and tail calls through a closure passed around.
(define (count-down n) (if (= n 0) 'apply-done (apply count-down (list (- n 1)))))
(display (count-down 100000)) (newline)
(define (trampoline f n) (if (= n 0) 'closure-done (f f (- n 1))))
(display (trampoline trampoline 100000)) (newline)
(define (cps-loop n k) (if (= n 0) (k 'cps-done) (cps-loop (- n 1) k)))
(display (cps-loop 100000 (lambda (v) v))) (newline)
