; (exit N) inside -e.
;;! no-guile
;;! args: -e '(display "x") (exit 4)'
;;! status: 4
