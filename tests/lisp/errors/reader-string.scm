; An unterminated string is a reader error naming the file.
;;! no-guile
;;! status: nonzero
;;! stderr: reader-string.scm
(display "fine")
(display "this string never ends)
