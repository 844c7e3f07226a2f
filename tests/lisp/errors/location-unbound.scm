; An unbound variable at the top level: the position of the enclosing form,
; and "top level" in the backtrace.
;;! no-guile
;;! status: 70
;;! stderr-re: ^Error: location-unbound\.scm:8:1: unbound variable: no-such-thing$
;;! stderr-re: ^  in top level \(location-unbound\.scm:8:1\)$
(define ok 1)
(list ok
      no-such-thing)
