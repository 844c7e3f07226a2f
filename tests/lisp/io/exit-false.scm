; (exit #f) ends the program with a failure status (R7RS).
;;! status: 1
(display "false") (newline)
(exit #f)
