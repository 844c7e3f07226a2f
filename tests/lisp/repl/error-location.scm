;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-re: 8
;;! stderr-re: ^Error: stdin:9:9: car: expected pair, got 7$
;;! stderr-re: ^  in top level \(stdin:9:9\)$
; In the REPL the position is stdin's line and column, and the session goes on.
(define v 7)
(+ 1 v) (car v)
