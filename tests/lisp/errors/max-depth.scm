; --max-depth N: the N+1st nested call is an error (status 70 in a script);
; a recursion within the limit works.
;;! no-guile
;;! args: --max-depth 300 %f
;;! status: 70
;;! stderr: recursion too deep
(define (g n) (if (= n 0) 0 (+ 1 (g (- n 1)))))
(display (g 200))
(newline)
(display (g 1000))
