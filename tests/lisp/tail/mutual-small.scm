; Mutual tail recursion, 200,000 deep (kept small for the stress run).
(define (ping n) (if (= n 0) 'ping-done (pong (- n 1))))
(define (pong n) (if (= n 0) 'pong-done (ping (- n 1))))
(display (ping 200000)) (newline)
(display (ping 200001)) (newline)
