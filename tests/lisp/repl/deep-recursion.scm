; A runaway non-tail recursion stops at the depth limit with an error and
; returns to the prompt; definitions stay, and after the error the full
; depth is available again (also after a guard caught the error).
;;! no-guile
;;! args: --max-depth 5000
;;! stdin: self
;;! stderr: recursion too deep
;;! stdout-has: back-1
;;! stdout-has: caught
;;! stdout-has: depth-4000
(define (f x) (+ 1 (f x)))
(define (g n) (if (= n 0) 0 (+ 1 (g (- n 1)))))
(f 1)
(display "back-1")
(newline)
(display (guard (e (#t 'caught)) (f 1)))
(newline)
(display (string-append "depth-" (number->string (g 4000))))
(newline)
