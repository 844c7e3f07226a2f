; (exit) ends the program with status 0.
(display "bye") (newline)
(exit)
(display "never")
