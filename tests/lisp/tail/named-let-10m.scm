; A 10-million-iteration named let and do loop.
;;! slow
(display (let lp ((i 0)) (if (< i 10000000) (lp (+ i 1)) i))) (newline)
(display (do ((i 0 (+ i 1)) (s 0 (+ s 2))) ((= i 1000000) s))) (newline)
