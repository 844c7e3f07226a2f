; An unexpected close parenthesis is a reader error (or, at least, not a crash).
;;! no-guile
;;! status: any
(display "a")
)
(display "b")
