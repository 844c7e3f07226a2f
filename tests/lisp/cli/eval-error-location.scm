; -e errors name "-e" with the line and column inside EXPR.
;;! no-guile
;;! args: -e "(define (f x) (vector-ref x 3)) (f (vector 1 2))"
;;! status: 70
;;! stderr-re: ^Error: -e:1:15: vector-ref
;;! stderr-re: ^  in f \(-e:1:15\)$
