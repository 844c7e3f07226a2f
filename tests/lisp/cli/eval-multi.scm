; -e with several forms in one string, evaluated in order.
;;! no-guile
;;! args: -e '(define x 6) (display (* x 7)) (newline)'
