; -e EXPR evaluates the expression (the file itself is not run).
;;! no-guile
;;! args: -e '(display (+ 1 2))'
