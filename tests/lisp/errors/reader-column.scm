; Reader errors give 1-based columns: the stray ')' below is in column 5.
;;! no-guile
;;! status: 70
;;! stderr: reader-column.scm:7:5: read error: unexpected ')'
(display "x")
(newline)
    )
