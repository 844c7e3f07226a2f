; An error returns to the prompt: later forms still run, definitions made
; before the error survive, and the exit status at end of input is 0.
;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-has: survived-1
;;! stdout-has: survived-2
;;! stdout-has: survived-3
;;! stdout-has: kept-7
(define kept 7)
(car 1)
(display "survived-1")
(newline)
undefined-variable-in-repl
(display "survived-2")
(newline)
(error "user error in repl" 1 2)
(vector-ref (vector) 0)
((lambda (x) x))
(display "survived-3")
(newline)
(display (string-append "kept-" (number->string kept)))
(newline)
