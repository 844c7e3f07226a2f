; Mutual tail recursion, 1 million deep (kept small for the stress run).
(define (ping n) (if (= n 0) 'ping-done (pong (- n 1))))
(define (pong n) (if (= n 0) 'pong-done (ping (- n 1))))
(display (ping 1000000)) (newline)
(display (ping 1000001)) (newline)
