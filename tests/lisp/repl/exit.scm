; (exit N) in the REPL exits with that status.
;;! no-guile
;;! args:
;;! stdin: self
;;! status: 5
;;! stdout-has: before-exit
(display "before-exit")
(newline)
(exit 5)
(display "never")
