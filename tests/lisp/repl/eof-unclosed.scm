; End of input inside an unfinished form ends the REPL without hanging
; or crashing (the status is not checked).
;;! no-guile
;;! args:
;;! stdin: self
;;! status: any
;;! stdout-has: done-first
(display "done-first")
(newline)
(display (+ 1
