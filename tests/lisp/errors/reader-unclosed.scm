; An unclosed list is a reader error that names the file and a line.
;;! no-guile
;;! status: nonzero
;;! stderr: reader-unclosed.scm
;;! stderr-re: [0-9]
(display "fine")
(define (broken x)
  (+ x 1)
