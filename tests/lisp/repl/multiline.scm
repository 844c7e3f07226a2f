; Forms may span lines and several forms may share a line.
;;! no-guile
;;! args:
;;! stdin: self
;;! stdout-has: multi-line-ok
;;! stdout-has: a-b
(define (f x)
  (if x
      "multi-line-ok"
      "wrong"))
(display (f #t)) (newline) (display "a-") (display "b") (newline)
