; A syntax error found by the compiler names the position of the bad form.
;;! no-guile
;;! status: 70
;;! stderr-re: ^Error: location-syntax\.scm:7:5: bad if
(define (f x)
  (list x
    (if)))
