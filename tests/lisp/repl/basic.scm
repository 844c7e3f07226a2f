; The REPL (no arguments) reads forms from stdin and evaluates them; end of
; input exits with status 0.  Prompts and echoed values are not checked, only
; that the program output appears.
;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-has: repl-works-42
(define x 40)
(define (label n) (string-append "repl-works-" (number->string n)))
(display (label (+ x 2)))
(newline)
