; (exit 3) ends the program with status 3 after flushing output.
;;! status: 3
(display "before exit") (newline)
(display "unterminated line")
(exit 3)
(display "never")
