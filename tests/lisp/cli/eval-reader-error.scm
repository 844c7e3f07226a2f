; A reader error in -e exits non-zero with a message.
;;! no-guile
;;! args: -e '(display (+ 1 2)'
;;! status: nonzero
;;! stderr-re: .
