; A long tail-recursive loop typed at the REPL runs in constant space.
;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-has: loop-result-200000
(define (loop i) (if (= i 0) 'done (loop (- i 1))))
(loop 200000)
(display "loop-result-200000")
(newline)
