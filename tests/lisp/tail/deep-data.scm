; Structures nested one million deep: building them is iterative, but
; equal? and display walk them; they either work or stop with a clear
; error, never a crash.
;;! or-error
;;! slow
;;! no-guile
;;! stdout-has: printed
;;! stdout-re: ^#t$
(define (nest n) (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (list acc)))))
(define (vnest n) (let loop ((i 0) (acc 0)) (if (= i n) acc (loop (+ i 1) (vector acc)))))
(display (equal? (nest 1000000) (nest 1000000))) (newline)
(display (equal? (vnest 1000000) (vnest 1000000))) (newline)
(display (nest 1000000)) (newline)
(display "printed") (newline)
